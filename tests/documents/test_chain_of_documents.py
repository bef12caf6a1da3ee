"""Issue 20, findings 8 and 9: registered documents are in the tamper-evident chain, and the chain's head is kept
outside the database.

Every registration (number, version) and every stored PDF (its SHA-256) is chained when it is written, and each
later move of a document is a chained status change; the public verification page and `verify_audit` refuse a
document whose SHA-256 was changed in the database. A daily routine appends the head to AUDIT_ANCHOR_FILE and
e-mails it to the auditors; `verify_audit` checks against that file by default, so cutting entries off the end
of the chain together with their rows, or emptying it, is found.
"""

import hashlib
import importlib
import io
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.chain import verify_chain
from audit.models import AccessLog, AuditChainEntry, StatusChange
from documents.models import RegisteredDocument, RegisteredFile
from documents.services import document_change_status
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db

KIND = AuditChainEntry.Kind


def _entries_of(obj) -> list[AuditChainEntry]:
    from django.contrib.contenttypes.models import ContentType

    return list(AuditChainEntry.objects.filter(source_type=ContentType.objects.get_for_model(obj), source_id=obj.pk))


def _verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", stdout=io.StringIO())
    assert raised.value.returncode == 1
    return str(raised.value)


def test_every_registration_and_stored_pdf_is_chained(application_document):
    [entry] = _entries_of(application_document)
    assert entry.kind == KIND.DOCUMENT_REGISTRATION
    content = json.loads(entry.content)
    assert (content["number"], content["version"]) == (application_document.number, application_document.version)
    files = list(application_document.files.all())
    assert len(files) == len(settings.DOCUMENT_LANGUAGES)
    for stored in files:
        [file_entry] = _entries_of(stored)
        assert json.loads(file_entry.content)["sha256"] == stored.sha256
    assert verify_chain().ok


def test_a_later_move_of_the_document_is_chained(application_document, centre_head):
    document_change_status(
        document=application_document, to_status=RegisteredDocument.Status.CANCELLED, actor=centre_head, reason="x"
    )
    change = StatusChange.objects.get(object_id=application_document.pk, to_status="cancelled")
    assert _entries_of(change)
    assert verify_chain().ok


def test_a_forged_sha256_in_the_database_does_not_verify(client, application_document):
    forged = pdf_bytes("FORGED")
    stored = application_document.files.get(language="kk")
    RegisteredFile.objects.filter(pk=stored.pk).update(sha256=hashlib.sha256(forged).hexdigest())
    url = reverse("documents:verify", args=[application_document.verification_token])
    response = client.post(url, {"file": SimpleUploadedFile("copy.pdf", forged, "application/pdf")})
    html = response.content.decode()
    assert "Yes: identical." not in html
    assert "This record cannot be confirmed." in html
    assert f"stored PDF {stored.pk}" in _broken()


def test_a_changed_number_is_found(client, application_document):
    RegisteredDocument.objects.filter(pk=application_document.pk).update(number="ӨТ-2026/9999")
    url = reverse("documents:verify", args=[application_document.verification_token])
    assert "This record cannot be confirmed." in client.get(url).content.decode()
    assert f"registered document {application_document.pk}" in _broken()


def test_a_stored_pdf_without_its_entry_is_found(application_document):
    # The newest entries, so that no gap in the sequence gives the deletion away: the rows without entries do.
    stored = application_document.files.order_by("-pk").first()
    AuditChainEntry.objects.filter(seq__in=[e.seq for e in _entries_of(stored)]).delete()
    assert f"stored PDF {stored.pk} has no entry in the chain" in _broken()


def test_the_daily_routine_appends_the_head_and_mails_the_auditors(application_document, auditor):
    from inclusion_centre.accounts.models import Notification
    from inclusion_centre.outbox.models import OutboxMessage

    assert settings.CELERY_BEAT_SCHEDULE["audit-publish-head"]["task"] == "audit.tasks.publish_chain_head"
    head = AuditChainEntry.objects.order_by("-seq").first()
    from audit.tasks import publish_chain_head as task

    assert task() == head.seq
    line = settings.AUDIT_ANCHOR_FILE.read_text().splitlines()[-1]
    assert line.endswith(f"{head.seq}:{head.entry_hash}")
    notice = Notification.objects.get(recipient=auditor, kind="audit_chain_head")
    assert f"{head.seq}:{head.entry_hash}" in notice.body
    assert OutboxMessage.objects.filter(task__endswith="send_notification_email").exists()
    assert f"It holds the kept head {head.seq}:{head.entry_hash}" in _verify_audit()


def _delete_last_entries_with_their_rows(count: int) -> None:
    for entry in AuditChainEntry.objects.order_by("-seq")[:count]:
        model = entry.source_type.model_class() if entry.source_type_id else None
        AuditChainEntry.objects.filter(seq=entry.seq).delete()
        if model is not None:
            model._base_manager.filter(pk=entry.source_id).delete()


def test_deleting_the_last_entries_with_their_rows_is_found(rf, application_document, centre_head, auditor):
    from audit.services import log_access

    for _ in range(3):
        request = rf.get("/")
        request.user = centre_head
        log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=application_document)
    from audit.services import publish_chain_head

    publish_chain_head()
    _delete_last_entries_with_their_rows(3)
    assert verify_chain().ok  # the chain alone cannot tell
    assert "does not match the anchor" in _broken()


def test_deleting_everything_is_found(application_document, auditor):
    from audit.services import publish_chain_head

    publish_chain_head()
    AuditChainEntry.objects.all().delete()
    for label in ("audit.AccessLog", "audit.StatusChange", "documents.RegisteredFile", "documents.RegisteredDocument"):
        apps.get_model(label)._base_manager.all().delete()
    assert "does not match the anchor" in _broken()


def test_an_emptied_anchor_file_is_a_failure(application_document):
    from audit.services import publish_chain_head

    publish_chain_head()
    settings.AUDIT_ANCHOR_FILE.write_text("")
    assert "holds no head" in _broken()


def test_documents_registered_before_the_chain_are_chained_by_the_migration(application_document):
    ours = [application_document, *application_document.files.all()]
    AuditChainEntry.objects.filter(seq__in=[e.seq for obj in ours for e in _entries_of(obj)]).delete()
    assert not verify_chain().ok
    importlib.import_module("documents.migrations.0006_chain_registered_documents").chain_existing(apps, None)
    assert all(_entries_of(obj) for obj in ours)
    assert verify_chain().ok
