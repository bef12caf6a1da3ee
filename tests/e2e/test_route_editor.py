"""The route editor never loses typed text: each part saves on its own (htmx), the other parts keep what was typed
and save afterwards, and leaving the page with changes not saved asks first."""

import re

import pytest
from playwright.sync_api import expect

from routes import services as route_services
from routes.models import Route
from students import services
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    TeachingAssignmentFactory,
    UserFactory,
    conclude_case,
    submitted_application,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def draft_route(student, specialist, centre_head, lecturer, term) -> Route:
    second_lecturer = UserFactory(roles=["lecturer"], full_name="Оқытушы Екінші")
    second_course = CourseFactory(name_en="Mathematics")
    TeachingAssignmentFactory(lecturer=second_lecturer, course=second_course, term=term)
    for course in (lecturer.teaching_assignments.get().course, second_course):
        EnrolmentFactory(student=student.student, course=course, term=term)
    application = services.application_register(application=submitted_application(student), actor=centre_head)
    conclude_case(application, centre_head=centre_head, specialist=specialist, adaptations=("extra_time",))
    return route_services.route_draft(
        application=application, actor=specialist, academic_year=term.academic_year, term=term
    )


def _type(locator, text: str) -> None:
    """Click and type as a person does (a real key press also gives the page the user activation that
    beforeunload prompts require)."""
    locator.click()
    locator.press("Control+a")
    locator.press_sequentially(text)


def test_saving_one_part_keeps_what_was_typed_in_another(page, live_server, login, axe_check, draft_route, specialist):
    first, second = draft_route.sections.order_by("order")
    login(page, live_server, specialist)
    page.context.add_cookies([{"name": "language", "value": "en", "url": live_server.url}])
    page.goto(f"/routes/{draft_route.pk}/edit/")
    section = page.locator(f"#section-{second.pk}")
    section_field = page.locator(f"#id_s{second.pk}-assessment_forms")
    note = section.locator("[data-unsaved-note]")
    expect(note).to_be_hidden()

    # Typed in two parts; only the general part is saved.
    _type(section_field, "An oral answer in the midterm")
    expect(note).to_be_visible()  # the part says it holds changes not saved
    _type(page.locator("#id_goals"), "Complete the term with the agreed adaptations")
    page.locator("#general-part button[type=submit]").click()
    expect(page.locator("#general-part [data-saved-note]")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/routes/{draft_route.pk}/edit/$"))  # no reload
    expect(section_field).to_have_value("An oral answer in the midterm")  # the other part kept its text
    expect(note).to_be_visible()
    draft_route.refresh_from_db()
    assert draft_route.goals == "Complete the term with the agreed adaptations"
    axe_check(page)

    # Leaving now would lose the section's text: the browser asks, and staying keeps everything.
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator(f"main a[href='/routes/{draft_route.pk}/']").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(rf"/routes/{draft_route.pk}/edit/$"))
    expect(section_field).to_have_value("An oral answer in the midterm")

    # The section saves too: the page gave its form the route's new revision, so it is not refused as stale.
    section.locator("button[type=submit]").first.click()
    expect(section.locator("[data-saved-note]")).to_be_visible()
    expect(page.locator(f"#section-{second.pk} .error-summary")).to_have_count(0)
    second.refresh_from_db()
    assert second.assessment_forms == "An oral answer in the midterm"
    first.refresh_from_db()
    assert first.assessment_forms != "An oral answer in the midterm"
    expect(page.locator(f"#section-{second.pk} [data-unsaved-note]")).to_be_hidden()

    # Invalid input is refused inside its part (422), next to the field, and what was typed stays.
    page.locator("#id_first_review_on").fill("2027-03-01")
    page.locator("#id_second_review_on").fill("2027-02-01")
    page.locator("#general-part button[type=submit]").click()
    expect(page.locator("#general-part .error-summary")).to_be_visible()
    expect(page.locator("#general-part")).to_contain_text("The second review comes after the first.")
    expect(page.locator("#id_goals")).to_have_value("Complete the term with the agreed adaptations")
    axe_check(page)
    page.locator("#id_second_review_on").fill("2027-04-01")
    page.locator("#general-part button[type=submit]").click()
    expect(page.locator("#general-part [data-saved-note]")).to_be_visible()

    # Nothing left unsaved: leaving asks nothing.
    dialogs.clear()
    page.locator(f"main a[href='/routes/{draft_route.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/routes/{draft_route.pk}/$"))
    assert dialogs == []
    draft_route.refresh_from_db()
    assert str(draft_route.second_review_on) == "2027-04-01"
