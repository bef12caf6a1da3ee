"""Large text, high contrast and 320 CSS px (issue #11, item 4): the main pages of each role, in Chromium.

With the user's "large text" and "high contrast" settings on (a desktop window), and separately at 320 CSS px wide
(what 1280 px at 400 % zoom leaves, WCAG 1.4.10), each page must show everything without scrolling sideways and
pass axe. Screenshots go to tests/e2e/artifacts/ (git-ignored).
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from routes import services
from routes.models import Route
from students import services as student_services
from tests.e2e.keyboard import tab_to
from tests.routes.conftest import (  # noqa: F401 (fixtures: a case with a route in force and a planned meeting)
    concluded,
    courses,
    in_approval,
    in_force,
    planned,
    route,
    second_lecturer,
    secretary,
)

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).parent / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}

# The elements that reach past the window's right edge, to say what to fix when the page scrolls sideways.
_OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '')
        + ' right=' + Math.round(r.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 8)};
}"""


class Display:
    def __init__(self, page, live_server, login, axe_check):
        self.page, self.live_server, self._login, self._axe = page, live_server, login, axe_check
        ARTIFACTS.mkdir(exist_ok=True)
        self.checked = []

    def as_user(self, user):
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
        self.page.context.clear_cookies()
        self.page.set_viewport_size(DESKTOP)
        self._login(self.page, self.live_server, user)
        self.user = user

    def _set(self, *, large_text: bool, high_contrast: bool):
        type(self.user).objects.filter(pk=self.user.pk).update(large_text=large_text, high_contrast=high_contrast)

    def check(self, name: str, url: str):
        """The page with large text and high contrast on a desktop, then with neither at 320 px."""
        for mode, viewport, on in (("large-contrast", DESKTOP, True), ("320px", NARROW, False)):
            self._set(large_text=on, high_contrast=on)
            self.page.set_viewport_size(viewport)
            response = self.page.goto(url)
            assert response.status == 200, f"{name}: {url} answered {response.status}"
            self.page.wait_for_load_state()
            classes = self.page.evaluate("document.documentElement.className")
            assert ("large-text" in classes and "high-contrast" in classes) is on, f"{name} ({mode}): {classes!r}"
            self.page.screenshot(path=str(ARTIFACTS / f"display-{name}-{mode}.png"), full_page=True)
            measure = self.page.evaluate(_OVERFLOW_JS)
            assert measure["scrollWidth"] <= measure["innerWidth"], (
                f"{name} ({mode}) scrolls sideways: {measure['scrollWidth']} > {measure['innerWidth']} px; "
                f"too wide: {measure['wide']}"
            )
            self._axe(self.page)
            self.checked.append((name, mode))
        self._set(large_text=False, high_contrast=False)


def test_main_pages_fit_with_large_text_high_contrast_and_at_320px(
    page,
    live_server,
    login,
    axe_check,
    student,
    other_student,
    specialist,
    centre_head,
    lecturer,
    second_lecturer,  # noqa: F811
    administration,
    auditor,
    planned,  # noqa: F811
):
    display = Display(page, live_server, login, axe_check)
    route_in_force = planned.items.get().route
    application = route_in_force.application
    case = f"/applications/{application.public_id}/"

    # The student: home, applications, the case page, the route in force; the application form on a draft of theirs.
    display.as_user(student)
    display.check("student-home", "/")
    display.check("student-applications", "/applications/")
    display.check("student-case", case)
    display.check("student-route", f"/routes/{route_in_force.pk}/")
    display.check("student-start", "/applications/new/")
    draft = student_services.application_start(actor=other_student, student=other_student.student)
    display.as_user(other_student)
    display.check("application-form", f"/applications/{draft.public_id}/edit/")
    display.check("account", "/accounts/me/")

    # The centre head: inbox, the case, the meeting, the register, the dashboard.
    display.as_user(centre_head)
    display.check("centre-inbox", "/centre/inbox/")
    display.check("centre-case", case)
    display.check("meeting", f"/meetings/{planned.pk}/")
    display.check("meetings", "/meetings/")
    display.check("register", "/documents/register/")
    display.check("dashboard", "/centre/dashboard/")

    # The specialist revises the route: the route editor on the new draft version.
    review = services.route_review(
        route=route_in_force,
        actor=specialist,
        reason="scheduled",
        outcome="revise",
        comment="Update for the second term.",
    )
    new = Route.objects.get(previous=review.route)
    display.as_user(specialist)
    display.check("route-editor", f"/routes/{new.pk}/edit/")

    # The lecturers' list and answer page, once the new version is sent.
    new.refresh_from_db()
    services.route_send_for_agreement(route=new, actor=specialist, revision=new.revision)
    display.as_user(lecturer)
    display.check("lecturer-agreements", "/routes/agreements/")
    display.check("lecturer-route", f"/routes/{new.pk}/")

    # The administration's queue and the route waiting for approval.
    for person in (lecturer, second_lecturer):
        agreement = new.agreements.get(lecturer=person, status="pending")
        services.agreement_answer(agreement=agreement, actor=person, decision="agreed", comment="")
    display.as_user(administration)
    display.check("approval-queue", "/routes/approvals/")
    display.check("approval-route", f"/routes/{new.pk}/")
    display.check("reports", "/reports/")

    display.as_user(auditor)
    display.check("auditor-register", "/documents/register/")

    assert len(display.checked) == 2 * 20


def test_the_settings_are_reached_from_the_header_and_change_the_page(page, live_server, login, axe_check, student):
    """Keyboard only: header → My account → tick both boxes → save; the classes appear and stay after sign-in."""
    student.preferred_language = "en"
    student.save(update_fields=["preferred_language"])
    login(page, live_server, student)
    tab_to(page, "nav a[href='/accounts/me/']")
    page.keyboard.press("Enter")
    expect(page.locator("#display")).to_be_visible()
    tab_to(page, "input[name=display-large_text]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=display-high_contrast]")
    page.keyboard.press("Space")
    tab_to(page, "button[name=display]")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class("large-text high-contrast")
    expect(page.locator(".notification--success")).to_be_visible()
    axe_check(page)
    page.screenshot(path=str(ARTIFACTS / "display-settings-saved.png"), full_page=True)
    root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root >= 20  # 137.5 % of 16 px = 22 px
    student.refresh_from_db()
    assert student.large_text and student.high_contrast

    # Remembered per user: a fresh browser, signed in again, gets the same page.
    page.context.clear_cookies()
    login(page, live_server, student)
    expect(page.locator("html")).to_have_class("large-text high-contrast")
