"""WCAG 2.2 A/AA checks with axe on every page a visitor or a persona reaches, plus keyboard and language paths.

Assertions avoid translated text: the catalogues in locale/ may not be compiled, and the persona users prefer
Kazakh, so only `lang` attributes, ids, classes and form structure are relied upon.
"""

import re

import pytest
from playwright.sync_api import expect

from routes.selectors.work import has_work_list

pytestmark = pytest.mark.e2e

ANONYMOUS_PAGES = ["/", "/accounts/login/", "/accounts/password/reset/"]
SIGNED_IN_PAGES = ["/", "/accounts/me/", "/accounts/password/change/"]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_pass_axe(page, live_server, axe_check, path):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    axe_check(page)


def test_login_error_page_passes_axe(page, live_server, axe_check, student):
    page.goto(f"{live_server.url}/accounts/login/")
    main = page.locator("main")
    main.locator("input[name=username]").fill(student.email)
    main.locator("input[name=password]").fill("not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as submitted:
        main.locator("form button[type=submit]").click()
    assert submitted.value.status == 422
    summary = main.locator(".error-summary[role=alert]")
    expect(summary).to_be_visible()
    expect(summary.locator("li")).not_to_have_count(0)
    axe_check(page)


def test_persona_pages_pass_axe(page, live_server, login, axe_check, persona):
    # One sign-in per persona for all its pages: each extra test would pay another database flush and login.
    name, user = persona
    if name != "outsider":
        # Guards the harness itself: a flushed database would leave personas without their role groups.
        assert user.roles, f"{name} has no role; the migrated role groups are missing"
    login(page, live_server, user)
    for path in SIGNED_IN_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        if path == "/":
            # One card per role, and for the staff who owe work the card of what they owe, above them.
            expect(page.locator("main section.card[aria-labelledby^=section-]")).to_have_count(len(user.roles))
            expect(page.locator("main section.card[aria-labelledby=work-title]")).to_have_count(
                1 if has_work_list(user) else 0
            )
        axe_check(page)


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    # The e-mail field has autofocus. Blurring alone leaves Chromium's sequential focus navigation starting point
    # on that field; navigating to the "top" fragment (HTML spec: the top of the document) moves it to the start.
    page.evaluate("document.activeElement.blur(); location.hash = 'top'")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    expect(focused).to_have_class(re.compile(r"\bskip-link\b"))
    expect(focused).to_have_attribute("href", "#main-content")
    expect(focused).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_language_switcher_changes_page_language(page, live_server):
    page.goto(f"{live_server.url}/")
    html = page.locator("html")
    expect(html).not_to_have_attribute("lang", "ru")
    select = page.locator("#language-select")
    select.select_option(label="Русский")
    switcher = page.locator("form", has=select)
    switcher.locator("button[type=submit]").click()
    expect(html).to_have_attribute("lang", "ru")
    expect(page.locator("#language-select")).to_have_value("ru")
    expect(page).to_have_url(f"{live_server.url}/")
