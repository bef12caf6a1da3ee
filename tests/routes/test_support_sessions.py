"""Support delivered: the sessions a specialist logs under the measures of a route in force, who sees them, who
logs and corrects them, and what a refused request leaves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.workflow import IllegalMove
from routes import services
from routes.models import SupportSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE = "MARKER-SESSION-NOTE"  # what was done: the centre's notes, never shown to the student side


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def other_specialist():
    return UserFactory(roles=["specialist"], full_name="Бөтен Маман")


@pytest.fixture
def measure(in_force):
    return in_force.measures.get()


@pytest.fixture
def logged(measure, specialist):
    return services.support_session_log(
        measure=measure, actor=specialist, held_on=timezone.localdate(), minutes=45, notes=NOTE, attended=True
    )


def _url(route):
    return reverse("routes:support", args=[route.pk])


def _form(chosen, **changes):
    data = {
        "measure": chosen.pk,
        "held_on": timezone.localdate().isoformat(),
        "minutes": "40",
        "attended": "yes",
        "notes": "Жаттығулар",
    }
    data.update(changes)
    return data


# --- Who sees the page --------------------------------------------------------------------------------------

FULL, PLAIN, NOTHING = "full", "plain", "nothing"
SEES = {
    "specialist": FULL,
    "centre_head": FULL,
    "student": PLAIN,
    "representative": PLAIN,
    "lecturer": NOTHING,
    "administration": NOTHING,
    "other_specialist": NOTHING,
    "outsider": NOTHING,
}


@pytest.mark.parametrize("who", SEES)
def test_who_sees_the_sessions(client, request, in_force, logged, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(in_force))
    if SEES[who] == NOTHING:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert logged.held_on.strftime("%d.%m.%Y") in body
    assert (NOTE in body) == (SEES[who] == FULL)
    assert ('name="minutes"' in body) == (SEES[who] == FULL)


def test_reading_the_page_is_logged(client, in_force, logged, student):
    client.force_login(student)
    client.get(_url(in_force))
    entry = AccessLog.objects.filter(user=student, action=AccessLog.Action.VIEW_CASE).latest("pk")
    assert entry.student_id == in_force.application.student_id
    assert entry.path == _url(in_force)


@pytest.mark.parametrize("who, linked", [("specialist", True), ("student", True), ("lecturer", False)])
def test_the_route_page_links_to_it_for_those_who_may_see_it(client, request, in_force, who, linked):
    client.force_login(request.getfixturevalue(who))
    body = client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    assert (_url(in_force) in body) == linked


def test_no_page_before_the_route_is_approved(client, route, specialist):
    client.force_login(specialist)
    assert client.get(_url(route)).status_code == 404


# --- Who logs a session -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["specialist", "centre_head"])
def test_the_centre_logs_a_session(client, request, in_force, measure, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(_url(in_force), _form(measure, attended="no"))
    assert response.status_code == 302
    session = SupportSession.objects.get()
    assert (session.measure, session.minutes, session.attended, session.recorded_by) == (measure, 40, False, user)
    assert session.history.get().history_user == user


@pytest.mark.parametrize(
    "who", ["student", "representative", "lecturer", "administration", "other_specialist", "outsider"]
)
def test_nobody_else_logs_a_session(client, request, in_force, measure, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url(in_force), _form(measure)).status_code == 404
    assert not SupportSession.objects.exists()


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
BAD = {
    "future": ({"held_on": TOMORROW}, "held_on", "The date cannot be in the future."),
    "before_force": ({"held_on": "2000-01-01"}, "held_on", "before the route came into force"),
    "zero": ({"minutes": "0"}, "minutes", "Enter a length from 1 to 480 minutes."),
    "too_long": ({"minutes": "481"}, "minutes", "Enter a length from 1 to 480 minutes."),
    "not_a_number": ({"minutes": "ten"}, "minutes", "Enter a whole number."),
    "no_answer": ({"attended": ""}, "attended", "Say whether the student came."),
    "no_measure": ({"measure": "999999"}, "measure", "Choose one of the route"),
    "long_notes": ({"notes": "x" * 2001}, "notes", "at most 2000 characters"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_next_to_the_field(client, in_force, measure, specialist, case):
    changes, field, message = BAD[case]
    client.force_login(specialist)
    response = client.post(_url(in_force), _form(measure, **changes))
    assert response.status_code == 422
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert not SupportSession.objects.exists()


# --- The service --------------------------------------------------------------------------------------------


def test_no_session_under_a_route_not_in_force(route, specialist, concluded):
    measure = route.measures.get()
    with pytest.raises(IllegalMove):
        services.support_session_log(
            measure=measure, actor=specialist, held_on=timezone.localdate(), minutes=30, notes="", attended=True
        )
    assert not SupportSession.objects.exists()


def test_the_service_refuses_someone_not_on_the_case(measure, other_specialist):
    with pytest.raises(PermissionDenied):
        services.support_session_log(
            measure=measure, actor=other_specialist, held_on=timezone.localdate(), minutes=30, notes="", attended=True
        )


def test_the_author_corrects_within_a_week(logged, specialist):
    corrected = services.support_session_correct(
        session=logged, actor=specialist, held_on=logged.held_on, minutes=60, notes="Түзетілді", attended=False
    )
    assert (corrected.minutes, corrected.attended) == (60, False)
    assert [h.history_user for h in corrected.history.all()] == [specialist, specialist]


def test_only_the_author_corrects(logged, centre_head):
    with pytest.raises(PermissionDenied):
        services.support_session_correct(
            session=logged, actor=centre_head, held_on=logged.held_on, minutes=60, notes="", attended=True
        )


def test_no_correction_after_a_week(logged, specialist):
    SupportSession.objects.filter(pk=logged.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    with pytest.raises(IllegalMove):
        services.support_session_correct(
            session=logged, actor=specialist, held_on=logged.held_on, minutes=60, notes="", attended=True
        )
    logged.refresh_from_db()
    assert logged.minutes == 45


def test_a_correction_is_checked_like_a_new_session(logged, specialist):
    with pytest.raises(ValidationError) as error:
        services.support_session_correct(
            session=logged, actor=specialist, held_on=logged.held_on, minutes=0, notes="", attended=True
        )
    assert "minutes" in error.value.error_dict


# --- The correction page -----------------------------------------------------------------------------------


def _correct_url(session):
    return reverse("routes:support_correct", args=[session.measure.route_id, session.pk])


def test_the_author_corrects_on_the_page_and_the_support_page_links_to_it(client, in_force, logged, specialist):
    client.force_login(specialist)
    assert _correct_url(logged) in client.get(_url(in_force)).content.decode()
    assert client.get(_correct_url(logged)).status_code == 200
    response = client.post(
        _correct_url(logged), {"held_on": logged.held_on.isoformat(), "minutes": "50", "attended": "no"}
    )
    assert response.status_code == 302
    logged.refresh_from_db()
    assert (logged.minutes, logged.attended, logged.notes) == (50, False, "")
    assert logged.history.first().history_user == specialist


def test_a_bad_correction_is_refused_next_to_the_field(client, logged, specialist):
    client.force_login(specialist)
    response = client.post(_correct_url(logged), {"held_on": TOMORROW, "minutes": "500", "attended": "yes"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "The date cannot be in the future." in body and "Enter a length from 1 to 480 minutes." in body
    logged.refresh_from_db()
    assert logged.minutes == 45


@pytest.mark.parametrize(
    "who", ["centre_head", "student", "lecturer", "administration", "other_specialist", "outsider"]
)
def test_nobody_but_the_author_opens_the_correction(client, request, logged, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_correct_url(logged)).status_code == 404
    assert client.post(_correct_url(logged), {"held_on": "", "minutes": "1", "attended": "no"}).status_code == 404
    logged.refresh_from_db()
    assert logged.minutes == 45


def test_after_a_week_the_correction_page_is_gone(client, in_force, logged, specialist):
    SupportSession.objects.filter(pk=logged.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    client.force_login(specialist)
    assert _correct_url(logged) not in client.get(_url(in_force)).content.decode()
    assert client.get(_correct_url(logged)).status_code == 404


# --- Queries ------------------------------------------------------------------------------------------------


PAGE_QUERIES = 9  # session, user, route with its grants, sections, measures, sessions, the access log


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_makes_the_same_queries_for_2_and_20_sessions(
    client, in_force, measure, specialist, count, django_assert_num_queries
):
    for day in range(count):
        SupportSession.objects.create(
            measure=measure,
            held_on=timezone.localdate(),
            minutes=30 + day,
            attended=day % 2 == 0,
            recorded_by=specialist,
        )
    client.force_login(specialist)
    client.get(_url(in_force))  # warm the per-session caches (menu counts)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(_url(in_force))
    assert response.status_code == 200


def test_the_page_speaks_the_default_language(client, settings, in_force, logged, student):
    """Kazakh by default: the heading, the plural caption and the attendance tag come from the catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    client.force_login(student)
    body = client.get(_url(in_force)).content.decode()
    assert "Көрсетілген қолдау" in body and "1 сабақ" in body and "Келді" in body
