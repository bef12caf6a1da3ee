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


# Issue #20, item 15: the holidays were a list for 2026 only; from 2027 every deadline counted them as working days.


@pytest.fixture
def kazakhstan(settings):
    settings.WORKDAY_COUNTRY = "KZ"
    settings.WORKDAY_TRANSFERS = {}
    settings.HOLIDAYS = []


def test_a_deadline_across_new_year_2027_skips_the_holidays_and_their_observed_days(kazakhstan):
    # 1 Jan (Fri) and 2 Jan (Sat) are New Year, 4 Jan its observed day, 7 Jan Orthodox Christmas.
    start = datetime.date(2026, 12, 31)
    assert add_working_days(start, 1) == datetime.date(2027, 1, 5)
    assert add_working_days(start, 3) == datetime.date(2027, 1, 8)
    assert not is_working_day(datetime.date(2027, 1, 1))


def test_a_deadline_across_nauryz_2027_skips_21_to_24_march(kazakhstan):
    # Nauryz 21–23 March 2027 (Sun–Tue), the Sunday's holiday observed on Wednesday the 24th.
    start = datetime.date(2027, 3, 19)
    assert [is_working_day(datetime.date(2027, 3, day)) for day in range(22, 26)] == [False, False, False, True]
    assert add_working_days(start, 2) == datetime.date(2027, 3, 26)


def test_decreed_transfers_give_a_weekday_off_and_make_a_saturday_a_working_day(settings, kazakhstan):
    settings.WORKDAY_TRANSFERS = {"2027-01-08": "off", "2027-01-09": "work"}
    assert not is_working_day(datetime.date(2027, 1, 8))
    assert is_working_day(datetime.date(2027, 1, 9))
    assert add_working_days(datetime.date(2026, 12, 31), 3) == datetime.date(2027, 1, 9)


def test_a_bad_transfer_is_refused(settings, kazakhstan):
    settings.WORKDAY_TRANSFERS = {"2027-01-08": "holiday"}
    with pytest.raises(ValueError, match="WORKDAY_TRANSFERS"):
        is_working_day(datetime.date(2027, 1, 8))


def test_the_kyrgyz_calendar_is_used_when_configured(settings, kazakhstan):
    independence_day_kg = datetime.date(2027, 8, 31)  # a Tuesday
    assert is_working_day(independence_day_kg)
    settings.WORKDAY_COUNTRY = "KG"
    assert not is_working_day(independence_day_kg)


def test_the_transfers_are_read_from_the_environment():
    import environ

    env = environ.Env()
    assert env.dict("X", default={}) == {}
    environ.os.environ["WORKDAY_TRANSFERS_TEST"] = "2027-01-08=off,2027-01-16=work"
    try:
        assert env.dict("WORKDAY_TRANSFERS_TEST") == {"2027-01-08": "off", "2027-01-16": "work"}
    finally:
        del environ.os.environ["WORKDAY_TRANSFERS_TEST"]
