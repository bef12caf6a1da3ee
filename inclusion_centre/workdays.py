"""Working-day arithmetic for deadlines: weekends and the configured public holidays do not count."""

import datetime
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _holidays(raw: tuple[str, ...]) -> frozenset[datetime.date]:
    return frozenset(datetime.date.fromisoformat(day) for day in raw)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(tuple(settings.HOLIDAYS))


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
