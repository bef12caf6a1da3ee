import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = {"kk": "Кіру", "ru": "Войти", "en": "Sign in", "ky": "Кирүү"}


def test_kazakh_is_the_default(client):
    response = client.get(reverse("accounts:login"))
    assert '<html lang="kk">' in response.content.decode()
    assert f"<h1>{SIGN_IN['kk']}</h1>" in response.content.decode()


@pytest.mark.parametrize("language", ["kk", "ru", "en", "ky"])
def test_switcher_sets_the_language(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("accounts:login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'<html lang="{language}">' in page
    assert f"<h1>{SIGN_IN[language]}</h1>" in page


def test_switcher_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert "language" not in response.cookies


def test_signed_in_choice_is_kept_in_the_profile(client):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "ru"
    assert user.history.first().history_user == user


def test_profile_language_applies_on_a_new_browser(client):
    user = UserFactory(preferred_language="ky")
    client.force_login(user)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ky">' in page


def test_account_page_saves_the_preference(client):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    response = client.post(reverse("accounts:account"), {"preferred_language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"
    bad = client.post(reverse("accounts:account"), {"preferred_language": "xx"})
    assert bad.status_code == 422
    user.refresh_from_db()
    assert user.preferred_language == "en"
