"""Working-day arithmetic for deadlines: weekends, public holidays and decreed transfers do not count.

Public holidays come from the `holidays` package for WORKDAY_COUNTRY (KZ or KG), with their "observed" days (a
holiday on a weekend moves to the next working day by law), for any year. Each year the government also decrees
transfers (a day off taken between holidays, worked on a Saturday instead); they are published a few months ahead,
so they are configuration: WORKDAY_TRANSFERS maps a date to "off" or "work", and HOLIDAYS lists further days off.
"""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings

TRANSFER_KINDS = {"off", "work"}


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays(country, years=year))


@lru_cache(maxsize=8)
def _transfers(transfers: tuple[tuple[str, str], ...], extra_days_off: tuple[str, ...]) -> tuple[frozenset, frozenset]:
    """(days off, working days) from the settings; raises ValueError on a bad date or kind."""
    off = {datetime.date.fromisoformat(day) for day in extra_days_off}
    work = set()
    for day, kind in transfers:
        if kind not in TRANSFER_KINDS:
            raise ValueError(f"WORKDAY_TRANSFERS: {day} is {kind!r}, not one of {sorted(TRANSFER_KINDS)}")
        (off if kind == "off" else work).add(datetime.date.fromisoformat(day))
    return frozenset(off), frozenset(work)


def is_working_day(day: datetime.date) -> bool:
    off, work = _transfers(tuple(sorted(settings.WORKDAY_TRANSFERS.items())), tuple(settings.HOLIDAYS))
    if day in work:
        return True
    if day in off:
        return False
    return day.weekday() < 5 and day not in _public_holidays(settings.WORKDAY_COUNTRY, day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (a step started on Friday with 1 day is due on Monday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def latest_start_not_overdue(today: datetime.date, days: int) -> datetime.date:
    """The earliest start date whose deadline is still today or later.

    Anything started before it is overdue: `start < latest_start_not_overdue(today, n)` ⇔
    `add_working_days(start, n) < today`. Lets list pages filter overdue rows in SQL.
    """
    candidate = today
    # Walk back until the deadline of the previous day falls before today.
    while add_working_days(candidate - datetime.timedelta(days=1), days) >= today:
        candidate -= datetime.timedelta(days=1)
    return candidate
