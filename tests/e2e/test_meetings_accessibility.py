"""The team meeting pages in a real browser, for every role that uses them, with axe on each, error states included."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routes import services as route_services
from routes.models import Agreement, Protocol, TeamMeeting
from tests.factories import CourseFactory, EnrolmentFactory, TeachingAssignmentFactory, UserFactory

from . import test_routes_accessibility as routes_e2e

pytestmark = pytest.mark.e2e


def _route_in_force(student, specialist, centre_head, administration, term, lecturer):
    second = UserFactory(roles=["lecturer"], full_name="Оқытушы Екінші")
    course = CourseFactory()
    TeachingAssignmentFactory(lecturer=second, course=course, term=term)
    for taught in (lecturer.teaching_assignments.get().course, course):
        EnrolmentFactory(student=student.student, course=taught, term=term)
    application = routes_e2e._concluded_case(student, specialist, centre_head, term)
    route = route_services.route_draft(
        application=application, actor=specialist, academic_year=term.academic_year, term=term
    )
    route = route_services.route_update(route=route, actor=specialist, revision=route.revision, goals="Goals")
    route_services.measure_add(
        route=route, actor=specialist, who="Tutor", what="Weekly meeting", frequency="", until=None
    )
    route.refresh_from_db()
    route = route_services.route_send_for_agreement(route=route, actor=specialist, revision=route.revision)
    for agreement in Agreement.objects.filter(route=route, status="pending").select_related("lecturer"):
        route_services.agreement_answer(agreement=agreement, actor=agreement.lecturer, decision="agreed", comment="")
    route.refresh_from_db()
    return route_services.route_approve(route=route, actor=administration)


def _switch(page, login, live_server, user):
    page.context.clear_cookies()
    login(page, live_server, user)


def test_meeting_pages_pass_axe_for_every_role(
    page, live_server, login, axe_check, student, specialist, centre_head, lecturer, administration, term
):
    route = _route_in_force(student, specialist, centre_head, administration, term, lecturer)
    secretary = UserFactory(roles=["specialist"], full_name="Хатшы Маманова")

    # The centre head plans the meeting: an empty form is refused in place, then a good one.
    login(page, live_server, centre_head)
    page.goto("/meetings/")
    axe_check(page)
    page.locator("main a[href='/meetings/new/']").click()
    axe_check(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    day = timezone.localdate() + datetime.timedelta(days=1)
    page.locator("#id_date").fill(day.isoformat())
    page.locator("#id_starts").fill("10:00")
    page.locator("#id_ends").fill("11:30")
    page.locator("#id_place").fill("Main building, room 204")
    page.select_option("#id_chair", value=str(centre_head.pk))
    page.select_option("#id_secretary", value=str(secretary.pk))
    page.locator(f"input[name=members][value='{specialist.pk}']").check()
    page.locator("main form button[type=submit]").click()
    meeting = TeamMeeting.objects.get()
    expect(page).to_have_url(re.compile(f"/meetings/{meeting.pk}/edit/$"))
    axe_check(page)

    # A question is added without reloading: what was typed in the meeting form stays.
    page.locator("#id_place").fill("Typed before adding a question")
    page.select_option("#id_item-route", value=str(route.pk))
    page.select_option("#id_item-topic", value="measures")
    page.locator("#id_item-invite_student").check()
    page.locator("#id_item-invite_lecturers").check()
    page.locator("form[action$='/items/add/'] button[type=submit]").click()
    expect(page.locator("#agenda table")).to_contain_text(student.full_name)
    expect(page.locator("#members table")).to_contain_text(student.full_name)
    expect(page.locator("#id_place")).to_have_value("Typed before adding a question")
    page.locator("form[action$='/items/add/'] button[type=submit]").click()  # empty: refused in place
    expect(page.locator("#agenda .error-summary")).to_be_visible()
    axe_check(page)
    page.goto(f"/meetings/{meeting.pk}/")
    axe_check(page)

    # The student answers: no answer is refused, then they confirm.
    _switch(page, login, live_server, student)
    page.goto(f"/meetings/{meeting.pk}/")
    axe_check(page)
    page.locator("form[action$='/answer/'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("input[name=rsvp-answer][value=confirmed]").check()
    page.locator("form[action$='/answer/'] button[type=submit]").click()
    expect(page.locator(".notification--success")).to_be_visible()

    # The meeting took place an hour ago; the secretary writes the protocol.
    start = timezone.now() - datetime.timedelta(hours=1)
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    _switch(page, login, live_server, secretary)
    page.goto(f"/meetings/{meeting.pk}/")
    page.locator("form[action$='/hold/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"/meetings/{meeting.pk}/protocol/$"))
    axe_check(page)
    protocol = Protocol.objects.get(meeting=meeting)
    record = protocol.records.get()
    for row in protocol.attendance.all():
        page.select_option(f"#id_a{row.pk}-presence", value="present")
    page.locator(f"#id_r{record.pk}-heard").fill("The psychologist reported.")
    page.locator(f"#id_r{record.pk}-decision").fill("Approve the support measures.")
    page.locator(f"input[name=r{record.pk}-outcome][value=approve_measures]").check()
    page.locator(f"#id_r{record.pk}-votes_for").fill("40")  # more than were present: refused
    page.locator("main form[action$='/protocol/'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator(f"input[name=r{record.pk}-measures]").first.check()
    page.locator(f"#id_r{record.pk}-votes_for").fill("4")
    page.locator("main form[action$='/protocol/'] button[type=submit]").click()
    expect(page.locator(".notification--success")).to_be_visible()
    page.locator("form[action$='/sign/'] button[type=submit]").click()
    expect(page.locator(".notification--success")).to_be_visible()
    axe_check(page)

    # The chair reads and signs: the protocol is registered.
    _switch(page, login, live_server, centre_head)
    page.goto(f"/protocols/{protocol.pk}/")
    axe_check(page)
    page.locator("form[action$='/sign/'] button[type=submit]").click()
    expect(page.locator(".tag--protocol-signed")).to_be_visible()
    axe_check(page)

    # A lecturer and the student read what they may; the route shows the decision.
    _switch(page, login, live_server, lecturer)
    page.goto(f"/protocols/{protocol.pk}/")
    expect(page.locator("main")).to_contain_text("Approve the support measures.")
    expect(page.locator("main")).not_to_contain_text("The psychologist reported.")
    axe_check(page)
    page.goto(f"/routes/{route.pk}/")
    expect(page.locator("main")).to_contain_text("Approve the support measures.")
    axe_check(page)
    _switch(page, login, live_server, student)
    page.goto(f"/protocols/{protocol.pk}/")
    axe_check(page)
    page.goto(f"/applications/{route.application.public_id}/")
    expect(page.locator(f"main a[href='/meetings/{meeting.pk}/']")).to_be_visible()
    axe_check(page)

    # The secretary starts a correction: a reason is required.
    _switch(page, login, live_server, secretary)
    page.goto(f"/meetings/{meeting.pk}/correct/")
    axe_check(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("#id_reason").fill("The vote was recorded wrongly.")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"/meetings/{meeting.pk}/protocol/$"))
    expect(page.locator(".error-summary")).to_have_count(0)
    axe_check(page)
    page.goto("/meetings/?tab=awaiting")
    axe_check(page)
    page.goto("/meetings/?tab=past")
    axe_check(page)
    page.goto("/")
    axe_check(page)
