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


# Django ships no or incomplete Kazakh and Kyrgyz catalogues for its own pages: the project's catalogues complete
# them (locale_django/ for the django domain, locale/*/djangojs.po for the admin's JavaScript).
ADMIN_TEXTS = {
    "kk": {
        "Соңғы әрекеттер": "Recent actions",
        "Сайтқа өту": "View site",
        "Аутентификация және авторизация": "Authentication and Authorization",
        "Сүзу үшін тере бастаңыз…": "Start typing to filter…",
        "Навигация жолы": "Breadcrumbs",
        "Негізгі мазмұнға өту": "Skip to main content",
    },
    "ky": {
        "Навигация жолу": "Breadcrumbs",
        "Негизги мазмунга өтүү": "Skip to main content",
        "Каптал панель": "Sidebar",
    },
}
PASSWORD_RULES = {
    "kk": ["Құпиясөз басқа жеке деректеріңізге тым ұқсас болмауы керек.", "Құпиясөз тек цифрлардан тұрмауы керек."],
    "ky": ["Сырсөз коюу"],
}
JS_TEXTS = {"kk": ["Қаңтар", "Белгіленген %s алып тастау"], "ky": ["Дүйшөмбү", "Бардык %s алып салуу"]}


@pytest.mark.parametrize("language", ["kk", "ky"])
def test_the_admin_speaks_kazakh_and_kyrgyz(client, language):
    client.force_login(UserFactory(preferred_language=language, is_staff=True, is_superuser=True))
    page = "".join(
        client.get(url).content.decode()
        for url in (reverse("admin:index"), reverse("admin:students_course_changelist"))
    )
    for text, english in ADMIN_TEXTS[language].items():
        assert text in page, text
        assert english not in page, english
    change = client.get(reverse("admin:accounts_user_change", args=[UserFactory().pk])).content.decode()
    assert ("Құпиясөзді қалпына келтіру" if language == "kk" else "Сырсөздү калыбына келтирүү") in change
    assert "Reset password" not in change
    catalogue = client.get(reverse("admin:jsi18n")).content.decode("unicode_escape")
    for text in JS_TEXTS[language]:
        assert text in catalogue, text


def test_the_password_rules_are_in_kazakh(client):
    client.force_login(UserFactory(preferred_language="kk"))
    page = client.get(reverse("accounts:password_change")).content.decode()
    for text in PASSWORD_RULES["kk"]:
        assert text in page, text
    for english in ("Your password can’t be", "too similar to your other personal information"):
        assert english not in page
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "x", "new_password1": "12345", "new_password2": "12345"},
    )
    assert "Бұл құпиясөз тым қысқа." in response.content.decode()
