"""The signed protocol as a registered, frozen PDF: content, signatures, who may download it, corrections."""

import pytest
from django.urls import reverse

from documents.models import DocumentType, RegisteredDocument
from routes import services
from tests.documents.conftest import pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(held, centre_head, secretary, django_capture_on_commit_callbacks):
    services.protocol_sign(protocol=held, actor=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        return services.protocol_sign(protocol=held, actor=centre_head)


def _document(protocol):
    return RegisteredDocument.objects.get(document_type=DocumentType.PROTOCOL, object_id=protocol.pk)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_protocol_pdf_has_attendance_decisions_votes_and_both_signatures(
    rendered, centre_head, secretary, student, language
):
    document = _document(rendered)
    assert document.number == rendered.registration_number and document.student is None
    text = pdf_text(stored_bytes(document, language))
    assert rendered.registration_number in text
    for person in (centre_head, secretary):
        assert person.full_name in text
    assert student.full_name in text  # the student discussed
    record = rendered.records.first()
    assert record.decision.split()[0] in text


@pytest.mark.parametrize(
    "who,status",
    [
        ("centre_head", 200),
        ("secretary", 200),
        ("lecturer", 404),
        ("student", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_only_the_centre_downloads_the_whole_protocol(client, request, rendered, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("documents:download", args=[_document(rendered).public_id, "ru"]))
    assert response.status_code == status


def test_a_correction_supersedes_the_registered_protocol(
    rendered, centre_head, secretary, django_capture_on_commit_callbacks
):
    correction = services.protocol_correct(
        meeting=rendered.meeting, actor=centre_head, reason="Дауыс саны қате жазылған"
    )
    services.protocol_sign(protocol=correction, actor=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        services.protocol_sign(protocol=correction, actor=centre_head)
    assert _document(rendered).status == RegisteredDocument.Status.SUPERSEDED
    new = _document(correction)
    assert new.status == RegisteredDocument.Status.IN_FORCE and new.version == 2
