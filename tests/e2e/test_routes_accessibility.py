"""The route's pages in a real browser, for every role that uses them, with axe on each, error states included."""

import re

import pytest
from playwright.sync_api import expect

from routes import services as route_services
from routes.models import Agreement, Route
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


def _concluded_case(student, specialist, centre_head, term):
    application = services.application_register(application=submitted_application(student), actor=centre_head)
    return conclude_case(
        application, centre_head=centre_head, specialist=specialist, adaptations=("extra_time", "psychologist")
    )


def test_route_pages_pass_axe_for_every_role(
    page, live_server, login, axe_check, student, specialist, centre_head, lecturer, administration, term
):
    second_lecturer = UserFactory(roles=["lecturer"], full_name="Оқытушы Екінші")
    second_course = CourseFactory()
    TeachingAssignmentFactory(lecturer=second_lecturer, course=second_course, term=term)
    for course in (lecturer.teaching_assignments.get().course, second_course):
        EnrolmentFactory(student=student.student, course=course, term=term)
    application = _concluded_case(student, specialist, centre_head, term)

    # The specialist drafts the route from the case page and fills it in the editor.
    login(page, live_server, specialist)
    page.goto(f"/applications/{application.public_id}/")
    axe_check(page)
    page.select_option("#id_academic_year", value=term.academic_year)
    page.locator("form[action$='/route/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/routes/\d+/edit/$"))
    axe_check(page)
    route = Route.objects.get()

    # A support row is added without reloading the page: the rest of the page keeps what was typed.
    page.locator("#id_goals").fill("Goals typed before adding a row")
    page.locator("#id_measure-who").fill("Tutor")
    page.locator("#id_measure-what").fill("Weekly meeting")
    page.locator("form[action$='/measures/add/'] button[type=submit]").click()
    expect(page.locator("#measures table")).to_contain_text("Weekly meeting")
    expect(page.locator("#id_goals")).to_have_value("Goals typed before adding a row")
    page.locator("form[action$='/measures/add/'] button[type=submit]").click()  # empty: refused in place
    expect(page.locator("#measures .error-summary")).to_be_visible()
    axe_check(page)

    # The goals typed above are not saved: the browser asks before the page is left, and the person leaves.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/send/'] button[type=submit]").click()  # goals not saved yet: refused
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("#id_goals").fill("Reach the learning outcomes")
    page.locator("form[action$='/edit/'] button[type=submit]").click()
    expect(page.locator("#general-part [data-saved-note]")).to_be_visible()  # saved alone, without a reload
    page.locator("form[action$='/send/'] button[type=submit]").click()
    expect(page.locator(".tag--route-in_agreement")).to_be_visible()
    axe_check(page)

    # The first lecturer asks for changes: the comment is required.
    page.context.clear_cookies()
    login(page, live_server, lecturer)
    page.goto("/routes/agreements/")
    axe_check(page)
    page.locator("main table a").first.click()
    axe_check(page)
    page.locator("input[name=decision][value=changes]").check()
    page.locator("form[action*='/answer/'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("textarea[name=comment]").fill("Oral exam, please")
    page.locator("input[name=decision][value=changes]").check()
    page.locator("form[action*='/answer/'] button[type=submit]").click()
    expect(page.locator(".tag--route-draft")).to_be_visible()

    # The specialist amends the section and sends again; both lecturers agree; the administration approves.
    route.refresh_from_db()
    section = route.sections.get(lecturer=lecturer)
    page.context.clear_cookies()
    login(page, live_server, specialist)
    page.goto(f"/routes/{route.pk}/edit/")
    page.locator(f"#id_s{section.pk}-assessment_forms").fill("Oral exam")
    page.locator(f"form[action$='/sections/{section.pk}/'] button[type=submit]").click()
    expect(page.locator(f"#section-{section.pk} [data-saved-note]")).to_be_visible()
    page.locator("form[action$='/send/'] button[type=submit]").click()
    expect(page.locator(".tag--route-in_agreement")).to_be_visible()
    for agreement in Agreement.objects.filter(route=route, status="pending").select_related("lecturer"):
        route_services.agreement_answer(agreement=agreement, actor=agreement.lecturer, decision="agreed", comment="")

    page.context.clear_cookies()
    login(page, live_server, administration)
    page.goto("/routes/approvals/")
    axe_check(page)
    page.locator("main table a").first.click()
    axe_check(page)
    page.goto(f"/routes/{route.pk}/return/")
    page.locator("main form button[type=submit]").first.click()  # no reason: refused
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.goto(f"/routes/{route.pk}/")
    # Approval registers the route and renders its PDFs in the request (no worker here): slow on a busy machine.
    page.locator("form[action$='/approve/'] button[type=submit]").click(timeout=60_000)
    expect(page.locator(".tag--route-in_force")).to_be_visible(timeout=60_000)

    # The student reads the route in force and tells the centre their needs changed.
    page.context.clear_cookies()
    login(page, live_server, student)
    page.goto(f"/routes/{route.pk}/")
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)
    page.goto(f"/applications/{application.public_id}/changed-needs/")
    page.locator("main form button[type=submit]").click()  # empty: refused
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("#id_text").fill("My sight got worse")
    page.locator("main form button[type=submit]").click()
    axe_check(page)

    # The specialist reviews it; the centre head sees the close-case page.
    page.context.clear_cookies()
    login(page, live_server, specialist)
    page.goto(f"/routes/{route.pk}/review/")
    axe_check(page)
    page.context.clear_cookies()
    login(page, live_server, centre_head)
    page.goto(f"/applications/{application.public_id}/close/")
    axe_check(page)
    page.goto("/centre/dashboard/")
    expect(page.locator("svg").first).to_be_visible()
    axe_check(page)
    page.goto("/reports/")
    axe_check(page)
    page.goto("/reports/?term=999999")  # a filter that does not exist: the error summary
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.context.clear_cookies()
    login(page, live_server, administration)
    page.goto("/reports/")
    axe_check(page)
