"""Withdrawn consent stops new processing of the case (issue #8, item 6): the centre sees it, nothing new goes to
lecturers or to approval, and the withdrawal itself is recorded (history and the audit chain)."""

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditChainEntry
from inclusion_centre.accounts.models import Notification
from routes import deadlines, services
from routes.models import Agreement, Route
from students import services as application_services
from students.models import Consent

from .conftest import agreement_of, send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.deactivate()


@pytest.fixture
def in_agreement(route, specialist):
    return send(route, specialist)


def test_a_lecturer_cannot_agree_once_consent_is_withdrawn(client, in_agreement, lecturer, student):
    application_services.consent_withdraw(application=in_agreement.application, actor=student, reason="")
    agreement = agreement_of(in_agreement, lecturer)
    client.force_login(lecturer)
    response = client.post(
        reverse("routes:agreement_answer", args=[agreement.pk]), {"decision": "agreed", "comment": ""}
    )
    assert response.status_code == 422
    assert "Consent to the processing of personal data was withdrawn" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.PENDING and agreement.decided_at is None


def test_approval_is_refused_once_consent_is_withdrawn(in_approval, administration, student):
    application_services.consent_withdraw(application=in_approval.application, actor=student, reason="")
    with pytest.raises(ValidationError) as refused:
        services.route_approve(route=in_approval, actor=administration)
    assert refused.value.code == "no_consent"
    in_approval.refresh_from_db()
    assert in_approval.status == Route.Status.IN_APPROVAL and in_approval.registration_number is None


def test_nothing_new_is_sent_to_lecturers_after_withdrawal(in_agreement, lecturer, second_lecturer, student):
    lecturers = [lecturer, second_lecturer]
    before = Notification.objects.filter(recipient__in=lecturers).count()
    mail.outbox.clear()
    application_services.consent_withdraw(application=in_agreement.application, actor=student, reason="")
    steps = deadlines.open_steps()
    assert not [step for step in steps if step.kind == "agree"]
    assert Notification.objects.filter(recipient__in=lecturers).count() == before
    assert not [m for m in mail.outbox if {lecturer.email, second_lecturer.email} & set(m.to)]


def test_lecturers_are_reminded_while_consent_stands(in_agreement):
    """The control for the test above: the reminders are there before the withdrawal."""
    assert len([step for step in deadlines.open_steps() if step.kind == "agree"]) == 2


def test_the_withdrawal_is_in_the_history_and_the_audit_chain(in_agreement, student):
    application = in_agreement.application
    consent = application_services.consent_withdraw(application=application, actor=student, reason="Ойымнан айныдым")
    latest = Consent.history.filter(id=consent.pk).latest("history_date")
    assert latest.withdrawn_at is not None and latest.history_user_id == student.pk
    entry = AuditChainEntry.objects.filter(kind=AuditChainEntry.Kind.EVENT).latest("seq")
    payload = json.loads(entry.content)
    assert payload["event"] == "consent_withdrawn"
    assert payload["application"] == application.pk and payload["withdrawn_by"] == student.pk


def test_the_centre_sees_the_withdrawal_at_the_top_of_the_case_page(client, in_agreement, student, centre_head):
    application = in_agreement.application
    client.force_login(centre_head)
    url = reverse("students:application_detail", args=[application.public_id])
    assert 'id="consent-withdrawn"' not in client.get(url).content.decode()
    application_services.consent_withdraw(application=application, actor=student, reason="")
    body = client.get(url).content.decode()
    assert 'id="consent-withdrawn"' in body
    assert "nothing more is sent to lecturers" in body
