"""The route's pages, tried by every role: who sees what, who may act, and what a refused request leaves."""

import pytest
from django.urls import reverse

from audit.models import AccessLog
from routes import services
from routes.models import Agreement, Route
from students.models import Application
from tests.factories import StudentFactory, UserFactory

from .conftest import HEALTH, agreement_of, send

pytestmark = pytest.mark.django_db

R = Route.Status
APPLICATION_MARKER = "MARKER-HEALTH"  # planted in the application's description and its uploaded document


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are asserted in English; the catalogues' completeness is tested elsewhere."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def unassigned_specialist():
    return UserFactory(roles=["specialist"], full_name="Бөтен Маман")


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


VIEWERS_BY_STATE = {
    # who may open the route page in each state (everyone else: 404)
    "draft": {"specialist", "centre_head"},
    "in_agreement": {"specialist", "centre_head", "lecturer", "second_lecturer"},
    "in_approval": {"specialist", "centre_head", "lecturer", "second_lecturer", "administration"},
    "in_force": {
        "specialist",
        "centre_head",
        "lecturer",
        "second_lecturer",
        "administration",
        "student",
        "representative",
    },
}
EVERYONE = [
    "student",
    "representative",
    "other_student",
    "specialist",
    "unassigned_specialist",
    "centre_head",
    "lecturer",
    "second_lecturer",
    "administration",
    "auditor",
    "sysadmin",
    "outsider",
]


@pytest.mark.parametrize("state", list(VIEWERS_BY_STATE))
@pytest.mark.parametrize("who", EVERYONE)
def test_who_opens_the_route_page(client, request, state, who, representative):
    fixture = {"draft": "route", "in_agreement": "route", "in_approval": "in_approval", "in_force": "in_force"}[state]
    item = request.getfixturevalue(fixture)
    if state == "in_agreement":
        item = send(item, request.getfixturevalue("specialist"))
    user = request.getfixturevalue(who)
    response = _get(client, user, reverse("routes:route", args=[item.pk]))
    expected = 200 if who in VIEWERS_BY_STATE[state] else 404
    assert response.status_code == expected
    if expected == 200:
        assert AccessLog.objects.filter(user=user, object_id=item.pk, action="view_case").exists()
        assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_a_lecturer_sees_only_their_course_and_no_health_information(
    client, route, specialist, lecturer, second_lecturer, courses
):
    sent = send(route, specialist)
    body = _get(client, lecturer, reverse("routes:route", args=[sent.pk])).content.decode()
    assert courses[0].code in body
    assert courses[1].code not in body
    assert HEALTH not in body and APPLICATION_MARKER not in body
    assert "Талдау" not in body  # the conclusion's analysis


def test_administration_and_the_student_never_see_health_information(client, in_force, administration, student):
    for user in (administration, student):
        body = _get(client, user, reverse("routes:route", args=[in_force.pk])).content.decode()
        assert in_force.registration_number in body
        assert HEALTH not in body and APPLICATION_MARKER not in body
    assert HEALTH not in _get(client, administration, reverse("routes:approvals")).content.decode()


def test_the_student_reads_the_route_in_plain_words_per_course(client, in_force, student, courses):
    body = _get(client, student, reverse("routes:route", args=[in_force.pk])).content.decode()
    assert "Yes, it is in force" in body
    for course in courses:
        assert course.name_en in body
    case = _get(client, student, reverse("students:application_detail", args=[in_force.application.public_id]))
    assert reverse("routes:route", args=[in_force.pk]) in case.content.decode()


# --- Drafting through the pages -----------------------------------------------------------------------------


def test_the_specialist_drafts_from_the_case_page(client, concluded, specialist, term):
    case_url = reverse("students:application_detail", args=[concluded.public_id])
    assert (
        reverse("routes:route_draft", args=[concluded.public_id]) in _get(client, specialist, case_url).content.decode()
    )
    response = client.post(
        reverse("routes:route_draft", args=[concluded.public_id]), {"academic_year": "1999-2000", "term": ""}
    )
    assert response.status_code == 422 and not Route.objects.exists()
    response = client.post(
        reverse("routes:route_draft", args=[concluded.public_id]), {"academic_year": term.academic_year, "term": ""}
    )
    item = Route.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("routes:route_edit", args=[item.pk])
    assert _get(client, specialist, response["Location"]).status_code == 200


@pytest.mark.parametrize("who", ["student", "lecturer", "administration", "unassigned_specialist", "outsider"])
def test_others_cannot_draft(client, request, concluded, term, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("routes:route_draft", args=[concluded.public_id]), {"academic_year": term.academic_year, "term": ""}
    )
    assert response.status_code == 404
    assert not Route.objects.exists()


def test_editing_the_general_part_and_a_stale_form(client, route, specialist):
    client.force_login(specialist)
    url = reverse("routes:route_edit", args=[route.pk])
    data = {"revision": route.revision, "goals": "Жаңа мақсат", "support_level": "3", "first_review_on": "2027-01-15"}
    assert client.post(url, data).status_code == 302
    route.refresh_from_db()
    assert route.goals == "Жаңа мақсат" and route.support_level == "3"
    stale = client.post(url, {**data, "goals": "Ескі"})
    assert stale.status_code == 409
    route.refresh_from_db()
    assert route.goals == "Жаңа мақсат"
    invalid = client.post(url, {**data, "revision": route.revision, "first_review_on": "31.31.2027"})
    assert invalid.status_code == 422 and "Enter a real date." in invalid.content.decode()


def test_adding_a_support_measure_without_reloading(client, route, specialist):
    client.force_login(specialist)
    url = reverse("routes:measure_add", args=[route.pk])
    response = client.post(url, {"measure-who": "Тьютор", "measure-what": "Апта сайын кездесу"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="measures">') and "Апта сайын кездесу" in body and "<html" not in body
    bad = client.post(url, {"measure-who": "", "measure-what": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "Say who provides the support." in bad.content.decode()
    assert route.measures.count() == 2
    measure = route.measures.get(who="Тьютор")
    removed = client.post(reverse("routes:measure_remove", args=[route.pk, measure.pk]), HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and "Апта сайын кездесу" not in removed.content.decode()


def test_sections_through_the_editor(client, route, specialist, lecturer, term):
    from tests.factories import CourseFactory

    client.force_login(specialist)
    section = route.sections.first()
    url = reverse("routes:section_update", args=[route.pk, section.pk])
    prefix = f"s{section.pk}"
    ok = client.post(url, {f"{prefix}-revision": route.revision, f"{prefix}-assessment_forms": "Ауызша"})
    assert ok.status_code == 302
    section.refresh_from_db()
    assert section.assessment_forms == "Ауызша"
    route.refresh_from_db()
    extra = CourseFactory()
    add = reverse("routes:section_add", args=[route.pk])
    missing = client.post(add, {"add-revision": route.revision, "add-course": extra.pk, "add-term": term.pk})
    assert missing.status_code == 422 and "Choose a lecturer." in missing.content.decode()
    added = client.post(
        add, {"add-revision": route.revision, "add-course": extra.pk, "add-term": term.pk, "add-lecturer": lecturer.pk}
    )
    assert added.status_code == 302
    new = route.sections.get(course=extra)
    route.refresh_from_db()
    remove = reverse("routes:section_remove", args=[route.pk, new.pk])
    assert client.post(remove, {f"remove{new.pk}-revision": route.revision}).status_code == 422
    assert (
        client.post(remove, {f"remove{new.pk}-revision": route.revision, f"remove{new.pk}-reason": "Қате"}).status_code
        == 302
    )
    new.refresh_from_db()
    assert not new.is_active


def test_sending_an_incomplete_route_shows_what_is_missing(client, concluded, specialist, term):
    item = services.route_draft(application=concluded, actor=specialist, academic_year=term.academic_year, term=None)
    client.force_login(specialist)
    response = client.post(reverse("routes:route_send", args=[item.pk]), {"revision": item.revision})
    assert response.status_code == 422
    assert "Write the goals of the route." in response.content.decode()
    item.refresh_from_db()
    assert item.status == R.DRAFT


# --- Answers and decisions through the pages ----------------------------------------------------------------


def test_the_lecturer_answers_on_the_route_page(client, route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    mine = agreement_of(sent, lecturer)
    theirs = agreement_of(sent, second_lecturer)
    client.force_login(lecturer)
    assert client.post(reverse("routes:agreement_answer", args=[theirs.pk]), {"decision": "agreed"}).status_code == 404
    no_comment = client.post(reverse("routes:agreement_answer", args=[mine.pk]), {"decision": "changes"})
    assert no_comment.status_code == 422
    assert "Write what should change" in no_comment.content.decode()
    mine.refresh_from_db()
    assert mine.status == Agreement.Status.PENDING
    asked = client.post(
        reverse("routes:agreement_answer", args=[mine.pk]), {"decision": "changes", "comment": "Ауызша емтихан"}
    )
    assert asked.status_code == 302
    sent.refresh_from_db()
    assert sent.status == R.DRAFT
    again = client.post(reverse("routes:agreement_answer", args=[mine.pk]), {"decision": "agreed"})
    assert again.status_code == 409


def test_the_lecturers_list_shows_what_is_due(client, route, specialist, lecturer, django_assert_max_num_queries):
    send(route, specialist)
    client.force_login(lecturer)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("routes:agreements")).content.decode()
    assert route.application.student.user.full_name in body


@pytest.mark.parametrize("who", ["specialist", "centre_head", "lecturer", "student", "auditor", "outsider"])
def test_only_administration_approves(client, request, in_approval, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("routes:route_approve", args=[in_approval.pk])).status_code == 404
    assert client.post(reverse("routes:route_return", args=[in_approval.pk]), {"reason": "x"}).status_code == 404
    in_approval.refresh_from_db()
    assert in_approval.status == R.IN_APPROVAL


def test_administration_approves_or_returns_through_the_pages(client, in_approval, administration):
    client.force_login(administration)
    assert in_approval.application.student.user.full_name in client.get(reverse("routes:approvals")).content.decode()
    url = reverse("routes:route_return", args=[in_approval.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 422
    in_approval.refresh_from_db()
    assert in_approval.status == R.IN_APPROVAL
    response = client.post(reverse("routes:route_approve", args=[in_approval.pk]))
    assert response.status_code == 302
    in_approval.refresh_from_db()
    assert in_approval.status == R.IN_FORCE
    twice = client.post(reverse("routes:route_approve", args=[in_approval.pk]))
    assert twice.status_code == 409
    assert "This cannot be done now" in twice.content.decode()


# --- Life of the route through the pages --------------------------------------------------------------------


def test_the_student_reports_changed_needs_and_the_specialist_reviews(client, in_force, student, specialist, lecturer):
    url = reverse("routes:changed_needs", args=[in_force.application.public_id])
    client.force_login(lecturer)
    assert client.get(url).status_code == 404
    client.force_login(student)
    assert client.post(url, {"text": ""}).status_code == 422
    assert client.post(url, {"text": "Көруім нашарлады"}).status_code == 302
    client.force_login(specialist)
    review_url = reverse("routes:route_review", args=[in_force.pk])
    page = client.get(review_url).content.decode()
    assert "Көруім нашарлады" in page
    assert client.post(review_url, {"reason": "changed_needs", "outcome": "revise"}).status_code == 422
    response = client.post(review_url, {"reason": "changed_needs", "outcome": "revise", "comment": "Жаңа формат"})
    new = Route.objects.get(previous=in_force)
    assert response.status_code == 302 and response["Location"] == reverse("routes:route_edit", args=[new.pk])
    in_force.refresh_from_db()
    assert in_force.status == R.UNDER_REVIEW


@pytest.mark.parametrize("who", ["specialist", "student", "lecturer", "administration", "outsider"])
def test_only_the_centre_head_closes_a_case(client, request, in_force, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("routes:case_close", args=[in_force.application.public_id])
    assert client.post(url, {"reason": "Бітірді"}).status_code == 404
    in_force.application.refresh_from_db()
    assert in_force.application.status == Application.Status.CONCLUDED


def test_the_centre_head_closes_a_case(client, in_force, centre_head):
    client.force_login(centre_head)
    url = reverse("routes:case_close", args=[in_force.application.public_id])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "Бітірді"}).status_code == 302
    in_force.refresh_from_db()
    assert in_force.status == R.COMPLETED


@pytest.mark.parametrize("name", ["route_edit", "route_send", "route_withdraw", "route_cancel", "measure_add"])
@pytest.mark.parametrize("who", ["lecturer", "administration", "student", "unassigned_specialist", "outsider"])
def test_the_editor_is_closed_to_everyone_else(client, request, route, name, who):
    client.force_login(request.getfixturevalue(who))
    before = (route.revision, route.status, route.measures.count())
    url = reverse(f"routes:{name}", args=[route.pk])
    assert client.get(url).status_code in {404, 405}
    assert (
        client.post(
            url, {"revision": route.revision, "reason": "x", "measure-who": "a", "measure-what": "b"}
        ).status_code
        == 404
    )
    route.refresh_from_db()
    assert (route.revision, route.status, route.measures.count()) == before


def test_list_pages_keep_their_query_count_as_routes_grow(client, term, administration, django_assert_num_queries):
    """The approval queue makes the same number of queries for 2 and for 12 routes."""
    from tests.factories import ApplicationFactory

    def make(count):
        for _ in range(count):
            student = StudentFactory()
            application = ApplicationFactory(student=student, status=Application.Status.CONCLUDED)
            conclusion = application.conclusions.create(drafted_by=administration, status="signed")
            Route.objects.create(
                application=application,
                conclusion=conclusion,
                academic_year=term.academic_year,
                drafted_by=administration,
                status=R.IN_APPROVAL,
                sent_for_approval_at="2026-11-02T10:00:00Z",
            )

    client.force_login(administration)
    make(2)
    client.get(reverse("routes:approvals"))  # warm caches (content types, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("routes:approvals")).status_code == 200
    make(10)
    # The menu's work count is a cached figure recounted once after a change of the data: warm it, as above.
    client.get(reverse("routes:approvals"))
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("routes:approvals")).content.decode()
    assert body.count('href="/routes/') >= 12
    assert len(many) == len(few)


def test_the_route_page_costs_the_same_for_2_and_8_sections(client, route, specialist, term, lecturer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CourseFactory

    client.force_login(specialist)
    url = reverse("routes:route", args=[route.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for _ in range(6):
        route.refresh_from_db()
        services.section_add(
            route=route, actor=specialist, revision=route.revision, course=CourseFactory(), term=term, lecturer=lecturer
        )
    route.refresh_from_db()
    assert route.sections.count() == 8
    client.get(url)  # the menu's work count is recounted once after a change of the data (a cached figure)
    assert count() == few
    editor = reverse("routes:route_edit", args=[route.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(editor).status_code == 200
    assert len(queries) <= 30
