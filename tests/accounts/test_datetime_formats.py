"""Date-times use the 24-hour clock in every language we serve: Django has no Kazakh formats, and the English
fallback printed "2:29 Т.Қ." (p.m.) in notifications."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, translation

from inclusion_centre.accounts.models import Notification

pytestmark = pytest.mark.django_db

AFTERNOON = datetime.datetime(2026, 11, 23, 14, 29, tzinfo=zoneinfo.ZoneInfo("Asia/Almaty"))
TWELVE_HOUR_MARKS = ["Т.Қ.", "т.қ.", "p.m.", "PM", "a.m.", "AM", "Т.Ж.", "т.ж."]


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
def test_notifications_show_a_24_hour_clock(client, student, language):
    Notification.objects.create(recipient=student, kind="test", subject="Subject", created_at=AFTERNOON)
    client.cookies["language"] = language
    client.force_login(student)
    body = client.get(reverse("accounts:notifications")).content.decode()
    shown = body[body.index('<time datetime="2026-11-23T14:29') :]
    shown = shown[: shown.index("</time>")]
    assert "14:29" in shown
    assert not [mark for mark in TWELVE_HOUR_MARKS if mark in shown], shown


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
@pytest.mark.parametrize("name", ["DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "TIME_FORMAT"])
def test_every_time_format_is_24_hour(language, name):
    with translation.override(language):
        shown = formats.date_format(AFTERNOON.replace(tzinfo=None), name)
    assert "14:29" in shown
    assert not [mark for mark in TWELVE_HOUR_MARKS if mark in shown], shown


def test_kazakh_dates_are_day_first_with_a_decimal_comma():
    with translation.override("kk"):
        assert formats.date_format(AFTERNOON.date(), "SHORT_DATE_FORMAT") == "23.11.2026"
        assert formats.localize(2.5) == "2,5"
