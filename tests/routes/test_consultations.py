"""Consultations for lecturers (issue 25, §5.2 c, §7.2): a lecturer asks about a course they teach, optionally about
a student of theirs with a route; a specialist takes and answers it through the workflow, the lecturer is told and
reads the answer; the centre's queue and work list show it with its due date. The guidance notes: the centre head
writes them, staff and lecturers read them, the lecturer's route section links them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog, StatusChange
from inclusion_centre.accounts.models import Notification
from inclusion_centre.accounts.roles import Role
from inclusion_centre.workdays import add_working_days
from routes import services
from routes.models import Adaptation, Consultation, GuidanceNote
from routes.selectors.work import work_of
from tests import factories

pytestmark = pytest.mark.django_db

CS = Consultation.Status
MINE = reverse("routes:consultations")
QUEUE = reverse("routes:consultation_queue")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["language"] = "en"


@pytest.fixture
def course(lecturer, term):
    return lecturer.teaching_assignments.get(term=term).course


@pytest.fixture
def asked(lecturer, course):
    return services.consultation_request(actor=lecturer, course=course, question="Қалай бейімдеймін?")


def _detail(item):
    return reverse("routes:consultation", args=[item.pk])


def _act(client, item, action, **data):
    return client.post(reverse(f"routes:consultation_{action}", args=[item.pk]), data)


def test_a_lecturer_asks_about_their_course_and_a_student_with_a_route(
    client, lecturer, student, in_force, centre_head
):
    course = lecturer.teaching_assignments.first().course
    client.force_login(lecturer)
    page = client.get(MINE)
    assert page.status_code == 200
    assert (student.student.pk, student.full_name) in page.context["form"].fields["student"].choices
    response = client.post(MINE, {"course": course.pk, "student": student.student.pk, "question": "Экзамен ауызша?"})
    assert response.status_code == 302
    item = Consultation.objects.get()
    assert (item.lecturer, item.course, item.student, item.status) == (lecturer, course, student.student, CS.REQUESTED)
    assert item.due_on == add_working_days(timezone.localdate(), 5)
    assert item.history.first().history_user == lecturer
    assert Notification.objects.filter(recipient=centre_head, kind="consultation_new").count() == 1


def test_another_lecturers_course_or_a_student_not_theirs_is_refused_with_422(client, lecturer, other_student):
    foreign = factories.TeachingAssignmentFactory().course
    client.force_login(lecturer)
    response = client.post(MINE, {"course": foreign.pk, "student": other_student.student.pk, "question": ""})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["course"] == ["Choose one of the courses you teach."]
    assert errors["student"] == ["Choose one of your students with a route."]
    assert errors["question"] == ["Write your question."]
    assert 'href="#id_course"' in response.content.decode()
    assert not Consultation.objects.exists()


def test_the_service_checks_the_course_and_the_student_too(lecturer, other_student, course):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.consultation_request(
            actor=lecturer, course=factories.CourseFactory(), question="x", student=other_student.student
        )
    assert set(error.value.error_dict) == {"course", "student"}
    assert not Consultation.objects.exists()


def test_a_specialist_takes_and_answers_and_the_lecturer_reads_it(client, asked, specialist, lecturer):
    client.force_login(specialist)
    assert _act(client, asked, "answer", **{"answer": "x"}).status_code == 404  # not taken yet
    assert _act(client, asked, "take").status_code == 302
    asked.refresh_from_db()
    assert asked.taken_by == specialist
    response = _act(client, asked, "answer", **{"answer": "  "})
    assert response.status_code == 422 and response.context["answer_form"].errors["answer"]
    response = _act(client, asked, "answer", **{"answer": "Ірі қаріп, 18 кегль."})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.answer, asked.answered_by) == (CS.ANSWERED, "Ірі қаріп, 18 кегль.", specialist)
    change = StatusChange.objects.get(object_id=asked.pk, content_type__model="consultation")
    assert (change.from_status, change.to_status, change.actor) == (CS.REQUESTED, CS.ANSWERED, specialist)
    assert Notification.objects.filter(recipient=lecturer, kind="consultation_answered").count() == 1
    client.force_login(lecturer)
    page = client.get(_detail(asked)).content.decode()
    assert "Ірі қаріп, 18 кегль." in page
    # Answered is final: nothing more can be done.
    client.force_login(specialist)
    assert _act(client, asked, "answer", **{"answer": "again"}).status_code == 404


def test_a_request_taken_by_one_specialist_is_not_answered_by_another(client, asked, specialist):
    other = factories.UserFactory(roles=[Role.SPECIALIST])
    services.consultation_take(item=asked, actor=specialist)
    client.force_login(other)
    assert client.get(_detail(asked)).status_code == 200
    assert _act(client, asked, "take").status_code == 404
    assert _act(client, asked, "answer", **{"answer": "x"}).status_code == 404
    asked.refresh_from_db()
    assert asked.status == CS.REQUESTED and asked.taken_by == specialist


def test_the_lecturer_withdraws_and_the_centre_head_closes_with_a_reason(client, asked, lecturer, centre_head, course):
    client.force_login(centre_head)
    response = _act(client, asked, "close", **{"reason": ""})
    assert response.status_code == 422 and response.context["close_form"].errors["reason"]
    assert Consultation.objects.get().status == CS.REQUESTED
    client.force_login(lecturer)
    assert _act(client, asked, "close").status_code == 302
    assert Consultation.objects.get().status == CS.CLOSED
    second = services.consultation_request(actor=lecturer, course=course, question="?")
    client.force_login(centre_head)
    assert _act(client, second, "close", **{"reason": "Қайталанған сұрақ"}).status_code == 302
    second.refresh_from_db()
    assert second.closed_reason == "Қайталанған сұрақ"
    assert Notification.objects.filter(recipient=lecturer, kind="consultation_closed").count() == 1


@pytest.mark.parametrize(
    ("persona", "mine", "queue", "detail"),
    [
        ("lecturer", 200, 404, 200),
        ("specialist", 404, 200, 200),
        ("centre_head", 404, 200, 200),
        ("student", 404, 404, 404),
        ("representative", 404, 404, 404),
        ("administration", 404, 404, 404),
        ("auditor", 404, 404, 404),
        ("sysadmin", 404, 404, 404),
        ("outsider", 404, 404, 404),
    ],
)
def test_who_sees_what(client, request, asked, persona, mine, queue, detail):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(MINE).status_code == mine
    assert client.get(QUEUE).status_code == queue
    assert client.get(_detail(asked)).status_code == detail


def test_another_lecturer_gets_404_and_changes_nothing(client, asked, term):
    stranger = factories.UserFactory(roles=[Role.LECTURER])
    factories.TeachingAssignmentFactory(lecturer=stranger, term=term)
    client.force_login(stranger)
    assert client.get(_detail(asked)).status_code == 404
    assert _act(client, asked, "close").status_code == 404
    assert Consultation.objects.get().status == CS.REQUESTED


def test_the_queue_marks_overdue_filters_and_keeps_its_query_count(
    client, lecturer, course, specialist, django_assert_max_num_queries
):
    for index in range(30):
        item = services.consultation_request(actor=lecturer, course=course, question=f"Сұрақ {index}")
        if index % 3 == 0:
            Consultation.objects.filter(pk=item.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(specialist)
    with django_assert_max_num_queries(13):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert len(response.context["items"]) == 20 and response.context["page"].paginator.count == 30
    assert response.content.decode().count("Overdue") >= 7
    assert client.get(QUEUE, {"status": "nonsense"}).status_code == 422
    assert client.get(QUEUE, {"status": "answered"}).context["page"].paginator.count == 0


def test_the_lecturers_list_keeps_its_query_count(client, lecturer, course, django_assert_max_num_queries):
    for index in range(25):
        services.consultation_request(actor=lecturer, course=course, question=f"Сұрақ {index}")
    client.force_login(lecturer)
    with django_assert_max_num_queries(16):
        response = client.get(MINE)
    assert response.status_code == 200 and len(response.context["items"]) == 20


def test_open_requests_are_in_the_centres_work_list_until_answered(asked, specialist, centre_head):
    other = factories.UserFactory(roles=[Role.SPECIALIST])
    assert [w.kind for w in work_of(specialist)].count("consultation") == 1
    services.consultation_take(item=asked, actor=specialist)
    assert "consultation" not in [w.kind for w in work_of(other)]
    assert [w.kind for w in work_of(specialist)].count("consultation") == 1
    services.consultation_answer(item=asked, actor=specialist, answer="Жауап")
    assert "consultation" not in [w.kind for w in work_of(specialist)]


def test_the_centre_reading_a_request_about_a_student_is_logged(client, lecturer, student, in_force, specialist):
    course = lecturer.teaching_assignments.first().course
    item = services.consultation_request(actor=lecturer, course=course, question="?", student=student.student)
    client.force_login(specialist)
    client.get(_detail(item))
    assert AccessLog.objects.filter(user=specialist, student=student.student).exists()


# --- Guidance notes --------------------------------------------------------------------------------------------


@pytest.fixture
def extra_time():
    return Adaptation.objects.get(code="extra_time")


def _note_data(**extra):
    return {"title_kk": "Қосымша уақыт", "body_kk": "Емтиханда 25% қосымша уақыт.", "title_en": "Extra time"} | extra


def test_the_centre_head_writes_a_note_and_readers_see_it_in_their_language(client, centre_head, lecturer, extra_time):
    edit = reverse("routes:guidance_edit", args=[extra_time.pk])
    client.force_login(centre_head)
    response = client.post(edit, _note_data(title_kk="", body_kk=""))
    assert response.status_code == 422
    assert response.context["form"].errors["title_kk"] == ["Write the title in Kazakh."]
    assert not GuidanceNote.objects.exists()
    assert client.post(edit, _note_data()).status_code == 302
    note = GuidanceNote.objects.get()
    assert note.updated_by == centre_head and note.history.first().history_user == centre_head
    client.force_login(lecturer)
    page = client.get(reverse("routes:guidance_note", args=[extra_time.pk])).content.decode()
    assert "Extra time" in page and "25%" in page  # English title, Kazakh text where no English text is written
    assert client.get(edit).status_code == 404
    assert client.post(edit, _note_data(title_kk="Changed")).status_code == 404
    assert GuidanceNote.objects.get().title_kk == "Қосымша уақыт"


@pytest.mark.parametrize(
    ("persona", "library", "edit"),
    [
        ("lecturer", 200, 404),
        ("specialist", 200, 404),
        ("centre_head", 200, 200),
        ("administration", 200, 404),
        ("student", 404, 404),
        ("representative", 404, 404),
        ("auditor", 404, 404),
        ("sysadmin", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_reads_and_edits_guidance(client, request, persona, library, edit, extra_time):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("routes:guidance")).status_code == library
    assert client.get(reverse("routes:guidance_edit", args=[extra_time.pk])).status_code == edit


def test_the_library_keeps_its_query_count(client, lecturer, centre_head, django_assert_max_num_queries):
    for adaptation in Adaptation.objects.all()[:10]:
        services.guidance_note_save(adaptation=adaptation, actor=centre_head, texts=_note_data(title_en="Note MARK"))
    client.force_login(lecturer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("routes:guidance"))
    assert response.status_code == 200 and response.content.decode().count("Note MARK") == 10


def test_the_lecturers_route_section_links_the_guidance_of_the_recommended_adaptations(
    client, in_force, lecturer, centre_head, extra_time
):
    services.guidance_note_save(adaptation=extra_time, actor=centre_head, texts=_note_data())
    client.force_login(lecturer)
    page = client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    assert reverse("routes:guidance_note", args=[extra_time.pk]) in page


def test_the_guidance_links_cost_one_query_on_the_lecturers_route_page_whatever_their_number(
    client, in_force, lecturer, centre_head, extra_time
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("routes:route", args=[in_force.pk])
    client.force_login(lecturer)
    client.get(url)
    services.guidance_note_save(adaptation=extra_time, actor=centre_head, texts=_note_data())
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for adaptation in Adaptation.objects.exclude(pk=extra_time.pk):
        services.guidance_note_save(adaptation=adaptation, actor=centre_head, texts=_note_data(title_en="Another"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("/guidance/") >= 4  # the conclusion's four adaptations (and the menu)
    assert len(many) == len(one)
