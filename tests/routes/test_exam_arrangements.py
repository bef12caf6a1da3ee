"""Exam arrangements (issue #22, item 1): sessions entered and imported, proposals from the route's exam measures,
the centre's confirm / book / held / cancel, double bookings refused with a clear message, notices with .ics, the
day view and its exports, and who sees what (404 for everyone else, never the health reasons)."""

import datetime
import io

import pytest
from django.urls import reverse

from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import Notification
from routes import services
from routes.models import ExamArrangement, ExamSession, Room
from tests.factories import UserFactory

from .conftest import HEALTH, confirm, exam_at

pytestmark = pytest.mark.django_db
EA = ExamArrangement.Status


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _other_arrangement(session, section, student, *, status=EA.CONFIRMED, starts=None, ends=None, **fields):
    """A second student's arrangement, written directly: the conflicts need a neighbour, not a second route."""
    return ExamArrangement.objects.create(
        session=session,
        section=section,
        student=student,
        status=status,
        starts_at=starts or session.starts_at,
        ends_at=ends or session.ends_at,
        **fields,
    )


# --- Sessions -----------------------------------------------------------------------------------------------


def _session_post(course, **fields):
    return {"course": course.pk, "day": "2026-12-21", "start": "09:00", "duration": "120", "form": "written", **fields}


def test_the_lecturer_enters_an_exam_of_their_course(client, lecturer, courses):
    client.force_login(lecturer)
    response = client.post(reverse("routes:exam_sessions"), _session_post(courses[0], location="Бас ғимарат"))
    assert response.status_code == 302
    session = ExamSession.objects.get()
    assert (session.course, session.duration, session.entered_by) == (courses[0], 120, lecturer)
    assert session.history.first().history_user == lecturer


def test_a_lecturer_cannot_enter_another_lecturers_course(client, lecturer, courses):
    client.force_login(lecturer)
    response = client.post(reverse("routes:exam_sessions"), _session_post(courses[1]))
    assert response.status_code == 422
    assert "Choose a course from the list." in response.content.decode()
    assert not ExamSession.objects.exists()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"duration": "5"}, "Enter a duration from 10 to 600 minutes."),
        ({"duration": "many"}, "Enter a whole number."),
        ({"day": "2027-07-01"}, "The date is in no term of the academic calendar."),
        ({"day": "31.02.2026"}, "Enter a real date."),
        ({"start": "25:00"}, "Enter a time such as 09:00."),
        ({"form": "dance"}, "Choose written, oral or on a computer."),
    ],
)
def test_bad_sessions_are_refused_next_to_the_field(client, exam_office, courses, term, fields, message):
    client.force_login(exam_office)
    response = client.post(reverse("routes:exam_sessions"), _session_post(courses[0], **fields))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ExamSession.objects.exists()


def test_the_same_exam_twice_is_refused(client, exam_office, courses, term):
    client.force_login(exam_office)
    assert client.post(reverse("routes:exam_sessions"), _session_post(courses[0])).status_code == 302
    response = client.post(reverse("routes:exam_sessions"), _session_post(courses[0]))
    assert response.status_code == 422
    assert "This course already has an exam at this time." in response.content.decode()
    assert ExamSession.objects.count() == 1


@pytest.mark.parametrize(
    "who,status",
    [
        ("exam_office", 200),
        ("specialist", 200),
        ("centre_head", 200),
        ("lecturer", 200),
        ("student", 404),
        ("representative", 404),
        ("administration", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_who_opens_the_sessions_page(client, request, courses, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("routes:exam_sessions")).status_code == status


def test_the_centre_sees_sessions_but_enters_none(client, specialist, courses):
    client.force_login(specialist)
    response = client.post(reverse("routes:exam_sessions"), _session_post(courses[0]))
    assert response.status_code == 404
    assert not ExamSession.objects.exists()


# --- Importing a timetable ----------------------------------------------------------------------------------


def _upload(client, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("routes:exam_sessions_import"), {"file": SimpleUploadedFile(name, data)})


def test_the_exam_office_imports_a_csv_timetable_twice_without_doubles(client, exam_office, courses, term):
    first, second = courses
    data = (
        "course;date;start;duration;form;location\n"
        f"{first.code};2026-12-21;09:00;120;written;A-101\n"
        f"{second.code};22.12.2026;14:00;90;oral;\n"
    ).encode()
    client.force_login(exam_office)
    assert _upload(client, "exams.csv", data).status_code == 302
    assert _upload(client, "exams.csv", data).status_code == 302
    assert ExamSession.objects.count() == 2
    assert ExamSession.objects.get(course=second).form == "oral"


def test_a_timetable_with_bad_lines_saves_nothing_and_names_each_line(client, exam_office, courses, term):
    data = (
        "course,date,start,duration\n"
        f"{courses[0].code},2026-12-21,09:00,120\n"
        "NOPE-1,2026-12-21,09:00,120\n"
        f"{courses[1].code},2026-12-21,9 o'clock,5\n"
    ).encode()
    client.force_login(exam_office)
    response = _upload(client, "exams.csv", data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Line 3: No course has the code “NOPE-1”." in body
    assert "Line 4: Enter a duration from 10 to 600 minutes." in body
    assert not ExamSession.objects.exists()


def test_the_exam_office_imports_an_xlsx_timetable(client, exam_office, courses, term):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["course", "date", "start", "duration", "form", "location"])
    book.active.append([courses[0].code, datetime.date(2026, 12, 23), datetime.time(10, 0), 60, "computer", "C-1"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(exam_office)
    assert _upload(client, "exams.xlsx", buffer.getvalue()).status_code == 302
    session = ExamSession.objects.get()
    assert (session.form, session.duration, session.location) == ("computer", 60, "C-1")


def test_the_exam_office_imports_an_ics_calendar(client, exam_office, courses, term):
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1@test\r\n"
        "DTSTAMP:20261201T000000Z\r\nDTSTART:20261224T050000Z\r\nDTEND:20261224T070000Z\r\n"
        f"SUMMARY:{courses[0].code} exam\r\nLOCATION:Hall 3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    client.force_login(exam_office)
    assert _upload(client, "exams.ics", data).status_code == 302
    session = ExamSession.objects.get()
    assert (session.duration, session.location, session.starts_at) == (120, "Hall 3", exam_at(24, 10))


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("exams.pdf", b"%PDF-1.4", "Upload a .csv, .xlsx or .ics file."),
        ("exams.xlsx", b"not a workbook", "The file cannot be read. Check that it is a timetable."),
        ("exams.ics", b"BEGIN:VCALENDAR\r\nnonsense", "The file cannot be read. Check that it is a timetable."),
        ("exams.csv", b"a,b\n1,2\n", "The first line must name the columns"),
        ("exams.csv", b"course,date,start,duration\n", "The file has no exams in it."),
    ],
)
def test_unreadable_timetables_are_refused(client, exam_office, term, name, data, message):
    client.force_login(exam_office)
    response = _upload(client, name, data)
    assert response.status_code == 422
    assert message in response.content.decode()


@pytest.mark.parametrize("who", ["lecturer", "specialist", "centre_head", "student", "outsider"])
def test_only_the_exam_office_imports(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("routes:exam_sessions_import")).status_code == 404


# --- Proposals ----------------------------------------------------------------------------------------------


def test_the_proposal_follows_the_route(exam_session, specialist, exam_route):
    assert services.arrangements_propose(actor=specialist, sessions=[exam_session]) == 1
    item = exam_session.arrangements.get()
    assert item.status == EA.PROPOSED
    assert item.student == exam_route.application.student
    # 90 minutes + 25 % = 112.5, rounded up to 113, + 10 minutes of breaks.
    assert item.ends_at - item.starts_at == datetime.timedelta(minutes=123)
    assert item.separate_room and item.assistant == "reader" and not item.computer
    assert item.history.first().history_user == specialist
    assert services.arrangements_propose(actor=specialist, sessions=[exam_session]) == 0


def test_no_proposal_without_exam_measures(in_force, courses, term, exam_office, specialist):
    session = ExamSession.objects.create(
        course=courses[0], term=term, starts_at=exam_at(20, 10), duration=90, entered_by=exam_office
    )
    assert services.arrangements_propose(actor=specialist, sessions=[session]) == 0


@pytest.mark.parametrize("who", ["exam_office", "lecturer", "student", "outsider"])
def test_only_the_centre_proposes(client, request, exam_session, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("routes:exam_session_propose", args=[exam_session.pk]))
    assert response.status_code == 404
    assert not exam_session.arrangements.exists()


def test_the_centre_proposes_from_the_session_page(client, exam_session, centre_head):
    client.force_login(centre_head)
    response = client.post(reverse("routes:exam_session_propose", args=[exam_session.pk]), follow=True)
    assert "1 new arrangements are proposed." in response.content.decode()
    assert exam_session.arrangements.count() == 1


# --- Confirm, book, held, cancel ----------------------------------------------------------------------------


def test_the_centre_confirms_with_adjusted_times(client, proposed, specialist):
    client.force_login(specialist)
    data = {
        "confirm-start": "10:00",
        "confirm-end": "12:30",
        "confirm-assistant": "scribe",
        "confirm-note": "Ground floor",
    }
    response = client.post(reverse("routes:exam_arrangement_confirm", args=[proposed.pk]), data)
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == EA.CONFIRMED and proposed.assistant == "scribe"
    assert proposed.ends_at == exam_at(20, 12, 30)
    assert not proposed.separate_room  # the unticked box is an adjustment too


@pytest.mark.parametrize(
    "data,message",
    [
        ({"confirm-start": "12:00", "confirm-end": "10:00"}, "The end must come after the start."),
        ({"confirm-start": "", "confirm-end": "10:00"}, "Enter the start time."),
        ({"confirm-start": "10:00", "confirm-end": "12:00", "confirm-assistant": "ghost"}, "Choose an assistant"),
    ],
)
def test_bad_confirmations_are_refused(client, proposed, specialist, data, message):
    client.force_login(specialist)
    response = client.post(reverse("routes:exam_arrangement_confirm", args=[proposed.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == EA.PROPOSED


def test_booking_tells_student_lecturer_and_invigilator_with_a_calendar_entry(booked, specialist, lecturer, student):
    assert booked.status == EA.BOOKED and booked.sequence == 1
    notes = Notification.objects.filter(kind="exam_booked")
    assert {n.recipient for n in notes} == {student, lecturer, specialist}
    for note in notes:
        assert "SEQUENCE:1" in note.calendar and "METHOD:REQUEST" in note.calendar
        assert HEALTH not in note.body and "reader" not in note.body.lower()


def test_a_changed_booking_is_sent_again_with_a_higher_sequence(
    booked, specialist, rooms, django_capture_on_commit_callbacks
):
    other = UserFactory(roles=["specialist"])
    with django_capture_on_commit_callbacks(execute=True):
        again = services.arrangement_book(item=booked, actor=specialist, room=rooms[1], invigilator=other)
    assert again.sequence == 2 and again.room == rooms[1]
    newest = Notification.objects.filter(kind="exam_booked", recipient=other).get()
    assert "SEQUENCE:2" in newest.calendar and "B-202" in newest.calendar


def test_cancelling_a_booking_sends_a_cancel(client, booked, specialist, student):
    client.force_login(specialist)
    url = reverse("routes:exam_arrangement_cancel", args=[booked.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "Емтихан ауыстырылды"}).status_code == 302
    booked.refresh_from_db()
    assert booked.status == EA.CANCELLED and booked.sequence == 2
    note = Notification.objects.get(kind="exam_cancelled", recipient=student)
    assert "METHOD:CANCEL" in note.calendar and "SEQUENCE:2" in note.calendar


def test_a_booked_exam_is_held_once(client, booked, specialist):
    client.force_login(specialist)
    url = reverse("routes:exam_arrangement_hold", args=[booked.pk])
    assert client.post(url).status_code == 302
    booked.refresh_from_db()
    assert booked.status == EA.HELD
    with pytest.raises(IllegalMove):
        services.arrangement_hold(item=booked, actor=specialist)


def test_a_proposal_cannot_be_booked_before_it_is_confirmed(proposed, specialist, rooms):
    with pytest.raises(IllegalMove):
        services.arrangement_book(item=proposed, actor=specialist, room=rooms[0], invigilator=specialist)


# --- Double bookings ----------------------------------------------------------------------------------------


def test_a_full_room_is_refused(client, confirmed, specialist, rooms, other_student, exam_session):
    neighbour = _other_arrangement(exam_session, confirmed.section, other_student.student)
    services.arrangement_book(item=neighbour, actor=specialist, room=rooms[0], invigilator=specialist)
    client.force_login(specialist)
    data = {"book-room": rooms[0].pk, "book-invigilator": specialist.pk}
    response = client.post(reverse("routes:exam_arrangement_book", args=[confirmed.pk]), data)
    assert response.status_code == 409
    assert "Room A-101 is full at this time (1 seats). Choose another room." in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.status == EA.CONFIRMED and confirmed.room is None


def test_an_invigilator_busy_in_another_room_is_refused(confirmed, specialist, rooms, other_student, exam_session):
    neighbour = _other_arrangement(exam_session, confirmed.section, other_student.student)
    services.arrangement_book(item=neighbour, actor=specialist, room=rooms[1], invigilator=specialist)
    with pytest.raises(IllegalMove, match="already invigilates"):
        services.arrangement_book(item=confirmed, actor=specialist, room=rooms[0], invigilator=specialist)
    # In the same room the invigilator watches both students.
    services.arrangement_book(item=confirmed, actor=specialist, room=rooms[1], invigilator=specialist)


def test_a_student_with_two_exams_overlapping_after_extra_time_is_refused(
    confirmed, specialist, rooms, courses, term, exam_office
):
    # The other exam starts at 12:00: after the standard 90 minutes the student would be free, after 123 not.
    later = ExamSession.objects.create(
        course=courses[1], term=term, starts_at=exam_at(20, 12), duration=60, entered_by=exam_office
    )
    _other_arrangement(later, confirmed.section, confirmed.student, starts=later.starts_at, ends=later.ends_at)
    with pytest.raises(IllegalMove, match="another exam at this time"):
        services.arrangement_book(item=confirmed, actor=specialist, room=rooms[1], invigilator=specialist)


def test_a_room_without_a_computer_is_refused_for_a_student_who_needs_one(proposed, specialist, rooms):
    item = confirm(proposed, specialist, computer=True)
    with pytest.raises(Exception, match="needs a computer"):
        services.arrangement_book(item=item, actor=specialist, room=rooms[0], invigilator=specialist)


# --- Who sees what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,status",
    [
        ("specialist", 200),
        ("centre_head", 200),
        ("exam_office", 200),
        ("lecturer", 200),
        ("student", 200),
        ("second_lecturer", 404),
        ("other_student", 404),
        ("representative", 404),
        ("administration", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_who_opens_an_arrangement(client, request, booked, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("routes:exam_arrangement", args=[booked.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "A-101" in body and HEALTH not in body


@pytest.mark.parametrize("who", ["exam_office", "lecturer", "student", "outsider"])
def test_only_the_centre_books_and_cancels(client, request, confirmed, rooms, specialist, who):
    client.force_login(request.getfixturevalue(who))
    data = {"book-room": rooms[0].pk, "book-invigilator": specialist.pk}
    assert client.post(reverse("routes:exam_arrangement_book", args=[confirmed.pk]), data).status_code == 404
    url = reverse("routes:exam_arrangement_cancel", args=[confirmed.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    confirmed.refresh_from_db()
    assert confirmed.status == EA.CONFIRMED


# --- The day view -------------------------------------------------------------------------------------------


def test_the_exam_office_sees_the_day_by_room_without_health_reasons(
    client, booked, exam_office, exam_route, django_assert_max_num_queries
):
    client.force_login(exam_office)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("routes:exam_day"), {"day": "2026-12-20"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "A-101" in body and "Reader" in body and booked.student.user.full_name in body
    assert HEALTH not in body and "+25" not in body  # neither the findings nor the route's measures


def test_the_day_view_query_count_does_not_grow_with_rows(
    client, booked, exam_office, specialist, exam_session, django_assert_max_num_queries
):
    room = Room.objects.create(name="Hall", capacity=50)
    for _index in range(20):
        other = UserFactory(roles=["student"])
        from tests.factories import StudentFactory

        _other_arrangement(
            exam_session,
            booked.section,
            StudentFactory(user=other),
            status=EA.BOOKED,
            room=room,
            invigilator=specialist,
        )
    client.force_login(exam_office)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("routes:exam_day"), {"day": "2026-12-20"})
    assert response.status_code == 200 and "Page 1 of 1" not in response.content.decode()


def test_a_lecturer_sees_their_own_courses_only(client, booked, lecturer, second_lecturer):
    client.force_login(second_lecturer)
    assert "A-101" not in client.get(reverse("routes:exam_day"), {"day": "2026-12-20"}).content.decode()
    client.force_login(lecturer)
    assert "A-101" in client.get(reverse("routes:exam_day"), {"day": "2026-12-20"}).content.decode()


@pytest.mark.parametrize("who", ["student", "representative", "administration", "auditor", "outsider"])
def test_the_day_view_is_closed_to_others(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("routes:exam_day", "routes:exam_day_xlsx", "routes:exam_day_pdf"):
        assert client.get(reverse(name), {"day": "2026-12-20"}).status_code == 404


def test_a_bad_day_is_refused(client, exam_office):
    client.force_login(exam_office)
    response = client.get(reverse("routes:exam_day"), {"day": "yesterday"})
    assert response.status_code == 422
    assert "Enter a real date." in response.content.decode()
    assert client.get(reverse("routes:exam_day_xlsx"), {"day": "yesterday"}).status_code == 404


def test_the_day_exports_as_xlsx_and_pdf(client, booked, exam_office):
    from openpyxl import load_workbook

    client.force_login(exam_office)
    response = client.get(reverse("routes:exam_day_xlsx"), {"day": "2026-12-20"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Room" and rows[1][0] == "A-101" and rows[1][5] == "Reader"
    pdf = client.get(reverse("routes:exam_day_pdf"), {"day": "2026-12-20"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- The management command ---------------------------------------------------------------------------------


def test_the_command_proposes_a_whole_exam_session_once(exam_session, django_assert_max_num_queries):
    from django.core.management import call_command

    out = io.StringIO()
    with django_assert_max_num_queries(12):
        call_command("propose_exam_arrangements", "--from", "2026-12-01", "--to", "2026-12-31", stdout=out)
    assert "arrangements proposed: 1" in out.getvalue()
    call_command("propose_exam_arrangements", "--from", "2026-12-01", "--to", "2026-12-31", stdout=out)
    assert exam_session.arrangements.count() == 1


def test_the_command_refuses_bad_dates():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("propose_exam_arrangements", "--from", "soon", "--to", "2026-12-31")
