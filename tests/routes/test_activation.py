"""Per-term activation (issue #22, item 4): a route in force follows the student's enrolments. A new course gets a
section and its lecturer a letter of accommodations to acknowledge; a dropped course's section is retired and its
letter withdrawn; the student asks for nothing again."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import StatusChange
from inclusion_centre.accounts.models import Notification
from routes import services
from routes.models import AccommodationLetter, RouteSection
from students.importing import import_reference
from students.models import Enrolment
from tests.factories import CourseFactory, EnrolmentFactory, TeachingAssignmentFactory, UserFactory

from .conftest import HEALTH

L = AccommodationLetter.Status


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def current_term(term):
    """The route's term runs until well after today, whatever day the suite runs on."""
    term.ends_on = timezone.localdate() + datetime.timedelta(days=90)
    term.save()
    return term


@pytest.fixture
def third_lecturer(db):
    return UserFactory(roles=["lecturer"], full_name="Оқытушы Үшінші")


@pytest.fixture
def new_course(current_term, third_lecturer):
    course = CourseFactory(name_en="Philosophy", name_kk="Философия")
    TeachingAssignmentFactory(lecturer=third_lecturer, course=course, term=current_term)
    return course


@pytest.fixture
def enrolled(in_force, student, new_course, current_term):
    EnrolmentFactory(student=student.student, course=new_course, term=current_term)
    return in_force


@pytest.fixture
def letter(enrolled, centre_head):
    services.follow_enrolments(actor=centre_head)
    return AccommodationLetter.objects.get()


def test_a_new_enrolment_adds_a_section_and_sends_its_lecturer_a_letter(enrolled, new_course, third_lecturer):
    followed = services.follow_enrolments(actor=None)

    assert [section.course for section in followed.added] == [new_course]
    section = RouteSection.objects.get(route=enrolled, course=new_course)
    assert section.lecturer == third_lecturer and section.removed_at is None and not section.added_manually
    # the conclusion's adaptations of the content and of assessment, as in a first version
    assert "•" in section.content_adaptation + section.assessment_forms
    letter = AccommodationLetter.objects.get(section=section)
    assert (letter.status, letter.lecturer, letter.route) == (L.SENT, third_lecturer, enrolled)
    assert StatusChange.objects.filter(object_id=str(letter.pk), to_status=L.SENT).count() == 1
    notice = Notification.objects.get(recipient=third_lecturer, kind="accommodation_letter")
    assert notice.url == reverse("routes:letter", args=[letter.pk])
    assert third_lecturer.has_perm("routes.view_route", enrolled)


def test_following_again_changes_nothing(letter):
    followed = services.follow_enrolments(actor=None)
    assert (followed.added, followed.retired) == ([], [])
    assert AccommodationLetter.objects.count() == 1
    assert Notification.objects.filter(kind="accommodation_letter").count() == 1


def test_a_dropped_course_is_retired_and_its_letter_withdrawn(letter, student, new_course):
    Enrolment.objects.filter(student=student.student, course=new_course).delete()

    followed = services.follow_enrolments(actor=None)

    assert [section.course for section in followed.retired] == [new_course]
    letter.refresh_from_db()
    letter.section.refresh_from_db()
    assert letter.status == L.WITHDRAWN and letter.withdrawn_reason
    assert letter.section.removed_at is not None


def test_a_section_added_by_hand_stays_when_the_enrolment_data_lacks_it(enrolled, courses, student):
    first, _second = courses
    RouteSection.objects.filter(route=enrolled, course=first).update(added_manually=True)
    Enrolment.objects.filter(student=student.student, course=first).delete()

    followed = services.follow_enrolments(actor=None)

    assert first not in [section.course for section in followed.retired]
    assert RouteSection.objects.get(route=enrolled, course=first).removed_at is None


def test_a_draft_route_does_not_follow(route, student, new_course, current_term):
    EnrolmentFactory(student=student.student, course=new_course, term=current_term)
    services.follow_enrolments(actor=None)
    assert not AccommodationLetter.objects.exists()
    assert not RouteSection.objects.filter(route=route, course=new_course).exists()


def test_a_route_that_ends_withdraws_its_letters(letter, centre_head):
    route = letter.route
    services.route_cancel(route=route, actor=centre_head, reason="Оқудан шықты")
    services.follow_enrolments(actor=None)
    letter.refresh_from_db()
    assert letter.status == L.WITHDRAWN


def test_an_import_of_enrolments_is_followed_at_once(
    in_force, student, new_course, current_term, sysadmin, django_capture_on_commit_callbacks
):
    content = _enrolment_file(student, new_course, current_term)
    with django_capture_on_commit_callbacks(execute=True):
        import_reference(kind="enrolments", file=io.BytesIO(content.encode()), actor=sysadmin)
    letter = AccommodationLetter.objects.get()
    assert letter.section.course == new_course
    assert letter.history.first().history_user == sysadmin


def test_a_dry_run_import_changes_no_route(in_force, student, new_course, current_term, sysadmin):
    content = _enrolment_file(student, new_course, current_term)
    import_reference(kind="enrolments", file=io.BytesIO(content.encode()), actor=sysadmin, dry_run=True)
    assert not AccommodationLetter.objects.exists()


def _enrolment_file(student, course, term) -> str:
    return f"student_id,course_id,term_id\n{student.student.external_id},{course.external_id},{term.external_id}\n"


# --- Pages ----------------------------------------------------------------------------------------------------


def test_the_lecturer_reads_and_acknowledges_the_letter(client, letter, third_lecturer):
    client.force_login(third_lecturer)
    url = reverse("routes:letter", args=[letter.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Philosophy" in page.content.decode() and HEALTH not in page.content.decode()

    answer = client.post(url)

    assert answer.status_code == 302
    letter.refresh_from_db()
    assert letter.status == L.ACKNOWLEDGED and letter.acknowledged_at is not None
    assert letter.history.first().history_user == third_lecturer
    again = client.post(url)
    assert again.status_code == 409
    assert AccommodationLetter.objects.get().acknowledged_at == letter.acknowledged_at


@pytest.mark.parametrize(
    "who",
    ["student", "representative", "lecturer", "second_lecturer", "specialist", "administration", "auditor", "outsider"],
)
def test_nobody_else_reads_or_acknowledges_it(client, request, letter, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("routes:letter", args=[letter.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    letter.refresh_from_db()
    assert letter.status == L.SENT


def test_the_centre_head_reads_it_but_cannot_acknowledge_it(client, letter, centre_head):
    client.force_login(centre_head)
    url = reverse("routes:letter", args=[letter.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 404
    letter.refresh_from_db()
    assert letter.status == L.SENT


def test_the_letters_page_lists_own_letters_or_all_for_the_centre_head(
    client, letter, third_lecturer, lecturer, centre_head, django_assert_max_num_queries
):
    client.force_login(third_lecturer)
    with django_assert_max_num_queries(9):
        mine = client.get(reverse("routes:letters"))
    assert mine.status_code == 200 and "Philosophy" in mine.content.decode()
    client.force_login(lecturer)
    assert "Philosophy" not in client.get(reverse("routes:letters")).content.decode()
    client.force_login(centre_head)
    everyone = client.get(reverse("routes:letters"), {"status": "sent"})
    assert "Philosophy" in everyone.content.decode() and third_lecturer.full_name in everyone.content.decode()
    assert "Philosophy" not in client.get(reverse("routes:letters"), {"status": "acknowledged"}).content.decode()


@pytest.mark.parametrize("who", ["student", "specialist", "administration", "auditor", "outsider"])
def test_the_letters_page_is_not_there_for_anyone_else(client, request, letter, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("routes:letters")).status_code == 404


def test_the_letters_page_makes_no_query_per_row(
    client, letter, centre_head, student, current_term, django_assert_num_queries
):
    client.force_login(centre_head)
    client.get(reverse("routes:letters"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("routes:letters"))
    for _ in range(3):
        course = CourseFactory()
        TeachingAssignmentFactory(course=course, term=current_term)
        EnrolmentFactory(student=student.student, course=course, term=current_term)
    services.follow_enrolments(actor=None)
    assert AccommodationLetter.objects.count() == 4
    client.get(reverse("routes:letters"))  # the menu's counts recounted once after the change, as before `one`
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("routes:letters"))
    assert len(four) == len(one), [q["sql"][q["sql"].find(" FROM ") :][:90] for q in four.captured_queries]
