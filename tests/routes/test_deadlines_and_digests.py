"""Due dates of every waiting step, the daily digest and the escalation of overdue steps."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from inclusion_centre.accounts.models import Notification
from routes import deadlines, services
from routes.models import Agreement
from tests.factories import submitted_application

from .conftest import send

pytestmark = pytest.mark.django_db


def _kinds(steps):
    return {step.kind for step in steps}


def test_each_waiting_step_has_an_owner_and_a_due_date(
    other_student, route, specialist, lecturer, second_lecturer, centre_head
):
    submitted_application(other_student)
    steps = deadlines.open_steps()
    assert {"register", "draft_route"} <= _kinds(steps)
    register = next(s for s in steps if s.kind == "register")
    assert centre_head in register.owners and register.due > datetime.date(2000, 1, 1)
    draft = next(s for s in steps if s.kind == "draft_route")
    assert draft.owners == [specialist]
    send(route, specialist)
    agree = [s for s in deadlines.open_steps() if s.kind == "agree"]
    assert {tuple(s.owners) for s in agree} == {(lecturer,), (second_lecturer,)}
    assert all(s.due == Agreement.objects.filter(lecturer=s.owners[0]).get().due_on for s in agree)


def test_review_steps_end_with_a_review(in_force):
    steps = deadlines.open_steps()
    review = next(s for s in steps if s.kind == "review")
    assert review.due == in_force.first_review_on
    services.route_review(route=in_force, actor=in_force.drafted_by, reason="scheduled", outcome="continue", comment="")
    assert "review" not in _kinds(deadlines.open_steps())


def test_open_steps_cost_the_same_for_few_and_many(django_assert_max_num_queries, route, specialist):
    send(route, specialist)
    with django_assert_max_num_queries(12):
        deadlines.open_steps()


def test_the_digest_tells_each_owner_once_a_day_in_their_language(route, specialist, lecturer, centre_head):
    lecturer.preferred_language = "ru"
    lecturer.save()
    send(route, specialist)
    due = Agreement.objects.filter(lecturer=lecturer).get().due_on
    far_before = due - datetime.timedelta(days=10)
    services.send_daily_digests(today=far_before)
    assert not Notification.objects.filter(kind="daily_digest", recipient=lecturer).exists()  # not due soon
    day = due - datetime.timedelta(days=1)
    services.send_daily_digests(today=day)
    services.send_daily_digests(today=day)
    digest = Notification.objects.get(kind="daily_digest", recipient=lecturer)
    assert route.application.student.user.full_name in digest.body
    with translation.override("ru"):
        label = str(deadlines.KINDS["agree"])
    assert label != "Agree the route section" and label in digest.body
    assert route.application.student.user.full_name not in digest.subject


def test_overdue_steps_are_escalated_to_the_centre_head(route, specialist, lecturer, centre_head, student):
    send(route, specialist)
    due = Agreement.objects.filter(lecturer=lecturer).get().due_on
    later = due + datetime.timedelta(days=3)
    services.send_daily_digests(today=later)
    services.send_daily_digests(today=later)
    escalation = Notification.objects.get(kind="overdue_escalation", recipient=centre_head)
    assert lecturer.full_name in escalation.body
    assert not Notification.objects.filter(kind="daily_digest", recipient=student).exists()  # owes nothing
    services.send_daily_digests(today=later + datetime.timedelta(days=1))
    assert Notification.objects.filter(kind="overdue_escalation", recipient=centre_head).count() == 2


def test_the_digest_is_scheduled_daily(settings):
    from routes.tasks import notify_daily_digests

    assert settings.CELERY_BEAT_SCHEDULE["daily-digests"]["task"] == notify_daily_digests.name
    assert notify_daily_digests.delay().get() == 0  # nothing waits on anyone


def test_due_dates_show_where_the_steps_appear(client, settings, concluded, specialist, centre_head, student):
    """The signing of a draft conclusion and the drafting of the route show their due dates on their pages."""
    from routes.models import Conclusion
    from routes.selectors import conclusion_sign_due

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    case = reverse("students:application_detail", args=[concluded.public_id])
    client.force_login(student)
    step = next(s for s in deadlines.open_steps() if s.kind == "draft_route")
    assert f"Expected by {step.due:%d.%m.%Y}" in client.get(case).content.decode()
    draft = services.conclusion_draft(application=concluded, actor=specialist)
    assert draft.status == Conclusion.Status.DRAFT
    client.force_login(centre_head)
    page = client.get(reverse("routes:conclusion", args=[draft.pk])).content.decode()
    assert f"{conclusion_sign_due(draft):%d.%m.%Y}" in page and "Due by" in page


def test_a_protocol_waiting_for_signatures_shows_when_it_is_due(client, settings, held, centre_head):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    step = next(s for s in deadlines.open_steps() if s.kind == "sign_protocol")
    client.force_login(centre_head)
    page = client.get(reverse("routes:protocol", args=[held.pk])).content.decode()
    assert "Due by" in page and f"{step.due:%d.%m.%Y}" in page


def test_overdue_steps_are_the_overdue_open_steps_cut_in_the_database(route, submitted):
    """The dashboard's list: the same steps as filtering open_steps(), most overdue first, at most `limit`."""
    from django.utils import timezone

    later = timezone.localdate() + datetime.timedelta(days=60)
    expected = [s for s in deadlines.open_steps() if s.is_overdue(later)]
    assert expected  # sixty days on, the route drafted here is overdue for sending
    got = deadlines.overdue_steps(later, limit=50)
    assert [(s.kind, s.url, s.due) for s in got] == [(s.kind, s.url, s.due) for s in expected]
    assert deadlines.overdue_steps(timezone.localdate() - datetime.timedelta(days=1), limit=50) == []
    assert len(deadlines.overdue_steps(later, limit=1)) == 1
