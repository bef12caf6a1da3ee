"""The route, the protocol and its per-student extracts as the institution files them (issue #21): the approval
stamp, the agreement sheet with the history of requests for changes, the agenda, quorum, roles and signature
lines, and an extract of the protocol registered in each discussed student's personal file."""

import pytest
from django.test import override_settings
from django.urls import reverse

from documents.models import DocumentType, RegisteredDocument
from routes import services
from tests.documents.conftest import pdf_text, stored_bytes

from .conftest import agreement_of, send

pytestmark = pytest.mark.django_db

STAMP = {"kk": "БЕКІТЕМІН", "ru": "УТВЕРЖДАЮ"}
SHEET = {"kk": "Келісу парағы", "ru": "Лист согласования"}
AGENDA = {"kk": "Күн тәртібі", "ru": "Повестка дня"}
PRESENT = {"kk": "Қатысты", "ru": "Присутствовал(а)"}
HEARD_WORD = {"kk": "ТЫҢДАЛДЫ", "ru": "СЛУШАЛИ"}
QUORUM = {"kk": "Отырыс заңды (кворум бар).", "ru": "Кворум имеется."}


@pytest.fixture
def approved_after_changes(
    route, specialist, lecturer, second_lecturer, administration, django_capture_on_commit_callbacks
):
    """The first lecturer asks for changes once, then both agree and the administration approves."""
    sent = send(route, specialist)
    services.agreement_answer(
        agreement=agreement_of(sent, lecturer), actor=lecturer, decision="changes", comment="Емтихан уақытын көрсету"
    )
    sent = send(sent, specialist)
    for person in (lecturer, second_lecturer):
        open_agreement = sent.agreements.filter(lecturer=person, status="pending").first()
        if open_agreement is not None:
            services.agreement_answer(agreement=open_agreement, actor=person, decision="agreed", comment="")
    sent.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        return services.route_approve(route=sent, actor=administration)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_route_carries_the_approval_stamp_the_agreement_sheet_and_the_change_requests(
    approved_after_changes, lecturer, second_lecturer, administration, language
):
    document = RegisteredDocument.objects.get(document_type=DocumentType.ROUTE, object_id=approved_after_changes.pk)
    text = pdf_text(stored_bytes(document, language))
    assert STAMP[language] in text
    assert text.index(STAMP[language]) < text.index(administration.full_name)
    assert SHEET[language] in text
    sheet = text[text.index(SHEET[language]) :]
    for person in (lecturer, second_lecturer):
        assert person.full_name in sheet
    assert "Емтихан уақытын көрсету" in sheet  # the request for changes, kept after the later agreement


@pytest.fixture
def registered_protocol(held, centre_head, secretary, django_capture_on_commit_callbacks):
    services.protocol_sign(protocol=held, actor=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        return services.protocol_sign(protocol=held, actor=centre_head)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_protocol_has_agenda_quorum_roles_votes_and_both_signature_lines(
    registered_protocol, centre_head, secretary, language
):
    document = RegisteredDocument.objects.get(document_type=DocumentType.PROTOCOL, object_id=registered_protocol.pk)
    text = pdf_text(stored_bytes(document, language))
    for word in (AGENDA, PRESENT, HEARD_WORD, QUORUM):
        assert word[language] in text
    assert "Присутствует" not in text
    signatures = text[text.rindex(HEARD_WORD[language]) :]
    assert centre_head.full_name in signatures and secretary.full_name in signatures


def test_each_student_discussed_gets_an_extract_in_their_personal_file(
    registered_protocol, student, centre_head, client
):
    extract = RegisteredDocument.objects.get(document_type=DocumentType.PROTOCOL_EXTRACT)
    assert extract.student == student.student
    assert extract.number == f"{registered_protocol.registration_number}/1"
    assert extract.is_rendered
    text = pdf_text(stored_bytes(extract, "ru"))
    assert "Выписка из протокола" in text and registered_protocol.registration_number in text
    assert "Выписка верна." in text
    client.force_login(centre_head)
    assert client.get(reverse("documents:download", args=[extract.public_id, "kk"])).status_code == 200


@pytest.mark.parametrize("who", ["lecturer", "student", "outsider"])
def test_outside_the_centre_nobody_downloads_an_extract(registered_protocol, client, request, who):
    extract = RegisteredDocument.objects.get(document_type=DocumentType.PROTOCOL_EXTRACT)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("documents:download", args=[extract.public_id, "kk"])).status_code == 404


@override_settings(DOCUMENT_LANGUAGES=["kk", "ru"])
def test_a_corrected_protocol_supersedes_the_extracts(
    registered_protocol, centre_head, secretary, django_capture_on_commit_callbacks
):
    correction = services.protocol_correct(
        meeting=registered_protocol.meeting, actor=centre_head, reason="Қате түзетілді"
    )
    services.protocol_sign(protocol=correction, actor=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        services.protocol_sign(protocol=correction, actor=centre_head)
    extracts = RegisteredDocument.objects.filter(document_type=DocumentType.PROTOCOL_EXTRACT).order_by("version")
    assert [(e.version, e.status) for e in extracts] == [(1, "superseded"), (2, "in_force")]
