"""Letters of accommodations in a real browser, with axe: the lecturer's list, the letter and its acknowledgement;
the centre head's list with a filter."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routes import services as route_services
from routes.models import AccommodationLetter
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


def _route_in_force(student, specialist, centre_head, lecturer, administration, term):
    EnrolmentFactory(student=student.student, course=lecturer.teaching_assignments.get().course, term=term)
    application = services.application_register(application=submitted_application(student), actor=centre_head)
    conclude_case(application, centre_head=centre_head, specialist=specialist, adaptations=("extra_time",))
    route = route_services.route_draft(
        application=application, actor=specialist, academic_year=term.academic_year, term=term
    )
    route = route_services.route_update(route=route, actor=specialist, revision=route.revision, goals="Мақсат")
    route = route_services.route_send_for_agreement(route=route, actor=specialist, revision=route.revision)
    agreement = route.agreements.get(lecturer=lecturer)
    route_services.agreement_answer(agreement=agreement, actor=lecturer, decision="agreed", comment="")
    route.refresh_from_db()
    return route_services.route_approve(route=route, actor=administration)


def test_letters_pass_axe_for_the_lecturer_and_the_centre_head(
    page, live_server, login, axe_check, student, specialist, centre_head, lecturer, administration, term
):
    term.ends_on = timezone.localdate() + datetime.timedelta(days=60)
    term.save()
    route = _route_in_force(student, specialist, centre_head, lecturer, administration, term)
    new_lecturer = UserFactory(roles=["lecturer"], full_name="Оқытушы Жаңа")
    course = CourseFactory(name_kk="Философия")
    TeachingAssignmentFactory(lecturer=new_lecturer, course=course, term=term)
    EnrolmentFactory(student=student.student, course=course, term=term)
    route_services.sections_follow_enrolments(route=route, actor=None)

    login(page, live_server, new_lecturer)
    page.goto("/routes/letters/")
    expect(page.locator("table caption")).to_be_visible()
    axe_check(page)
    page.locator("tbody a").first.click()
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=status]").first).to_be_visible()
    axe_check(page)
    assert AccommodationLetter.objects.get().status == "acknowledged"

    page.context.clear_cookies()
    login(page, live_server, centre_head)
    page.goto("/routes/letters/?status=sent")
    expect(page.locator(".empty-state")).to_be_visible()
    axe_check(page)
    page.goto("/routes/letters/?status=acknowledged")
    expect(page.locator("tbody tr")).to_have_count(1)
    axe_check(page)
