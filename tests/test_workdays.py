import datetime

import pytest

from inclusion_centre.workdays import add_working_days, is_working_day, latest_start_not_overdue

FRIDAY = datetime.date(2026, 11, 20)


def test_weekends_do_not_count(settings):
    settings.HOLIDAYS = []
    assert add_working_days(FRIDAY, 1) == datetime.date(2026, 11, 23)
    assert add_working_days(FRIDAY, 3) == datetime.date(2026, 11, 25)
    assert not is_working_day(datetime.date(2026, 11, 21))


def test_holidays_do_not_count(settings):
    settings.HOLIDAYS = ["2026-11-23"]
    assert add_working_days(FRIDAY, 1) == datetime.date(2026, 11, 24)


@pytest.mark.parametrize("days", [1, 3, 5])
def test_cutoff_agrees_with_deadlines(settings, days):
    settings.HOLIDAYS = ["2026-12-16"]
    for offset in range(40):
        today = datetime.date(2026, 11, 1) + datetime.timedelta(days=offset)
        cutoff = latest_start_not_overdue(today, days)
        for back in range(20):
            start = today - datetime.timedelta(days=back)
            assert (start < cutoff) == (add_working_days(start, days) < today), (today, start)
