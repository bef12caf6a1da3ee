"""E-mail subjects and the authenticator's issuer name follow the person's language, not English."""

from urllib.parse import quote

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from inclusion_centre.accounts import two_factor
from inclusion_centre.accounts.notifications import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PREFIXES = {
    "kk": "[Инклюзия орталығы] ",
    "ru": "[Центр инклюзии] ",
    "ky": "[Инклюзия борбору] ",
    "en": "[Inclusion centre] ",
}


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
def test_the_subject_prefix_is_in_the_recipient_language(django_capture_on_commit_callbacks, language):
    recipient = UserFactory(preferred_language=language)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(recipient=recipient, kind="test", subject=gettext_lazy("Check your e-mail"), body="…")
    (message,) = mail.outbox
    assert message.subject.startswith(PREFIXES[language])
    assert "Inclusion centre" not in message.subject
    with translation.override(language):
        assert message.subject == PREFIXES[language] + str(gettext_lazy("Check your e-mail"))


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_authenticator_issuer_is_the_centre_name_in_the_person_language(language):
    user = UserFactory(preferred_language=language)
    url = two_factor.pending_app_device(user).config_url
    name = PREFIXES[language].strip()[1:-1]
    assert f"issuer={quote(name)}" in url
    assert url.startswith(f"otpauth://totp/{quote(name)}")


def test_the_names_come_from_the_settings(settings, django_capture_on_commit_callbacks):
    settings.CENTRE_SHORT_NAME = {**settings.CENTRE_SHORT_NAME, "ru": "ЕГИ Инклюзия"}
    recipient = UserFactory(preferred_language="ru")
    assert "issuer=" + quote("ЕГИ Инклюзия") in two_factor.pending_app_device(recipient).config_url
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(recipient=recipient, kind="test", subject="Subject", body="…")
    assert mail.outbox[0].subject.startswith("[ЕГИ Инклюзия] ")
