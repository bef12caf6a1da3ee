"""End-of-term delivery surveys (issue #22, item 3): when a term ends, the student and each lecturer of a route in
force are asked whether the support was provided; "partly" or "no" gives the centre a task and shows on the route
and its review until the route is reviewed."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import StatusChange
from inclusion_centre.accounts.models import Notification
from routes import services, tasks
from routes.models import DeliveryAnswer, DeliverySurvey, Route, SupportMeasure
from routes.selectors.work import work_of
from tests.factories import UserFactory

S = DeliverySurvey.Status
SHORT_NOTE = "MARKER-NO-READER"


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def after(term, days=1):
    return term.ends_on + datetime.timedelta(days=days)


def in_force_during(route, term):
    """The route came into force while the term ran, whatever day the suite runs (surveys ask only about terms a
    route was in force for)."""
    approved = timezone.make_aware(datetime.datetime.combine(term.starts_on + datetime.timedelta(days=30), NOON))
    Route.objects.filter(pk=route.pk).update(approved_at=approved)


NOON = datetime.time(12)


@pytest.fixture
def opened(in_force, term):
    in_force_during(in_force, term)
    return services.open_delivery_surveys(as_of=after(term), actor=None)


def survey_of(user):
    return DeliverySurvey.objects.get(respondent=user)


def _url(survey):
    return reverse("routes:delivery_survey", args=[survey.pk])


def _form(survey, answer="yes", comment="", **override):
    data = {}
    for question in survey.answers.all():
        data[f"q{question.pk}_answer"] = answer
        data[f"q{question.pk}_comment"] = comment
    data.update(override)
    return data


# --- Opening ------------------------------------------------------------------------------------------------


def test_the_end_of_term_opens_one_survey_for_the_student_and_each_lecturer(
    opened, in_force, student, lecturer, second_lecturer, term
):
    assert {(s.respondent, s.role) for s in opened} == {
        (student, "student"),
        (lecturer, "lecturer"),
        (second_lecturer, "lecturer"),
    }
    mine = survey_of(student)
    # the student: every measure and every course of the term; a lecturer: their own course only
    assert [bool(q.measure_id) for q in mine.answers.all()] == [True, False, False]
    own = survey_of(lecturer).answers.get()
    assert own.section.lecturer == lecturer and own.measure is None
    assert (mine.status, mine.term, mine.due_on) == (S.OPEN, term, after(term) + datetime.timedelta(days=14))
    assert StatusChange.objects.filter(object_id=str(mine.pk), to_status=S.OPEN, actor=None).count() == 1
    assert mine.history.get().history_user is None  # the system opened it
    notice = Notification.objects.get(recipient=lecturer, kind="delivery_survey")
    assert notice.url == _url(survey_of(lecturer))


def test_opening_again_changes_nothing(opened, term):
    assert services.open_delivery_surveys(as_of=after(term, 2)) == []
    assert DeliverySurvey.objects.count() == 3 and DeliveryAnswer.objects.count() == 5


def test_nothing_opens_before_the_term_ends_nor_for_a_term_long_past(in_force, term):
    assert services.open_delivery_surveys(as_of=term.ends_on) == []
    assert services.open_delivery_surveys(as_of=after(term, 60)) == []
    assert not DeliverySurvey.objects.exists()


def test_a_route_no_longer_in_force_gets_no_survey(in_force, term, specialist):
    services.route_cancel(route=in_force, actor=specialist, reason="Оқуды тастады")
    assert services.open_delivery_surveys(as_of=after(term)) == []


def test_the_command_and_the_beat_task_open_them(in_force, term, capsys, settings):
    in_force_during(in_force, term)
    call_command("open_delivery_surveys", "--as-of", after(term).isoformat())
    assert "surveys opened: 3" in capsys.readouterr().out
    assert tasks.open_delivery_surveys() == 0  # today: nothing more to open, and no error
    assert "open-delivery-surveys" in settings.CELERY_BEAT_SCHEDULE


def test_unanswered_surveys_expire_after_their_date(opened, term, lecturer):
    late = survey_of(lecturer).due_on + datetime.timedelta(days=1)
    services.open_delivery_surveys(as_of=late)
    assert set(DeliverySurvey.objects.values_list("status", flat=True)) == {S.EXPIRED}
    assert StatusChange.objects.filter(to_status=S.EXPIRED, actor=None).count() == 3


# --- Answering ----------------------------------------------------------------------------------------------


def test_the_student_answers_yes_and_nothing_is_flagged(client, opened, student, centre_head):
    survey = survey_of(student)
    client.force_login(student)
    response = client.post(_url(survey), _form(survey))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.status, survey.fell_short) == (S.ANSWERED, False) and survey.answered_at is not None
    assert set(survey.answers.values_list("answer", flat=True)) == {"yes"}
    assert survey.history.latest().history_user == student
    assert not [item for item in work_of(centre_head) if item.kind == "delivery_short"]


def test_a_no_opens_a_task_for_the_centre_and_shows_on_the_route(
    client, opened, in_force, lecturer, centre_head, specialist, second_lecturer
):
    survey = survey_of(lecturer)
    client.force_login(lecturer)
    assert client.post(_url(survey), _form(survey, answer="no", comment=SHORT_NOTE)).status_code == 302
    survey.refresh_from_db()
    assert (survey.status, survey.fell_short) == (S.ANSWERED, True)

    for who in (centre_head, specialist):
        tasks_ = [item for item in work_of(who) if item.kind == "delivery_short"]
        assert [item.url for item in tasks_] == [reverse("routes:route", args=[in_force.pk])]
        client.force_login(who)
        page = client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
        assert "Delivery fell short" in page and SHORT_NOTE in page
    assert SHORT_NOTE in client.get(reverse("routes:route_review", args=[in_force.pk])).content.decode()
    # a lecturer reading the route does not see what another lecturer answered
    client.force_login(second_lecturer)
    assert SHORT_NOTE not in client.get(reverse("routes:route", args=[in_force.pk])).content.decode()

    services.route_review(
        route=in_force, actor=specialist, reason="other", outcome="continue", comment="Оқырман табылды"
    )
    assert not [item for item in work_of(centre_head) if item.kind == "delivery_short"]
    client.force_login(centre_head)
    assert SHORT_NOTE not in client.get(reverse("routes:route", args=[in_force.pk])).content.decode()


BAD = {
    "missing_answer": ({"answer": ""}, "_answer", "Choose yes, partly or no."),
    "unknown_answer": ({"answer": "maybe"}, "_answer", "Choose yes, partly or no."),
    "partly_without_comment": ({"answer": "partly", "comment": "  "}, "_comment", "Say what was missing"),
    "comment_too_long": ({"answer": "no", "comment": "x" * 1001}, "_comment", "at most 1000 characters"),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_answers_are_refused_next_to_the_field_and_nothing_is_saved(client, opened, student, case):
    changes, suffix, message = case
    survey = survey_of(student)
    client.force_login(student)
    response = client.post(_url(survey), _form(survey, **changes))
    assert response.status_code == 422
    page = response.content.decode()
    first = survey.answers.first()
    assert f'id="id_q{first.pk}{suffix}_error"' in page and message in page
    assert 'class="error-summary"' in page
    survey.refresh_from_db()
    assert survey.status == S.OPEN
    assert set(survey.answers.values_list("answer", flat=True)) == {""}


def test_the_service_refuses_a_partial_answer_and_saves_nothing(opened, student):
    survey = survey_of(student)
    first = survey.answers.first()
    with pytest.raises(Exception) as refused:
        services.survey_answer(survey=survey, actor=student, answers={first.pk: ("yes", "")})
    assert "Choose yes, partly or no." in str(refused.value)
    assert not DeliveryAnswer.objects.exclude(answer="").exists()


def test_a_survey_is_answered_once(client, opened, student):
    survey = survey_of(student)
    client.force_login(student)
    client.post(_url(survey), _form(survey))
    response = client.post(_url(survey), _form(survey, answer="no", comment="кейін"))
    assert response.status_code == 409
    assert set(survey.answers.values_list("answer", flat=True)) == {"yes"}


# --- Who sees what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,sees",
    [
        ("student", 200),
        ("representative", 404),
        ("lecturer", 404),
        ("second_lecturer", 404),
        ("specialist", 200),
        ("centre_head", 200),
        ("administration", 404),
        ("outsider", 404),
    ],
)
def test_the_students_survey_is_seen_by_the_student_and_the_centre_only(client, request, opened, student, who, sees):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(survey_of(student))).status_code == sees


@pytest.mark.parametrize("who", ["student", "second_lecturer", "centre_head", "specialist", "outsider"])
def test_nobody_answers_someone_elses_survey(client, request, opened, lecturer, who):
    survey = survey_of(lecturer)
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url(survey), _form(survey, answer="no", comment="x")).status_code == 404
    survey.refresh_from_db()
    assert survey.status == S.OPEN and not survey.answers.exclude(answer="").exists()


def test_a_lecturer_lists_only_their_own_surveys(client, opened, lecturer, second_lecturer):
    client.force_login(lecturer)
    page = client.get(reverse("routes:delivery_surveys")).content.decode()
    assert _url(survey_of(lecturer)) in page and _url(survey_of(second_lecturer)) not in page


@pytest.mark.parametrize("who,sees", [("administration", 404), ("outsider", 404), ("specialist", 404)])
def test_the_list_is_for_respondents_and_the_centre_head(client, request, opened, who, sees):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("routes:delivery_surveys")).status_code == sees


# --- Queries ------------------------------------------------------------------------------------------------


def test_the_survey_page_costs_the_same_for_1_or_20_measures(
    client, opened, in_force, student, term, django_assert_max_num_queries
):
    client.force_login(student)
    survey = survey_of(student)
    with django_assert_max_num_queries(9) as few:
        assert client.get(_url(survey)).status_code == 200
    for order in range(20):
        SupportMeasure.objects.create(route=in_force, who="Тьютор", what=f"Кеңес {order}", order=order + 5)
    DeliverySurvey.objects.all().delete()
    services.open_delivery_surveys(as_of=after(term))
    survey = survey_of(student)
    assert survey.answers.count() == 23
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_url(survey)).status_code == 200


def test_the_list_costs_the_same_for_3_or_30_surveys(
    client, opened, centre_head, in_force, term, django_assert_max_num_queries
):
    client.force_login(centre_head)
    with django_assert_max_num_queries(13) as few:
        assert client.get(reverse("routes:delivery_surveys")).status_code == 200
    for _n in range(27):
        DeliverySurvey.objects.create(
            route=in_force,
            term=term,
            respondent=UserFactory(roles=["lecturer"]),
            role="lecturer",
            opened_at=in_force.approved_at,
            due_on=term.ends_on,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("routes:delivery_surveys"))
    assert "30 surveys" in page.content.decode()


def test_the_route_page_shortfalls_cost_one_query(
    client, opened, in_force, lecturer, student, centre_head, django_assert_num_queries
):
    for person in (lecturer, student):
        survey = survey_of(person)
        services.survey_answer(
            survey=survey, actor=person, answers={q.pk: ("no", SHORT_NOTE) for q in survey.answers.all()}
        )
    from routes.selectors import route_shortfalls

    with django_assert_num_queries(1):
        shortfalls = route_shortfalls(in_force)
        assert [a.survey.respondent.full_name for a in shortfalls]
    assert len(shortfalls) == 4
