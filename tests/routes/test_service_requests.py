"""Service requests (issue #22, item 2): a student asks, the queue's owner answers through the workflow, the student
is told of each move; the centre sees every queue, a student only their own, everyone else nothing (404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import StatusChange
from inclusion_centre.accounts.models import Notification
from inclusion_centre.accounts.roles import Role
from inclusion_centre.workdays import add_working_days
from routes import services
from routes.models import ServiceQueue, ServiceRequest
from tests import factories

pytestmark = pytest.mark.django_db

SR = ServiceRequest.Status


@pytest.fixture
def owner(specialist):
    ServiceQueue.objects.filter(kind="interpreter").update(owner=specialist, deadline_days=2)
    return specialist


@pytest.fixture
def course(student, term):
    enrolment = factories.EnrolmentFactory(student=student.student, term=term)
    return enrolment.course


@pytest.fixture
def filed(student, owner):
    return services.service_request_create(actor=student, student=student.student, kind="interpreter")


def _move(client, item, **data):
    return client.post(reverse("routes:service_request", args=[item.pk]), data)


def test_a_student_asks_for_an_interpreter_for_a_course_and_the_owner_is_told(client, student, owner, course):
    client.force_login(student)
    needed = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(
        reverse("routes:service_requests"),
        {"kind": "interpreter", "course": course.pk, "needed_on": needed.isoformat(), "details": "Дәріс, 204"},
    )
    assert response.status_code == 302
    item = ServiceRequest.objects.get()
    assert (item.student, item.course, item.needed_on, item.status) == (student.student, course, needed, SR.REQUESTED)
    assert item.requested_by == student
    assert item.due_on == add_working_days(timezone.localdate(), 2)
    assert Notification.objects.filter(recipient=owner, kind="service_request_new").count() == 1
    assert item.history.count() == 1 and item.history.first().history_user == student
    page = client.get(reverse("routes:service_requests"))
    assert "Дәріс, 204" not in page.content.decode()  # the list shows the kind and state, the page the details
    assert reverse("routes:service_request", args=[item.pk]) in page.content.decode()


def test_a_date_in_the_past_is_refused_next_to_the_field_and_nothing_is_saved(client, student, owner):
    client.cookies["language"] = "en"
    client.force_login(student)
    response = client.post(
        reverse("routes:service_requests"),
        {"kind": "formats", "needed_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["needed_on"] == ["The date cannot be in the past."]
    assert 'href="#id_needed_on"' in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_another_students_course_cannot_be_named(client, student, owner):
    client.force_login(student)
    foreign = factories.EnrolmentFactory().course
    response = client.post(reverse("routes:service_requests"), {"kind": "formats", "course": foreign.pk})
    assert response.status_code == 422 and "course" in response.context["form"].errors
    assert not ServiceRequest.objects.exists()


def test_the_owner_accepts_schedules_and_provides_and_the_student_hears_each_time(client, student, owner, filed):
    client.force_login(owner)
    assert _move(client, filed, to_status="accepted").status_code == 302
    when = timezone.localdate() + datetime.timedelta(days=3)
    assert _move(client, filed, to_status="scheduled", scheduled_for=when.isoformat()).status_code == 302
    assert _move(client, filed, to_status="provided").status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.scheduled_for) == (SR.PROVIDED, when)
    moves = StatusChange.objects.filter(content_type__model="servicerequest", object_id=filed.pk)
    assert list(moves.order_by("pk").values_list("to_status", flat=True)) == ["accepted", "scheduled", "provided"]
    told = Notification.objects.filter(recipient=student, kind="service_request_moved").order_by("pk")
    assert told.count() == 3
    assert when.strftime("%d.%m.%Y") in told[1].body


def test_a_refusal_needs_a_reason_and_the_student_reads_it(client, student, owner, filed):
    client.cookies["language"] = "en"
    client.force_login(owner)
    response = _move(client, filed, to_status="refused", reason="  ")
    assert response.status_code == 422
    assert response.context["form"].errors["reason"] == ["Say why the request is refused."]
    filed.refresh_from_db()
    assert filed.status == SR.REQUESTED
    assert _move(client, filed, to_status="refused", reason="Аудармашы жоқ").status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.refusal_reason) == (SR.REFUSED, "Аудармашы жоқ")
    assert "Аудармашы жоқ" in Notification.objects.get(recipient=student, kind="service_request_moved").body


def test_a_move_the_table_does_not_allow_is_refused_and_changes_nothing(student, owner, filed):
    from audit.workflow import IllegalMove

    with pytest.raises(IllegalMove):
        services.service_request_move(item=filed, actor=owner, to_status=SR.PROVIDED)
    filed.refresh_from_db()
    assert filed.status == SR.REQUESTED
    assert not StatusChange.objects.filter(content_type__model="servicerequest").exists()


def test_a_finished_request_answers_409_to_a_late_answer(client, centre_head, owner, filed):
    services.service_request_move(item=filed, actor=owner, to_status=SR.REFUSED, reason="Жоқ")
    client.force_login(centre_head)
    # The page shows no answers for a finished request, and a POST from a stale page is refused.
    response = _move(client, filed, to_status="accepted")
    assert response.status_code == 404
    filed.refresh_from_db()
    assert filed.status == SR.REFUSED


def test_the_centre_head_answers_any_queue_another_specialist_only_reads(client, centre_head, owner, filed):
    bystander = factories.UserFactory(roles=[Role.SPECIALIST])
    client.force_login(bystander)
    assert client.get(reverse("routes:service_request", args=[filed.pk])).status_code == 200
    assert _move(client, filed, to_status="accepted").status_code == 404
    filed.refresh_from_db()
    assert filed.status == SR.REQUESTED
    client.force_login(centre_head)
    assert _move(client, filed, to_status="accepted").status_code == 302
    filed.refresh_from_db()
    assert filed.status == SR.ACCEPTED


PAGES = ["routes:service_requests", "routes:service_request_new", "routes:service_request_queue", "detail"]


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("student", {"routes:service_requests": 200, "routes:service_request_new": 404, "detail": 200}),
        ("other_student", {"routes:service_requests": 200, "routes:service_request_new": 404, "detail": 404}),
        ("representative", {"routes:service_requests": 404, "routes:service_request_new": 404, "detail": 404}),
        ("specialist", {"routes:service_requests": 404, "routes:service_request_new": 200, "detail": 200}),
        ("centre_head", {"routes:service_requests": 404, "routes:service_request_new": 200, "detail": 200}),
        ("lecturer", {"routes:service_requests": 404, "routes:service_request_new": 404, "detail": 404}),
        ("administration", {"routes:service_requests": 404, "routes:service_request_new": 404, "detail": 404}),
        ("auditor", {"routes:service_requests": 404, "routes:service_request_new": 404, "detail": 404}),
        ("sysadmin", {"routes:service_requests": 404, "routes:service_request_new": 404, "detail": 404}),
        ("outsider", {"routes:service_requests": 404, "routes:service_request_new": 404, "detail": 404}),
    ],
)
def test_who_sees_which_page(client, request, filed, persona, expected):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    centre = expected["routes:service_request_new"] == 200
    codes = {
        "routes:service_requests": client.get(reverse("routes:service_requests")).status_code,
        "routes:service_request_new": client.get(reverse("routes:service_request_new")).status_code,
        "detail": client.get(reverse("routes:service_request", args=[filed.pk])).status_code,
    }
    assert codes == expected
    assert client.get(reverse("routes:service_request_queue")).status_code == (200 if centre else 404)
    assert client.get(reverse("routes:equipment")).status_code == (200 if centre else 404)


def test_a_student_lists_only_their_own_requests(client, student, other_student, owner, filed):
    mine = services.service_request_create(actor=other_student, student=other_student.student, kind="note_taker")
    client.force_login(other_student)
    items = client.get(reverse("routes:service_requests")).context["items"]
    assert [item.pk for item in items] == [mine.pk]


def test_the_centre_files_on_a_students_behalf(client, centre_head, student, owner):
    client.force_login(centre_head)
    response = client.post(
        reverse("routes:service_request_new"), {"student_id": student.student.external_id, "kind": "interpreter"}
    )
    item = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("routes:service_request", args=[item.pk])
    assert (item.student, item.requested_by) == (student.student, centre_head)
    services.service_request_move(item=item, actor=owner, to_status=SR.ACCEPTED)
    # Both the student and the centre head who filed it hear of the answer.
    assert Notification.objects.filter(kind="service_request_moved", recipient__in=[student, centre_head]).count() == 2


def test_an_unknown_student_is_refused_next_to_the_field(client, centre_head, owner):
    client.cookies["language"] = "en"
    client.force_login(centre_head)
    response = client.post(reverse("routes:service_request_new"), {"student_id": "NOPE", "kind": "interpreter"})
    assert response.status_code == 422
    assert response.context["form"].errors["student_id"] == ["No student has this ID number or e-mail."]


def test_the_queue_flags_overdue_requests_filters_and_keeps_its_query_count(
    client, centre_head, owner, django_assert_max_num_queries
):
    students = [factories.StudentFactory() for _ in range(3)]
    for index in range(30):
        services.service_request_create(
            actor=centre_head, student=students[index % 3], kind="interpreter" if index % 2 else "formats"
        )
    late = ServiceRequest.objects.filter(kind="formats")[:4]
    ServiceRequest.objects.filter(pk__in=[item.pk for item in late]).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(centre_head)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("routes:service_request_queue"))
    assert response.status_code == 200
    assert len(response.context["items"]) == 20 and response.context["page"].paginator.count == 30
    kinds = {row["value"]: row for row in response.context["kinds"]}
    assert (kinds["formats"]["open"], kinds["formats"]["overdue"]) == (15, 4)
    overdue = client.get(reverse("routes:service_request_queue"), {"overdue": "on"}).context["items"]
    assert len(overdue) == 4 and all(item.is_overdue for item in overdue)
    only = client.get(reverse("routes:service_request_queue"), {"kind": "interpreter"}).context["page"]
    assert only.paginator.count == 15
    assert client.get(reverse("routes:service_request_queue"), {"status": "nonsense"}).status_code == 422


def test_the_students_page_keeps_its_query_count_and_shows_no_answer_form(
    client, student, owner, course, django_assert_max_num_queries
):
    for index in range(25):
        services.service_request_create(
            actor=student, student=student.student, kind="formats", course=course if index % 2 else None
        )
    client.force_login(student)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("routes:service_requests"))
    assert len(response.context["items"]) == 20 and response.context["page"].paginator.count == 25
    detail = client.get(reverse("routes:service_request", args=[ServiceRequest.objects.first().pk]))
    assert detail.status_code == 200 and detail.context["form"] is None
    assert 'id="answer-title"' not in detail.content.decode()


def test_home_and_menu_lead_the_student_and_the_centre_to_their_pages(client, student, specialist):
    client.force_login(student)
    html = client.get(reverse("home")).content.decode()
    assert html.count(f'href="{reverse("routes:service_requests")}"') == 2  # the menu and the home block
    client.force_login(specialist)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("routes:service_request_queue")}"' in html
    assert f'href="{reverse("routes:equipment")}"' in html
