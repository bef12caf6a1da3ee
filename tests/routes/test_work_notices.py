"""Issue 26, notices: the centre head is told of a conclusion to sign; a route back in draft tells its authors and
the lecturers still asked, and its page shows the true state of each section; staff read their own next step."""

import pytest
from django.urls import reverse

from inclusion_centre.accounts.models import Notification
from inclusion_centre.outbox.models import OutboxMessage
from routes import services
from routes.models import Agreement
from routes.selectors import agreements_awaiting
from tests.factories import UserFactory

from .conftest import agreement_of, send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["language"] = "en"


def _finished_assessment(registered, specialist, centre_head):
    assignment = services.assignment_add(
        application=registered, specialist=specialist, area="cognitive", actor=centre_head
    )
    services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="Талдау",
        strengths="",
        barriers="",
        adaptations=[],
        free_texts=["Қосымша уақыт"],
    )
    services.assessment_finish(assessment=assignment.assessment, actor=specialist)


def test_the_centre_heads_are_told_when_a_conclusion_waits_for_their_signature(
    registered, specialist, centre_head, django_capture_on_commit_callbacks
):
    centre_head.preferred_language = "ru"
    centre_head.save()
    other_head = UserFactory(roles=["centre_head"], preferred_language="kk")
    _finished_assessment(registered, specialist, centre_head)
    with django_capture_on_commit_callbacks():
        conclusion = services.conclusion_draft(application=registered, actor=specialist)
    url = reverse("routes:conclusion", args=[conclusion.pk])
    for head in (centre_head, other_head):
        (notice,) = Notification.objects.filter(recipient=head, kind="conclusion_to_sign")
        assert notice.url == url
    ru = Notification.objects.get(recipient=centre_head, kind="conclusion_to_sign")
    assert "подпис" in ru.subject.lower()  # in the head's language
    assert not Notification.objects.filter(recipient=specialist, kind="conclusion_to_sign").exists()
    # The e-mail goes through the outbox with the notification.
    assert OutboxMessage.objects.filter(task__icontains="notification").count() >= 2


def test_a_head_who_drafts_the_conclusion_is_not_told_about_their_own_draft(registered, specialist, centre_head):
    _finished_assessment(registered, specialist, centre_head)
    services.conclusion_draft(application=registered, actor=centre_head)
    assert not Notification.objects.filter(recipient=centre_head, kind="conclusion_to_sign").exists()


def test_a_returned_route_tells_its_authors(in_approval, administration, specialist):
    services.route_return(route=in_approval, actor=administration, reason="Мерзімдерді нақтылаңыз")
    (notice,) = Notification.objects.filter(recipient=specialist, kind="route_returned")
    assert "Мерзімдерді нақтылаңыз" in notice.body
    assert notice.url == reverse("routes:route", args=[in_approval.pk])


def test_changes_asked_by_one_lecturer_set_the_others_questions_aside_and_tell_them(
    client, route, specialist, lecturer, second_lecturer
):
    sent = send(route, specialist)
    services.agreement_answer(
        agreement=agreement_of(sent, lecturer), actor=lecturer, decision="changes", comment="Емтихан формасы"
    )
    # The other lecturer's question is no longer open anywhere, and they were told why and what comes next.
    assert not Agreement.objects.filter(route=sent, status="pending").exists()
    assert not agreements_awaiting(second_lecturer).exists()
    (notice,) = Notification.objects.filter(recipient=second_lecturer, kind="route_agreement_paused")
    assert notice.url == reverse("routes:route", args=[sent.pk])
    assert not Notification.objects.filter(recipient=lecturer, kind="route_agreement_paused").exists()
    assert not second_lecturer.has_perm("routes.agree_routesection", sent.sections.get(lecturer=second_lecturer))

    # The route page says what is true: not "waiting for the lecturer's answer, due …" without a form.
    second_section = sent.sections.get(lecturer=second_lecturer)
    for reader in (specialist, second_lecturer):
        client.force_login(reader)
        page = client.get(reverse("routes:route", args=[sent.pk])).content.decode()
        card = page.split(f'id="section-{second_section.pk}"', 1)[1].split("</section>", 1)[0]
        assert "Waiting for the lecturer" not in card
        assert "due by" not in card
        assert "Not asked now" in card
        assert "will be asked again" in card

    # Sent again, the lecturer is asked again (a new question, a new notice), as the notice promised.
    sent.refresh_from_db()
    resent = send(sent, specialist)
    assert agreement_of(resent, second_lecturer).round == 2
    assert Notification.objects.filter(recipient=second_lecturer, kind="route_agreement_requested").count() == 2


def test_taking_the_route_back_also_sets_the_questions_aside(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    services.route_withdraw_from_agreement(route=sent, actor=specialist, reason="Қате")
    assert not Agreement.objects.filter(route=sent, status="pending").exists()
    for person in (lecturer, second_lecturer):
        assert Notification.objects.filter(recipient=person, kind="route_agreement_paused").count() == 1


def test_the_notice_is_translated(route, specialist, lecturer, second_lecturer):
    second_lecturer.preferred_language = "ru"
    second_lecturer.save()
    sent = send(route, specialist)
    services.agreement_answer(
        agreement=agreement_of(sent, lecturer), actor=lecturer, decision="changes", comment="Емтихан формасы"
    )
    notice = Notification.objects.get(recipient=second_lecturer, kind="route_agreement_paused")
    assert "went back" not in notice.subject
    assert "снова" in notice.body


def test_staff_read_their_own_next_step_while_the_needs_are_assessed(
    client, registered, specialist, centre_head, student
):
    _assigned = services.assignment_add(
        application=registered, specialist=specialist, area="cognitive", actor=centre_head
    )
    url = reverse("students:application_detail", args=[registered.public_id])
    for staff in (specialist, centre_head):
        client.force_login(staff)
        page = client.get(url).content.decode()
        assert "may contact you" not in page
        assert "The assigned specialists record their assessment" in page
    client.force_login(student)
    assert "They may contact you to meet." in client.get(url).content.decode()
