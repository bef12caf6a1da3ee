"""The route's services: drafting, agreement per course, approval, reviews and revisions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import StatusChange
from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import Notification
from routes import services
from routes.models import Agreement, ChangedNeedsReport, Route, RouteReview
from students.models import Application

from .conftest import agreement_of, send

pytestmark = pytest.mark.django_db

R = Route.Status
A = Agreement.Status


# --- Drafting -----------------------------------------------------------------------------------------------


def test_draft_is_prefilled_from_the_conclusion_and_the_enrolments(
    route, courses, lecturer, second_lecturer, specialist
):
    sections = list(route.sections.order_by("order"))
    assert {(s.course, s.lecturer) for s in sections} == {(courses[0], lecturer), (courses[1], second_lecturer)}
    assert all("+25%" in s.assessment_forms for s in sections)  # extra_time is a form of assessment
    assert "Ірі қаріп" in route.methods  # large print: a format of materials
    assert route.timetable.strip()  # extra breaks
    measure = route.measures.get()
    assert measure.who == specialist.full_name and "психолог" in measure.what.lower()
    assert route.support_level == "2"
    assert route.first_review_on == route.term.ends_on
    assert route.history.earliest().history_user == specialist
    assert StatusChange.objects.filter(object_id=route.pk, content_type__model="route", to_status=R.DRAFT).exists()


def test_only_the_case_authors_draft_and_only_once(concluded, term, lecturer, student, administration, specialist):
    for actor in (lecturer, student, administration):
        with pytest.raises(PermissionDenied):
            services.route_draft(application=concluded, actor=actor, academic_year=term.academic_year, term=None)
    services.route_draft(application=concluded, actor=specialist, academic_year=term.academic_year, term=None)
    with pytest.raises(ValidationError):
        services.route_draft(application=concluded, actor=specialist, academic_year=term.academic_year, term=None)
    assert Route.objects.filter(application=concluded).count() == 1


def test_a_route_needs_a_concluded_case(registered, specialist, centre_head, term):
    with pytest.raises(PermissionDenied):
        services.route_draft(application=registered, actor=centre_head, academic_year=term.academic_year, term=None)
    assert not Route.objects.exists()


def test_a_stale_form_is_refused(route, specialist, centre_head):
    old = route.revision
    services.route_update(route=route, actor=centre_head, revision=old, goals="Жаңа мақсат")
    with pytest.raises(IllegalMove):
        services.route_update(route=route, actor=specialist, revision=old, goals="Ескі форма")
    route.refresh_from_db()
    assert route.goals == "Жаңа мақсат"


def test_sections_are_added_and_removed_with_a_reason(route, specialist, term, student, lecturer):
    from tests.factories import CourseFactory

    extra = CourseFactory(name_kk="Физика")
    with pytest.raises(ValidationError):
        services.section_add(
            route=route, actor=specialist, revision=route.revision, course=extra, term=term, lecturer=student
        )
    route.refresh_from_db()
    section = services.section_add(
        route=route, actor=specialist, revision=route.revision, course=extra, term=term, lecturer=lecturer
    )
    assert section.added_manually
    route.refresh_from_db()
    with pytest.raises(ValidationError):
        services.section_remove(section=section, actor=specialist, revision=route.revision, reason=" ")
    services.section_remove(section=section, actor=specialist, revision=route.revision, reason="Пәннен бас тартты")
    section.refresh_from_db()
    assert not section.is_active and section.removal_reason == "Пәннен бас тартты"


def test_sending_needs_a_complete_route(concluded, specialist, term):
    route = services.route_draft(application=concluded, actor=specialist, academic_year=term.academic_year, term=None)
    with pytest.raises(ValidationError) as error:
        send(route, specialist)
    assert "no_goals" in {e.code for e in error.value.error_list}
    route.refresh_from_db()
    assert route.status == R.DRAFT and not route.agreements.exists()


# --- Agreement ----------------------------------------------------------------------------------------------


def test_sending_asks_each_lecturer_about_their_section(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    assert sent.status == R.IN_AGREEMENT
    agreements = list(sent.agreements.all())
    assert {a.lecturer for a in agreements} == {lecturer, second_lecturer}
    assert all(a.status == A.PENDING and a.round == 1 and a.due_on > datetime.date.today() for a in agreements)
    assert Notification.objects.filter(kind="route_agreement_requested", recipient=lecturer).count() == 1
    assert Notification.objects.filter(kind="route_agreement_requested", recipient=second_lecturer).count() == 1


def test_a_lecturer_answers_only_their_own_section(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    with pytest.raises(PermissionDenied):
        services.agreement_answer(
            agreement=agreement_of(sent, second_lecturer), actor=lecturer, decision="agreed", comment=""
        )
    with pytest.raises(ValidationError):
        services.agreement_answer(
            agreement=agreement_of(sent, lecturer), actor=lecturer, decision="changes", comment=""
        )
    assert not sent.agreements.exclude(status=A.PENDING).exists()


def test_changes_requested_go_back_and_only_changed_sections_are_asked_again(
    route, specialist, lecturer, second_lecturer
):
    sent = send(route, specialist)
    services.agreement_answer(
        agreement=agreement_of(sent, second_lecturer), actor=second_lecturer, decision="agreed", comment=""
    )
    services.agreement_answer(
        agreement=agreement_of(sent, lecturer), actor=lecturer, decision="changes", comment="Ауызша емтихан керек"
    )
    sent.refresh_from_db()
    assert sent.status == R.DRAFT
    assert Notification.objects.filter(kind="route_changes_requested", recipient=specialist).exists()
    section = sent.sections.get(lecturer=lecturer)
    services.section_update(
        section=section,
        actor=specialist,
        revision=sent.revision,
        content_adaptation=section.content_adaptation,
        methods=section.methods,
        assessment_forms="Ауызша емтихан",
    )
    again = send(sent, specialist)
    assert again.status == R.IN_AGREEMENT and again.agreement_round == 2
    kept = again.agreements.get(lecturer=second_lecturer, status=A.AGREED)
    assert kept.round == 1
    asked = again.agreements.get(lecturer=lecturer, status=A.PENDING)
    assert asked.round == 2
    old = again.agreements.get(lecturer=lecturer, status=A.WITHDRAWN)
    assert old.comment == "Ауызша емтихан керек"  # the lecturer's comment stays visible
    change = StatusChange.objects.filter(object_id=again.pk, content_type__model="route").latest("pk")
    assert section.course.name in change.comment
    assert Notification.objects.filter(kind="route_agreement_requested", recipient=second_lecturer).count() == 1
    assert Notification.objects.filter(kind="route_agreement_requested", recipient=lecturer).count() == 2


def test_a_change_of_the_general_part_asks_everyone_again(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    services.agreement_answer(agreement=agreement_of(sent, lecturer), actor=lecturer, decision="agreed", comment="")
    services.route_withdraw_from_agreement(route=sent, actor=specialist, reason="Мақсатты нақтылау")
    sent.refresh_from_db()
    services.route_update(route=sent, actor=specialist, revision=sent.revision, goals="Басқа мақсат")
    again = send(sent, specialist)
    assert again.agreements.filter(status=A.PENDING).count() == 2
    assert again.agreements.get(lecturer=lecturer, status=A.WITHDRAWN).withdrawn_reason


def test_the_last_agreement_sends_the_route_for_approval(administration, in_approval, specialist):
    assert in_approval.status == R.IN_APPROVAL
    assert in_approval.sent_for_approval_at is not None
    assert Notification.objects.filter(kind="route_in_approval", recipient=administration).exists()


def test_an_answer_after_the_route_was_taken_back_is_refused(route, specialist, lecturer):
    sent = send(route, specialist)
    services.route_withdraw_from_agreement(route=sent, actor=specialist, reason="Қате")
    # The open question was set aside with the route (issue 26): the lecturer's old form answers nothing.
    question = sent.agreements.filter(lecturer=lecturer).latest("pk")
    with pytest.raises(IllegalMove):
        services.agreement_answer(agreement=question, actor=lecturer, decision="agreed", comment="")


# --- Approval -----------------------------------------------------------------------------------------------


def test_approval_registers_and_notifies(in_force, student, lecturer, specialist):
    assert in_force.status == R.IN_FORCE
    assert in_force.registration_number.startswith("ЖББМ-")
    assert in_force.approved_at is not None
    assert Notification.objects.filter(kind="route_approved_student", recipient=student).exists()
    assert Notification.objects.filter(kind="route_approved", recipient=lecturer).exists()
    assert Notification.objects.filter(kind="route_approved", recipient=specialist).exists()


def test_only_administration_approves_or_returns(in_approval, specialist, centre_head, administration):
    for actor in (specialist, centre_head):
        with pytest.raises(PermissionDenied):
            services.route_approve(route=in_approval, actor=actor)
    with pytest.raises(ValidationError):
        services.route_return(route=in_approval, actor=administration, reason="")
    returned = services.route_return(route=in_approval, actor=administration, reason="Кесте көрсетілмеген")
    assert returned.status == R.DRAFT and returned.registration_number is None
    assert Notification.objects.filter(kind="route_returned", recipient=specialist).exists()
    with pytest.raises(IllegalMove):
        services.route_approve(route=returned, actor=administration)


# --- Life of the route --------------------------------------------------------------------------------------


def test_a_revision_supersedes_the_old_version_once_approved(
    in_force, specialist, lecturer, second_lecturer, administration
):
    with pytest.raises(ValidationError):
        services.route_review(route=in_force, actor=specialist, reason="scheduled", outcome="revise", comment="")
    review = services.route_review(
        route=in_force, actor=specialist, reason="scheduled", outcome="revise", comment="Жаңа семестр"
    )
    in_force.refresh_from_db()
    assert in_force.status == R.UNDER_REVIEW
    new = in_force.next_version
    assert new.version == 2 and new.status == R.DRAFT and new.revision_reason == "Жаңа семестр"
    assert new.sections.count() == 2 and new.measures.count() == 1
    assert review.outcome == RouteReview.Outcome.REVISE
    sent = send(new, specialist)
    for person in (lecturer, second_lecturer):
        services.agreement_answer(agreement=agreement_of(sent, person), actor=person, decision="agreed", comment="")
    approved = services.route_approve(route=sent, actor=administration)
    in_force.refresh_from_db()
    assert approved.status == R.IN_FORCE
    assert in_force.status == R.SUPERSEDED
    assert in_force.agreements.filter(status=A.AGREED).count() == 2  # the old version keeps its agreements


def test_a_cancelled_revision_leaves_the_old_version_in_force(in_force, specialist):
    services.route_review(route=in_force, actor=specialist, reason="scheduled", outcome="revise", comment="Өзгеріс")
    in_force.refresh_from_db()
    with pytest.raises(ValidationError):
        services.route_cancel(route=in_force.next_version, actor=specialist, reason="")
    services.route_cancel(route=in_force.next_version, actor=specialist, reason="Қажет емес")
    in_force.refresh_from_db()
    assert in_force.status == R.IN_FORCE
    assert in_force.next_version.status == R.CANCELLED


def test_changed_needs_are_reported_and_answered_by_a_review(in_force, student, specialist, centre_head, lecturer):
    application = in_force.application
    with pytest.raises(PermissionDenied):
        services.changed_needs_report(application=application, actor=lecturer, text="…")
    with pytest.raises(ValidationError):
        services.changed_needs_report(application=application, actor=student, text="  ")
    report = services.changed_needs_report(application=application, actor=student, text="Көруім нашарлады")
    assert Notification.objects.filter(kind="changed_needs", recipient=specialist).exists()
    assert Notification.objects.filter(kind="changed_needs", recipient=centre_head).exists()
    review = services.route_review(
        route=in_force, actor=specialist, reason="changed_needs", outcome="continue", comment=""
    )
    report.refresh_from_db()
    assert report.review == review
    assert ChangedNeedsReport.objects.filter(review__isnull=True).count() == 0


def test_closing_the_case_completes_the_route(in_force, centre_head, specialist, student):
    with pytest.raises(PermissionDenied):
        services.case_close(application=in_force.application, actor=specialist, reason="Бітірді")
    closed = services.case_close(application=in_force.application, actor=centre_head, reason="Бітірді")
    in_force.refresh_from_db()
    assert closed.status == Application.Status.CLOSED
    assert in_force.status == R.COMPLETED and in_force.closed_reason == "Бітірді"
    assert Notification.objects.filter(kind="case_closed", recipient=student).exists()


def test_completing_a_route_at_review(in_force, specialist):
    services.route_review(route=in_force, actor=specialist, reason="scheduled", outcome="complete", comment="Қажет жоқ")
    in_force.refresh_from_db()
    assert in_force.status == R.COMPLETED


def test_withdrawn_consent_stops_sending(route, specialist, student):
    from students import services as application_services

    application_services.consent_withdraw(application=route.application, actor=student)
    with pytest.raises(ValidationError):
        send(route, specialist)
    route.refresh_from_db()
    assert route.status == R.DRAFT
