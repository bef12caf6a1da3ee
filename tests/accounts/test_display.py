"""Display preferences (large text, high contrast): saved per user on My account, applied on every page."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_every_signed_in_person_sees_the_display_settings(client, persona):
    _, user = persona
    client.force_login(user)
    _english(client)
    response = client.get(ACCOUNT)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="display-large_text"' in body
    assert 'name="display-high_contrast"' in body
    assert f'href="{ACCOUNT}"' in body  # reachable from the header menu
    assert 'class="large-text' not in body and "high-contrast" not in body


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(ACCOUNT, {"display": "1", "display-large_text": "on"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_saving_applies_the_classes_on_every_page_and_keeps_history(client, student):
    client.force_login(student)
    _english(client)
    response = client.post(ACCOUNT, {"display": "1", "display-large_text": "on", "display-high_contrast": "on"})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.large_text and student.high_contrast
    assert student.history.latest().large_text is True
    assert student.history.latest().history_user == student
    for url in (ACCOUNT, reverse("home"), reverse("accounts:notifications")):
        assert '<html lang="en" class="large-text high-contrast">' in client.get(url).content.decode()

    # Unticking turns them off again; the language form's fields are not touched.
    language = student.preferred_language
    client.post(ACCOUNT, {"display": "1", "display-high_contrast": "on"})
    student.refresh_from_db()
    assert (student.large_text, student.high_contrast, student.preferred_language) == (False, True, language)
    assert '<html lang="en" class="high-contrast">' in client.get(reverse("home")).content.decode()


def test_only_ones_own_settings_change(client, student, other_student):
    client.force_login(student)
    # A forged field naming someone else is ignored: the form edits the signed-in user only.
    client.post(ACCOUNT, {"display": "1", "display-large_text": "on", "id": other_student.pk, "pk": other_student.pk})
    other_student.refresh_from_db()
    assert other_student.large_text is False
    student.refresh_from_db()
    assert student.large_text is True
    client.force_login(other_student)
    assert "large-text" not in client.get(reverse("home")).content.decode()


def test_a_value_the_form_never_sends_is_refused_with_422_and_nothing_saved(client):
    user = UserFactory(high_contrast=True)
    client.force_login(user)
    _english(client)
    response = client.post(ACCOUNT, {"display": "1", "display-large_text": "maybe", "display-high_contrast": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body
    assert "data-error-summary" in body
    assert 'id="id_display-large_text_error"' in body
    assert "Tick the box to turn this on, or leave it empty to turn it off." in body
    user.refresh_from_db()
    assert (user.large_text, user.high_contrast) == (False, True)
    # The page still shows the settings as saved, not as sent.
    assert 'class="high-contrast"' in body


def test_the_language_form_still_saves_alone(client, student):
    client.force_login(student)
    response = client.post(ACCOUNT, {"preferred_language": "ru", "notify_by_email": "on"})
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.preferred_language == "ru"
    assert (student.large_text, student.high_contrast) == (False, False)
