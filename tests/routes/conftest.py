"""A concluded case whose student takes two courses taught by two lecturers: where a route starts."""

import pytest

from routes import services
from routes.models import Adaptation
from tests.factories import CourseFactory, EnrolmentFactory, TeachingAssignmentFactory, UserFactory

HEALTH = "MARKER-FINDINGS"


@pytest.fixture
def second_lecturer(db, term):
    return UserFactory(roles=["lecturer"], full_name="Оқытушы Екінші")


@pytest.fixture
def courses(student, lecturer, second_lecturer, term):
    """The lecturer's course and one of the second lecturer's; the student is enrolled in both."""
    first = lecturer.teaching_assignments.get(term=term).course
    second = CourseFactory(name_kk="Математика", name_en="Mathematics")
    TeachingAssignmentFactory(lecturer=second_lecturer, course=second, term=term)
    for course in (first, second):
        EnrolmentFactory(student=student.student, course=course, term=term)
    return first, second


@pytest.fixture
def concluded(registered, specialist, centre_head, courses):
    assignment = services.assignment_add(
        application=registered, specialist=specialist, area="cognitive", actor=centre_head
    )
    services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings=f"Оқу жылдамдығы төмен. {HEALTH}",
        strengths="",
        barriers="",
        adaptations=list(Adaptation.objects.filter(code__in=["extra_time", "large_print", "psychologist", "breaks"])),
        free_texts=[],
    )
    services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    conclusion = services.conclusion_draft(application=registered, actor=specialist)
    services.conclusion_update(
        conclusion=conclusion,
        actor=specialist,
        analysis=f"Талдау. {HEALTH}",
        support_level="2",
        revision_reason="",
        keep_items=list(conclusion.items.values_list("pk", flat=True)),
    )
    services.conclusion_sign(conclusion=conclusion, actor=centre_head)
    registered.refresh_from_db()
    return registered


@pytest.fixture
def route(concluded, specialist, term):
    """A complete draft with two sections."""
    route = services.route_draft(application=concluded, actor=specialist, academic_year=term.academic_year, term=term)
    return services.route_update(route=route, actor=specialist, revision=route.revision, goals="Оқу нәтижелеріне жету")


def send(route, actor):
    route.refresh_from_db()
    return services.route_send_for_agreement(route=route, actor=actor, revision=route.revision)


def agreement_of(route, lecturer):
    return route.agreements.get(lecturer=lecturer, status="pending")


@pytest.fixture
def in_approval(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    for person in (lecturer, second_lecturer):
        services.agreement_answer(agreement=agreement_of(sent, person), actor=person, decision="agreed", comment="")
    sent.refresh_from_db()
    return sent


@pytest.fixture
def in_force(in_approval, administration):
    return services.route_approve(route=in_approval, actor=administration)


# --- Interdisciplinary team meetings ------------------------------------------------------------------------

HEARD = "MARKER-HEARD"  # planted in what was heard and in the agenda note: health information, centre staff only


@pytest.fixture
def secretary(db):
    return UserFactory(roles=["specialist"], full_name="Хатшы Маманова")


def tomorrow_at(hour: int, minute: int = 0):
    import datetime

    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def planned(in_force, centre_head, secretary, specialist, representative):
    """Tomorrow 10:00–11:30; the centre head chairs, the secretary writes; on the agenda the route in force, with
    the student, their representative and both lecturers invited."""
    meeting = services.meeting_plan(
        actor=centre_head,
        starts_at=tomorrow_at(10),
        ends_at=tomorrow_at(11, 30),
        place="Бас ғимарат, 204",
        online_link="",
        chair=centre_head,
        secretary=secretary,
        members=[specialist],
    )
    services.agenda_item_add(
        meeting=meeting,
        actor=centre_head,
        application=None,
        route=in_force,
        topic="measures",
        note=f"Көру қабілеті нашарлаған. {HEARD}",
        invite_student=True,
        invite_lecturers=True,
    )
    meeting.refresh_from_db()
    return meeting


def into_the_past(meeting):
    """The meeting took place an hour ago (a plan cannot be made in the past)."""
    import datetime

    from django.utils import timezone

    from routes.models import TeamMeeting

    start = timezone.now() - datetime.timedelta(hours=1)
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(minutes=45))
    meeting.refresh_from_db()
    return meeting


def protocol_data(protocol, *, decision="Қолдау шараларын бекіту.", outcome="approve_measures", votes=(3, 0, 0)):
    """What a secretary records: everyone present, each question decided with every measure of its route."""
    attendance = {row.pk: {"presence": "present", "reason": ""} for row in protocol.attendance.all()}
    records = {}
    for record in protocol.records.select_related("item__route"):
        measures = list(record.item.route.measures.all()) if record.item.route_id else []
        records[record.pk] = {
            "heard": f"Психолог баяндады. {HEARD}",
            "decision": decision,
            "outcome": outcome if record.item.route_id else "other",
            "measures": measures if record.item.route_id else [],
            "votes_for": votes[0],
            "votes_against": votes[1],
            "votes_abstained": votes[2],
            "dissent": "",
        }
    return attendance, records


@pytest.fixture
def held(planned, secretary):
    """Held, the protocol written (not signed)."""
    into_the_past(planned)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    attendance, records = protocol_data(protocol)
    services.protocol_save(
        protocol=protocol, actor=secretary, revision=protocol.revision, attendance=attendance, records=records
    )
    protocol.refresh_from_db()
    return protocol


@pytest.fixture
def signed(held, centre_head, secretary):
    services.protocol_sign(protocol=held, actor=secretary)
    return services.protocol_sign(protocol=held, actor=centre_head)


# --- Exam arrangements --------------------------------------------------------------------------------------


def exam_at(day: int, hour: int, minute: int = 0):
    """A moment in December 2026, inside the `term` fixture's autumn term."""
    import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(2026, 12, day, hour, minute))


@pytest.fixture
def exam_route(in_force):
    """The route in force with exam measures: +25 %, 10 minutes of breaks, a separate room and a reader."""
    in_force.exam_extra_time = 25
    in_force.exam_rest_breaks = 10
    in_force.exam_separate_room = True
    in_force.exam_reader = True
    in_force.save()
    return in_force


@pytest.fixture
def exam_session(exam_route, courses, term, exam_office):
    """A 90-minute written exam of the lecturer's course on 20 December at 10:00."""
    from routes.models import ExamSession

    return ExamSession.objects.create(
        course=courses[0], term=term, starts_at=exam_at(20, 10), duration=90, entered_by=exam_office
    )


@pytest.fixture
def rooms(db):
    from routes.models import Room

    return (
        Room.objects.create(name="A-101", capacity=1, quiet=True),
        Room.objects.create(name="B-202", capacity=3, accessible=True, computer=True),
    )


@pytest.fixture
def proposed(exam_session, specialist):
    services.arrangements_propose(actor=specialist, sessions=[exam_session])
    return exam_session.arrangements.get()


def confirm(item, actor, **changes):
    fields = {
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "separate_room": item.separate_room,
        "computer": item.computer,
        "assistant": item.assistant,
        **changes,
    }
    return services.arrangement_confirm(item=item, actor=actor, **fields)


@pytest.fixture
def confirmed(proposed, specialist):
    return confirm(proposed, specialist)


@pytest.fixture
def booked(confirmed, specialist, rooms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.arrangement_book(item=confirmed, actor=specialist, room=rooms[0], invigilator=specialist)
