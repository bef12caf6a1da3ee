"""The timelines tell what happened, in the order it happened: a section kept on resending is said to keep its
answer only when it had one, and the case says the specialists were assigned before it says one began assessing."""

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import StatusChange
from routes import services
from routes.models import Agreement, Route
from students.models import Application

from .conftest import agreement_of, send

pytestmark = pytest.mark.django_db

R = Route.Status
A = Agreement.Status
KEPT_ANSWER = "the earlier answer still stands"
AWAITED = "the lecturer's answer is still awaited"
SET_ASIDE = "the question was set aside when the route went back to draft"


def _send_comment(route) -> str:
    return (
        StatusChange.objects.filter(object_id=route.pk, content_type__model="route", to_status=R.IN_AGREEMENT)
        .latest("pk")
        .comment
    )


def test_a_section_never_answered_is_not_said_to_keep_its_answer(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    # The first lecturer asks for changes while the second has not answered yet: the route goes back to draft.
    services.agreement_answer(
        agreement=agreement_of(sent, lecturer), actor=lecturer, decision="changes", comment="Ауызша емтихан"
    )
    sent.refresh_from_db()
    section = sent.sections.get(lecturer=lecturer)
    services.section_update(
        section=section,
        actor=specialist,
        revision=sent.revision,
        content_adaptation=section.content_adaptation,
        methods=section.methods,
        assessment_forms="Ауызша емтихан",
    )
    with translation.override("en"):
        again = send(sent, specialist)
    comment = _send_comment(again)
    with translation.override("en"):
        waiting = str(sent.sections.get(lecturer=second_lecturer).course)
    # Its question was set aside when the route went back to draft (tests/routes/test_work_notices.py): it is
    # asked again, and the timeline says why, not that an answer nobody gave still stands.
    assert f"{waiting}: asked again, {SET_ASIDE}" in comment
    assert f"{waiting}: {KEPT_ANSWER}" not in comment
    assert KEPT_ANSWER not in comment  # nobody had answered and kept it
    assert agreement_of(again, second_lecturer).status == A.PENDING


def test_a_section_that_was_answered_keeps_its_answer_in_the_timeline(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    services.agreement_answer(
        agreement=agreement_of(sent, second_lecturer), actor=second_lecturer, decision="agreed", comment=""
    )
    services.agreement_answer(
        agreement=agreement_of(sent, lecturer), actor=lecturer, decision="changes", comment="Ауызша емтихан"
    )
    sent.refresh_from_db()
    with translation.override("en"):
        again = send(sent, specialist)
    comment = _send_comment(again)
    with translation.override("en"):
        agreed = str(sent.sections.get(lecturer=second_lecturer).course)
    assert f"{agreed}: {KEPT_ANSWER}" in comment
    assert AWAITED not in comment


def test_taken_back_and_sent_unchanged_the_route_still_waits_for_the_answers(
    route, specialist, lecturer, second_lecturer
):
    """Nobody answered: resending asks both lecturers again, and the route must not go to approval."""
    sent = send(route, specialist)
    services.route_withdraw_from_agreement(route=sent, actor=specialist, reason="Мерзімді тексеру")
    sent.refresh_from_db()
    with translation.override("en"):
        again = send(sent, specialist)
    assert again.status == R.IN_AGREEMENT
    assert again.sent_for_approval_at is None
    assert again.agreements.filter(status=A.PENDING).count() == 2
    assert _send_comment(again).count(SET_ASIDE) == 2
    assert again.agreements.filter(status=A.WITHDRAWN).count() == 2  # the questions set aside on taking back


def test_the_case_timeline_says_assigned_before_assessing(client, registered, specialist, centre_head, student):
    services.assignment_add(application=registered, specialist=specialist, area="cognitive", actor=centre_head)
    client.force_login(student)
    client.cookies["language"] = "en"
    content = client.get(reverse("students:application_detail", args=[registered.public_id])).content.decode()
    assigned = content.index("Specialists were assigned to assess the needs")
    began = content.index("A specialist began assessing: Cognitive")
    assert assigned < began
    moved = StatusChange.objects.get(
        object_id=registered.pk, content_type__model="application", to_status=Application.Status.UNDER_ASSESSMENT
    )
    assert moved.created_at <= registered.assignments.get().assigned_at
