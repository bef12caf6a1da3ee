"""Training of staff (issue 25, §3.4–3.5, §7.1): the centre records seminars and courses, marks them held or
cancelled through the workflow, records who attended with their certificate numbers; the report lists, per faculty,
the lecturers of students with routes in force who had no training in the last N years, with an XLSX export."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import StatusChange
from inclusion_centre.accounts.roles import Role
from routes import services
from routes.models import TrainingAttendance, TrainingEvent
from routes.selectors.consultation import untrained_lecturers
from tests import factories

pytestmark = pytest.mark.django_db

TE = TrainingEvent.Status
LIST = reverse("routes:training")
REPORT = reverse("routes:training_report")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["language"] = "en"


def _plan(actor, held_on=None, **extra):
    data = {
        "title": "Инклюзивті білім беру негіздері",
        "kind": "seminar",
        "held_on": held_on or timezone.localdate() - datetime.timedelta(days=3),
        "hours": 4,
        "organiser": "Инклюзивті білім беруді қолдау орталығы",
    } | extra
    return services.training_event_plan(actor=actor, **data)


@pytest.fixture
def held(specialist):
    event = _plan(specialist)
    return services.training_event_move(event=event, actor=specialist, to_status=TE.HELD)


def test_the_centre_records_an_event_marks_it_held_and_records_attendance(client, specialist, lecturer):
    client.force_login(specialist)
    day = timezone.localdate() - datetime.timedelta(days=2)
    response = client.post(
        LIST, {"title": "Семинар", "kind": "course", "held_on": day.isoformat(), "hours": "16", "organiser": "ҚазҰУ"}
    )
    assert response.status_code == 302
    event = TrainingEvent.objects.get()
    assert (event.kind, event.hours, event.status, event.created_by) == ("course", 16, TE.PLANNED, specialist)
    url = reverse("routes:training_event", args=[event.pk])
    attend = reverse("routes:training_attend", args=[event.pk])
    # No attendance before the event is held.
    response = client.post(attend, {"attendee": lecturer.email})
    assert response.status_code == 409 and not TrainingAttendance.objects.exists()
    assert client.post(reverse("routes:training_event_move", args=[event.pk]), {"to_status": "held"}).status_code == 302
    event.refresh_from_db()
    assert event.status == TE.HELD
    assert StatusChange.objects.filter(
        object_id=event.pk, content_type__model="trainingevent", actor=specialist
    ).exists()
    response = client.post(attend, {"attendee": lecturer.email, "certificate_number": "SERT-1"})
    assert response.status_code == 302
    attendance = TrainingAttendance.objects.get()
    assert (attendance.user, attendance.certificate_number, attendance.recorded_by) == (lecturer, "SERT-1", specialist)
    assert attendance.history.first().history_user == specialist
    page = client.get(url).content.decode()
    assert "SERT-1" in page and lecturer.full_name in page


def test_bad_input_is_refused_next_to_the_field_with_422(client, specialist, held, lecturer, student):
    client.force_login(specialist)
    response = client.post(LIST, {"title": "", "kind": "party", "held_on": "2026-02-30", "hours": "0", "organiser": ""})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"title", "kind", "held_on", "hours", "organiser"}
    assert TrainingEvent.objects.count() == 1
    url = reverse("routes:training_attend", args=[held.pk])
    services.training_attendance_add(event=held, actor=specialist, attendee=lecturer, certificate_number="C-1")
    for data, field in [
        ({"attendee": "nobody@example.invalid"}, "attendee"),
        ({"attendee": student.email}, "attendee"),  # not staff
        ({"attendee": lecturer.email}, "attendee"),  # already recorded
        ({"attendee": specialist.email, "certificate_number": "C-1"}, "certificate_number"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 422, data
        assert field in response.context["attend_form"].errors
    assert TrainingAttendance.objects.count() == 1
    future = _plan(specialist, held_on=timezone.localdate() + datetime.timedelta(days=10))
    response = client.post(reverse("routes:training_event_move", args=[future.pk]), {"to_status": "held"})
    assert response.status_code == 422
    assert TrainingEvent.objects.get(pk=future.pk).status == TE.PLANNED


def test_a_cancelled_event_cannot_be_held(client, specialist):
    event = _plan(specialist)
    services.training_event_move(event=event, actor=specialist, to_status=TE.CANCELLED)
    client.force_login(specialist)
    response = client.post(reverse("routes:training_event_move", args=[event.pk]), {"to_status": "held"})
    assert response.status_code == 409
    assert TrainingEvent.objects.get().status == TE.CANCELLED


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("specialist", 200),
        ("centre_head", 200),
        ("lecturer", 404),
        ("student", 404),
        ("representative", 404),
        ("administration", 404),
        ("auditor", 404),
        ("sysadmin", 404),
        ("outsider", 404),
    ],
)
def test_only_the_centre_keeps_the_training(client, request, persona, status, held, lecturer, specialist):
    attendance = services.training_attendance_add(event=held, actor=specialist, attendee=lecturer)
    client.force_login(request.getfixturevalue(persona))
    for url in (LIST, reverse("routes:training_event", args=[held.pk]), REPORT):
        assert client.get(url).status_code == status, url
    if status == 404:
        remove = client.post(reverse("routes:training_attendance_remove", args=[attendance.pk]))
        assert remove.status_code == 404 and TrainingAttendance.objects.exists()
        assert client.post(LIST, {"title": "x"}).status_code == 404


def test_the_centre_removes_an_attendance_recorded_by_mistake(client, held, lecturer, centre_head):
    attendance = services.training_attendance_add(event=held, actor=centre_head, attendee=lecturer)
    client.force_login(centre_head)
    assert client.post(reverse("routes:training_attendance_remove", args=[attendance.pk])).status_code == 302
    assert not TrainingAttendance.objects.exists()
    assert attendance.history.model.objects.filter(id=attendance.pk, history_type="-").get().history_user == centre_head


def test_the_list_keeps_its_query_count(client, specialist, django_assert_max_num_queries):
    for _ in range(25):
        _plan(specialist)
    client.force_login(specialist)
    with django_assert_max_num_queries(13):  # the page's own: the count and one page of events with attendees
        response = client.get(LIST)
    assert response.status_code == 200 and len(response.context["page"].object_list) == 20


# --- The report ------------------------------------------------------------------------------------------------


def test_the_report_lists_untrained_lecturers_of_students_with_routes_per_faculty(
    client, in_force, lecturer, second_lecturer, specialist, centre_head, student
):
    faculty = student.student.programme.faculty
    rows = untrained_lecturers()
    assert {(r.faculty, r.lecturer, r.students) for r in rows} == {
        (faculty, lecturer, 1),
        (faculty, second_lecturer, 1),
    }
    event = _plan(specialist, held_on=timezone.localdate() - datetime.timedelta(days=400))
    services.training_event_move(event=event, actor=specialist, to_status=TE.HELD)
    services.training_attendance_add(event=event, actor=specialist, attendee=lecturer)
    assert [r.lecturer for r in untrained_lecturers()] == [second_lecturer]
    # Trained more than a year ago: untrained again when the report asks about one year.
    assert {r.lecturer for r in untrained_lecturers(years=1)} == {lecturer, second_lecturer}
    client.force_login(centre_head)
    page = client.get(REPORT).content.decode()
    assert second_lecturer.full_name in page and lecturer.full_name not in page
    assert client.get(REPORT, {"faculty": factories.FacultyFactory().pk}).context["rows"] == []
    export = client.get(REPORT, {"years": "1", "export": "xlsx"})
    assert export.status_code == 200 and export["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Faculty", "Lecturer", "E-mail", "Students with routes"]
    assert {row[1] for row in values[1:]} == {lecturer.full_name, second_lecturer.full_name}


def test_the_report_refuses_bad_filters_with_422(client, centre_head):
    client.force_login(centre_head)
    for query in ({"years": "0"}, {"years": "abc"}, {"years": "99"}, {"faculty": "999999"}):
        response = client.get(REPORT, query)
        assert response.status_code == 422, query
        assert response.context["form"].errors


def test_the_report_keeps_its_query_count(client, term, centre_head, django_assert_max_num_queries):
    from routes.models import Route, RouteSection

    for index in range(12):
        lecturer = factories.UserFactory(roles=[Role.LECTURER], full_name=f"Оқытушы {index:02}")
        route = factories_route(term)
        RouteSection.objects.create(
            route=route, course=factories.CourseFactory(), term=term, lecturer=lecturer, order=index
        )
    assert Route.objects.count() == 12
    client.force_login(centre_head)
    with django_assert_max_num_queries(15):  # the rows, the faculties, the lecturers, the filter's faculties
        response = client.get(REPORT)
    assert len(response.context["rows"]) == 12


def factories_route(term):
    """A route in force, written directly (the report reads only its status, sections and student)."""
    from routes.models import Conclusion, Route

    application = factories.ApplicationFactory()
    user = factories.UserFactory(roles=[Role.SPECIALIST])
    conclusion = Conclusion.objects.create(application=application, drafted_by=user)
    return Route.objects.create(
        application=application,
        conclusion=conclusion,
        status=Route.Status.IN_FORCE,
        academic_year=term.academic_year,
        drafted_by=user,
    )
