"""The home page per role and the accessible skeleton every page shares."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from inclusion_centre.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Outline(HTMLParser):
    """Collects what the accessibility rules below look at."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def count(self, tag):
        return sum(1 for t, _ in self.tags if t == tag)

    def first(self, tag):
        return next(attrs for t, attrs in self.tags if t == tag)


def outline(response) -> Outline:
    parser = Outline()
    parser.feed(response.content.decode())
    return parser


EXPECTED_SECTION = {
    "student": "Your applications",
    "representative": "Students you represent",
    "specialist": "Cases assigned to you",
    "centre_head": "Centre inbox",
    "lecturer": "Routes to agree",
    "administration": "Routes to approve",
    "auditor": "Audit",
    "sysadmin": "System administration",
}


def test_each_role_sees_what_awaits_it(client, persona):
    name, user = persona
    client.force_login(user)
    client.cookies["language"] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    if name == "outsider":
        assert "Your account has no role yet" in content
        assert all(title not in content for title in EXPECTED_SECTION.values())
    else:
        assert f">{EXPECTED_SECTION[name]}</h2>" in content
        others = {v for k, v in EXPECTED_SECTION.items() if k != name}
        # representative fixture also creates a student, but the representative holds only their own role
        assert not any(f">{title}</h2>" in content for title in others)


def test_a_person_with_two_roles_sees_both(client):
    user = UserFactory(roles=[Role.LECTURER, Role.SPECIALIST])
    client.force_login(user)
    client.cookies["language"] = "en"
    content = client.get(reverse("home")).content.decode()
    assert ">Cases assigned to you</h2>" in content
    assert ">Routes to agree</h2>" in content


def test_navigation_follows_the_role(client, sysadmin, lecturer):
    client.force_login(sysadmin)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()
    client.force_login(lecturer)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()


def test_anonymous_visitor_sees_the_public_page(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert reverse("accounts:login") in response.content.decode()
    assert "Main menu" not in response.content.decode()


@pytest.mark.parametrize("url_name", ["home", "accounts:login", "accounts:password_reset"])
def test_skeleton_is_accessible_for_anonymous_pages(client, url_name):
    _assert_skeleton(client.get(reverse(url_name)))


@pytest.mark.parametrize("url_name", ["home", "accounts:account", "accounts:password_change"])
def test_skeleton_is_accessible_for_signed_in_pages(client, specialist, url_name):
    client.force_login(specialist)
    page = _assert_skeleton(client.get(reverse(url_name)))
    assert page.count("nav") == 1
    assert page.first("nav").get("aria-label")


def _assert_skeleton(response) -> Outline:
    assert response.status_code == 200
    page = outline(response)
    assert page.first("html")["lang"] == "kk"
    assert page.count("h1") == 1
    assert page.count("main") == 1
    assert page.first("main")["id"] == "main-content"
    assert page.count("header") == 1
    assert page.count("footer") == 1
    skip = page.first("a")
    assert skip["href"] == "#main-content", "the skip link must be the first link on the page"
    assert page.first("title") is not None
    # Every input that a person fills has a label pointing at it.
    labels = {attrs.get("for") for tag, attrs in page.tags if tag == "label"}
    for tag, attrs in page.tags:
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {
            "hidden",
            "submit",
            "radio",
            "checkbox",
        }:
            assert attrs.get("id") in labels, attrs
    return page


def test_missing_page_is_a_translated_404(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_navigation_links_follow_roles(client, student, centre_head, specialist):
    client.force_login(student)
    page = client.get(reverse("home")).content.decode()
    assert reverse("students:my_applications") in page
    assert reverse("students:inbox") not in page
    client.force_login(centre_head)
    page = client.get(reverse("home")).content.decode()
    assert reverse("students:inbox") in page
    client.force_login(specialist)
    page = client.get(reverse("home")).content.decode()
    assert reverse("students:inbox") not in page
    # The cases assigned to the specialist are listed at /applications/ (issue 26: it was not linked).
    assert f'<a href="{reverse("students:my_applications")}"' in page
