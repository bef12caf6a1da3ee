"""Issue 26, work queues: every staff role has a work list of what waits on it (filters, order by due date,
pages, a count in the menu, no cap), and its home page answers "what do I owe, by when"."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from routes import services
from routes.models import Assessment, Assignment
from routes.selectors.work import cached_counts, work_of
from students.models import Application
from tests.factories import ApplicationFactory, UserFactory

from .conftest import into_the_past, send, tomorrow_at

pytestmark = pytest.mark.django_db

WORK = reverse("routes:work")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["language"] = "en"


def _page(client, user, url=WORK, status=200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def _table(client, user, url=WORK) -> str:
    """The rows of the work list only (the filter's options name every kind of work)."""
    return "".join(_rows(_page(client, user, url)))


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def _submitted(n: int, *, days_ago: int = 0) -> list[Application]:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return [
        ApplicationFactory(status=Application.Status.SUBMITTED, submitted_at=when - datetime.timedelta(minutes=i))
        for i in range(n)
    ]


def _assigned(specialist, head, n: int) -> None:
    """`n` cases under assessment, each with a draft assessment of the specialist (rows only: reads are tested)."""
    for _ in range(n):
        application = ApplicationFactory(status=Application.Status.UNDER_ASSESSMENT, registered_at=timezone.now())
        assignment = Assignment.objects.create(
            application=application, specialist=specialist, area="cognitive", assigned_by=head
        )
        Assessment.objects.create(assignment=assignment)


# --- Who sees a work list, and only their own work ----------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "representative", "auditor", "sysadmin", "outsider"])
def test_roles_that_owe_no_steps_have_no_work_list(client, request, who):
    _page(client, request.getfixturevalue(who), status=404)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(WORK)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_each_role_sees_the_steps_it_owes_and_nobody_elses(
    client, route, specialist, centre_head, lecturer, second_lecturer, administration, student
):
    """One route with the lecturers, one application submitted: who sees what."""
    sent = send(route, specialist)
    _submitted(1)
    third_lecturer = UserFactory(roles=["lecturer"], full_name="Үшінші Оқытушы")
    other_specialist = UserFactory(roles=["specialist"], full_name="Басқа Маман")
    name = student.full_name

    head = _table(client, centre_head)
    assert "Register the application" in head
    assert "Agree the route section" not in head

    for person in (lecturer, second_lecturer):
        page = _table(client, person)
        assert "Agree the route section" in page
        assert reverse("routes:route", args=[sent.pk]) in page
        assert name in page
        assert "Register the application" not in page
    course_of_lecturer = sent.sections.get(lecturer=lecturer).course
    course_of_second = sent.sections.get(lecturer=second_lecturer).course
    assert str(course_of_second) not in _table(client, lecturer)
    assert str(course_of_lecturer) not in _table(client, second_lecturer)

    for person in (third_lecturer, other_specialist, administration):
        page = _page(client, person)
        assert name not in page
        assert "Nothing is waiting for you." in page


def test_the_administration_sees_routes_to_approve(client, in_approval, administration, lecturer, student):
    page = _table(client, administration)
    assert "Approve the route" in page
    assert reverse("routes:route", args=[in_approval.pk]) in page
    assert "Approve the route" not in _table(client, lecturer)


def test_a_route_returned_to_draft_is_in_its_authors_list_with_the_reason(
    client, in_approval, administration, specialist, centre_head
):
    services.route_return(route=in_approval, actor=administration, reason="Мерзімдерді нақтылаңыз")
    page = _page(client, specialist)
    (row,) = [row for row in _rows(page) if reverse("routes:route", args=[in_approval.pk]) in row]
    assert "Draft the route and send it for agreement" in row
    assert "Sent back to you" in row
    assert "Мерзімдерді нақтылаңыз" in row
    # Nobody else drafts it: the head did not draft this route and is not assigned to the case.
    assert reverse("routes:route", args=[in_approval.pk]) not in _page(client, centre_head)


def test_the_centre_head_lists_conclusions_to_sign_on_the_work_list_and_the_home_page(
    client, registered, specialist, centre_head, student
):
    assignment = services.assignment_add(
        application=registered, specialist=specialist, area="cognitive", actor=centre_head
    )
    assessment = assignment.assessment
    services.assessment_save(
        assessment=assessment,
        actor=specialist,
        findings="Талдау",
        strengths="",
        barriers="",
        adaptations=[],
        free_texts=["Қосымша уақыт"],
    )
    services.assessment_finish(assessment=assessment, actor=specialist)
    conclusion = services.conclusion_draft(application=registered, actor=specialist)
    url = reverse("routes:conclusion", args=[conclusion.pk])

    work = _table(client, centre_head)
    assert "Sign the conclusion" in work
    assert url in work
    home = _page(client, centre_head, reverse("home"))
    section = home.split('id="section-centre_head"', 1)[1]
    assert f"Conclusion for {student.full_name} awaits your signature" in section
    assert url in section
    assert "Sign the conclusion" not in _table(client, specialist)


# --- Filters, order, pages, no cap --------------------------------------------------------------------------


def test_no_cap_hides_work_and_the_list_is_paginated(client, specialist, centre_head):
    """The home page used to show 20 assessments at most; the work list shows every one, 25 a page."""
    _assigned(specialist, centre_head, 27)
    assert len(work_of(specialist)) == 27
    first = _page(client, specialist)
    assert "27 items waiting for you" in first
    assert len(_rows(first)) == 25
    assert "Page 1 of 2" in first
    assert len(_rows(_page(client, specialist, f"{WORK}?page=2"))) == 2


def test_earliest_due_first_by_default_and_the_filters(client, centre_head):
    _submitted(2, days_ago=20)  # overdue
    _submitted(3)
    page = _page(client, centre_head)
    dates = [datetime.datetime.strptime(d, "%d.%m.%Y") for d in re.findall(r"<td>(\d\d\.\d\d\.\d{4})", page)]
    assert dates == sorted(dates)
    assert page.count("Overdue</strong>") == 2  # overdue in words, not colour only

    latest_first = _page(client, centre_head, f"{WORK}?sort=-due")
    dates = [datetime.datetime.strptime(d, "%d.%m.%Y") for d in re.findall(r"<td>(\d\d\.\d\d\.\d{4})", latest_first)]
    assert dates == sorted(dates, reverse=True)

    assert len(_rows(_page(client, centre_head, f"{WORK}?overdue=on"))) == 2
    assert len(_rows(_page(client, centre_head, f"{WORK}?kind=register"))) == 5
    assert len(_rows(_page(client, centre_head, f"{WORK}?kind=sign_conclusion"))) == 0
    assert len(_rows(_page(client, centre_head, f"{WORK}?state=returned"))) == 0


def test_an_unknown_filter_answers_422_with_the_message_next_to_the_field(client, centre_head):
    page = _page(client, centre_head, f"{WORK}?kind=nonsense", status=422)
    assert "There is a problem" in page
    assert "Select a valid choice" in page


def test_the_page_is_accessible(client, centre_head):
    _submitted(1)
    page = _page(client, centre_head)
    assert page.count("<h1>") == 1
    assert "<caption>" in page
    for field in ("kind", "state", "overdue", "sort"):
        assert f'for="id_{field}"' in page, field


# --- Cost: no query per row; the menu count is a cached figure ----------------------------------------------


def test_the_work_page_costs_the_same_for_5_or_60_rows(client, centre_head, specialist, django_assert_max_num_queries):
    client.force_login(centre_head)
    _submitted(5)
    with django_assert_max_num_queries(22) as few:
        assert client.get(WORK).status_code == 200
    _submitted(55)
    _assigned(specialist, centre_head, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(WORK).status_code == 200


def test_the_menu_count_is_counted_once_per_change_of_the_data(centre_head, django_assert_num_queries):
    _submitted(3)
    assert cached_counts(centre_head) == (3, 0)
    with django_assert_num_queries(0):
        assert cached_counts(centre_head) == (3, 0)
    _submitted(1, days_ago=20)  # a change of the data: counted afresh
    assert cached_counts(centre_head) == (4, 1)


def test_the_menu_shows_the_count_and_links_the_specialists_cases(client, specialist, centre_head):
    _assigned(specialist, centre_head, 2)
    page = _page(client, specialist, reverse("home"))
    nav = page.split('aria-label="Main menu"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{WORK}">My work (2)</a>' in nav
    assert f'<a href="{reverse("students:my_applications")}"' in nav


# --- The home page: what do I owe, by when ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["specialist", "centre_head", "lecturer", "administration"])
def test_every_staff_home_page_says_what_is_owed_and_links_the_full_list(client, request, who):
    page = _page(client, request.getfixturevalue(who), reverse("home"))
    assert "What you owe, by when" in page
    assert f'href="{WORK}"' in page


def test_the_home_page_shows_the_first_items_with_due_dates_and_overdue_in_words(client, specialist, centre_head):
    _assigned(specialist, centre_head, 7)
    Application.objects.filter(assignments__specialist=specialist).update(
        registered_at=timezone.now() - datetime.timedelta(days=30)
    )
    page = _page(client, specialist, reverse("home"))
    summary = page.split('id="work-title"', 1)[1].split("</section>", 1)[0]
    assert summary.count("<li>") == 5
    assert summary.count("Due by ") == 5
    assert summary.count("Overdue</strong>") == 5
    assert "All your work (7 items)" in summary


def test_two_meetings_of_one_day_do_not_read_as_the_same_line(client, planned, centre_head, secretary, in_force):
    """The head's home page showed two identical "protocol … awaits signature" lines."""
    second = services.meeting_plan(
        actor=centre_head,
        starts_at=tomorrow_at(14),
        ends_at=tomorrow_at(15),
        place="Бас ғимарат, 105",
        online_link="",
        chair=centre_head,
        secretary=secretary,
    )
    services.agenda_item_add(
        meeting=second,
        actor=centre_head,
        application=None,
        route=in_force,
        topic="measures",
        note="",
        invite_student=False,
        invite_lecturers=False,
    )
    into_the_past(planned)
    into_the_past(second)
    from routes.models import TeamMeeting

    TeamMeeting.objects.filter(pk=second.pk).update(
        starts_at=planned.starts_at - datetime.timedelta(hours=2),
        ends_at=planned.starts_at - datetime.timedelta(hours=1),
    )
    for meeting in (planned, second):
        services.meeting_hold(meeting=meeting, actor=secretary)
    page = _page(client, centre_head, reverse("home"))
    lines = [
        line
        for line in re.findall(r"<li>(.*?)</li>", page, re.S)
        if "protocol" in line.lower() and "/meetings/" in line
    ]
    assert len(lines) == 2
    texts = [re.sub(r"<[^>]+>", "", line).strip() for line in lines]
    assert texts[0] != texts[1]
    for meeting in (planned, second):
        assert page.count(reverse("routes:meeting_protocol", args=[meeting.pk])) == 1
