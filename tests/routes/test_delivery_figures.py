"""Support promised against support delivered (issue #22, item 3): the reports show, per term, faculty and kind of
support, what the end-of-term surveys said, and per term and faculty the routes where delivery fell short; the
dashboard shows the last surveyed term and links each route that fell short."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from routes import reports, services
from routes.models import DeliverySurvey
from tests.routes.test_delivery_surveys import after, in_force_during

pytestmark = pytest.mark.django_db
SHORT = "Материалдар кешігіп берілді."


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _answer(survey, first="yes"):
    answers = {}
    for index, question in enumerate(survey.answers.order_by("order", "pk")):
        answer = first if index == 0 else "yes"
        answers[question.pk] = (answer, SHORT if answer != "yes" else "")
    services.survey_answer(survey=survey, actor=survey.respondent, answers=answers)


@pytest.fixture
def answered(in_force, term, student, lecturer, second_lecturer):
    """The student says the first measure was only partly provided; both lecturers say all was provided."""
    in_force_during(in_force, term)
    services.open_delivery_surveys(as_of=after(term), actor=None)
    _answer(DeliverySurvey.objects.get(respondent=student), first="partly")
    _answer(DeliverySurvey.objects.get(respondent=lecturer))
    _answer(DeliverySurvey.objects.get(respondent=second_lecturer))
    return in_force


def _table(key, tables):
    return next(table for table in tables if table.key == key)


def test_the_report_counts_promised_against_delivered_per_term_faculty_and_support(answered, term):
    translation.activate("en")
    tables = reports.report_tables(reports.ReportFilters())
    delivery = _table("delivery", tables)
    faculty = answered.application.student.programme.faculty.name
    measures = {row[2]: row for row in delivery.rows if row[2] != "Adaptations in the courses"}
    courses = next(row for row in delivery.rows if row[2] == "Adaptations in the courses")
    assert all(row[:2] == [str(term), faculty] for row in delivery.rows)
    # the student answered about each measure (the first "partly") and each course; the lecturers about theirs
    (measure,) = answered.measures.all()  # the route's one support measure, asked of the student only
    assert {who: row[3:] for who, row in measures.items()} == {measure.who: [0, 1, 0, 1]}
    assert courses[3:] == [4, 0, 0, 4]  # two courses, asked of the student and of each course's lecturer
    short = _table("delivery_short", tables)
    assert short.rows == [[str(term), faculty, 1, 1]]


def test_a_term_filter_leaves_out_the_answers_of_other_terms(answered, term):
    from tests.factories import AcademicTermFactory

    other = AcademicTermFactory()
    tables = reports.report_tables(reports.ReportFilters(term=other))
    assert _table("delivery", tables).rows == [] and _table("delivery_short", tables).rows == []
    tables = reports.report_tables(reports.ReportFilters(term=term))
    assert _table("delivery_short", tables).rows[0][-1] == 1


def test_unanswered_and_expired_surveys_count_for_nothing(in_force, term):
    in_force_during(in_force, term)
    services.open_delivery_surveys(as_of=after(term), actor=None)
    services.expire_delivery_surveys(as_of=after(term, 30))
    tables = reports.report_tables(reports.ReportFilters())
    assert _table("delivery", tables).rows == [] and _table("delivery_short", tables).rows == []


def test_the_administration_sees_the_labels_but_not_the_small_figures(client, answered, administration, term):
    client.force_login(administration)
    body = client.get(reverse("routes:reports")).content.decode()
    assert "Support promised and delivered" in body and "Routes where delivery fell short" in body
    assert str(term) in body and "fewer than 5" in body
    assert answered.application.student.user.full_name not in body


def test_the_dashboard_links_the_routes_that_fell_short_in_the_last_surveyed_term(client, answered, centre_head, term):
    client.force_login(centre_head)
    body = client.get(reverse("routes:dashboard")).content.decode()
    assert f"Support delivered in {term}" in body
    section = body.split('id="short-routes-title"', 1)[1].split("</section>", 1)[0]
    assert reverse("routes:route", args=[answered.pk]) in section
    assert answered.application.student.user.full_name in section and "Delivery fell short" in section


def test_the_dashboard_says_nothing_of_delivery_before_any_answer(client, in_force, centre_head):
    client.force_login(centre_head)
    body = client.get(reverse("routes:dashboard")).content.decode()
    assert "short-routes-title" not in body


def test_an_answer_reaches_the_dashboard_at_once(client, in_force, term, student, centre_head):
    """The figures are cached until the data changes: an answer is a change."""
    in_force_during(in_force, term)
    services.open_delivery_surveys(as_of=after(term), actor=None)
    client.force_login(centre_head)
    assert "short-routes-title" not in client.get(reverse("routes:dashboard")).content.decode()
    _answer(DeliverySurvey.objects.get(respondent=student), first="no")
    assert "short-routes-title" in client.get(reverse("routes:dashboard")).content.decode()


def test_the_delivery_figures_cost_the_same_queries_however_many_surveys(
    client, answered, term, centre_head, second_lecturer
):
    from tests.factories import AcademicTermFactory

    client.force_login(centre_head)
    client.get(reverse("routes:dashboard"))

    def count(url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = (reverse("routes:dashboard"), reverse("routes:reports"))
    before = {url: count(url) for url in urls}
    # a second, later term surveyed too: more rows, more terms, the same queries
    later = AcademicTermFactory(
        starts_on=term.ends_on + datetime.timedelta(days=10), ends_on=term.ends_on + datetime.timedelta(days=120)
    )
    services.surveys_open(route=answered, term=later, actor=None, as_of=later.ends_on)
    for survey in DeliverySurvey.objects.filter(term=later, status="open"):
        if survey.answers.exists():
            _answer(survey, first="no")
    assert {url: count(url) for url in urls} == before
