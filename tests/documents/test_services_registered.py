"""Registering a document: queued after the commit, rendered once and never over, a new version with files of
its own, the acting user on every history row, retries and the sweep of lost renders."""

import datetime
import hashlib
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import StatusChange
from audit.workflow import IllegalMove
from documents import services as document_services
from documents import tasks
from documents.models import DocumentType, RegisteredDocument, RegisteredFile
from inclusion_centre.outbox.models import OutboxMessage
from students import services
from tests.factories import ApplicationFactory

from .conftest import sign_conclusion, stored_bytes

pytestmark = pytest.mark.django_db

S = RegisteredDocument.Status


def test_registration_creates_the_document_and_queues_its_render_after_the_commit(
    submitted, centre_head, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.render_registered_pdf, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            registered = services.application_register(application=submitted, actor=centre_head)
        document = RegisteredDocument.objects.get(object_id=registered.pk, document_type=DocumentType.APPLICATION)
        assert apply_async.call_count == 0  # nothing leaves before the commit...
        job = OutboxMessage.objects.get(task=tasks.render_registered_pdf.name)
        # ...but the job is written with the registration, for the relay if the broker is down after the commit.
        assert (job.args, job.queue, job.state, job.actor) == ([document.pk], "documents", "pending", centre_head)
        for callback in callbacks:
            callback()
    apply_async.assert_called_once_with(args=[document.pk], kwargs={}, queue="documents", ignore_result=True)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("sent", 1)
    assert document.number == registered.registration_number
    assert document.registered_on == timezone.localdate(registered.registered_at)
    assert document.student == registered.student
    assert (document.version, document.status, document.languages) == (1, S.IN_FORCE, ["kk", "ru"])
    assert document.registered_by == centre_head
    assert len(document.verification_token) >= 22
    assert document.number not in document.verification_token
    assert not document.files.exists()
    assert document.rendered_at is None
    assert document.history.get().history_user == centre_head


def test_a_registration_that_rolls_back_leaves_no_document_and_renders_nothing(
    submitted, centre_head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.application_register(application=submitted, actor=centre_head)
        raise RuntimeError("the registering transaction fails")
    assert callbacks == []
    assert not RegisteredDocument.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_render_stores_each_language_once_with_its_hash(application_document, centre_head):
    application_document.refresh_from_db()
    assert application_document.rendered_at is not None
    files = {stored.language: stored for stored in application_document.files.all()}
    assert set(files) == {"kk", "ru"}
    for language, stored in files.items():
        content = stored_bytes(application_document, language)
        assert content.startswith(b"%PDF-")
        assert stored.sha256 == hashlib.sha256(content).hexdigest()
        assert stored.size == len(content)
        assert stored.history.get().history_user == centre_head  # the registering user, though a task wrote it
    assert files["kk"].sha256 != files["ru"].sha256


def test_running_the_task_again_renders_nothing_and_changes_nothing(application_document):
    before = {
        f.language: (f.file.name, f.sha256, stored_bytes(application_document, f.language))
        for f in application_document.files.all()
    }
    history_rows = RegisteredFile.history.count()
    with mock.patch("documents.rendering.render_pdf") as render:
        assert tasks.render_registered_pdf.apply(args=[application_document.pk]).get() == 0
        assert tasks.render_registered_pdf.apply(args=[application_document.pk]).get() == 0
    render.assert_not_called()
    after = {
        f.language: (f.file.name, f.sha256, stored_bytes(application_document, f.language))
        for f in application_document.files.all()
    }
    assert after == before
    assert RegisteredFile.history.count() == history_rows


def test_registering_the_same_source_again_returns_the_same_document(application_document, centre_head):
    again = document_services.register_document(
        source=application_document.source,
        document_type=DocumentType.APPLICATION,
        student=application_document.student,
        number=application_document.number,
        registered_on=application_document.registered_on,
        actor=centre_head,
    )
    assert again == application_document
    assert RegisteredDocument.objects.count() == 1


def test_a_later_change_is_a_new_version_with_its_own_files(
    signed_conclusion, conclusion_document, specialist, centre_head, django_capture_on_commit_callbacks
):
    first_bytes = {lang: stored_bytes(conclusion_document, lang) for lang in ("kk", "ru")}
    first_hashes = {f.language: f.sha256 for f in conclusion_document.files.all()}

    second = sign_conclusion(
        signed_conclusion.application,
        specialist=specialist,
        centre_head=centre_head,
        analysis="Екінші нұсқа: қолдау деңгейі өзгерді.",
        capture=django_capture_on_commit_callbacks,
    )
    new = RegisteredDocument.objects.get(document_type=DocumentType.CONCLUSION, object_id=second.pk)
    conclusion_document.refresh_from_db()
    assert (new.version, new.status) == (2, S.IN_FORCE)
    assert conclusion_document.status == S.SUPERSEDED
    assert new.number == second.registration_number != conclusion_document.number
    assert new.verification_token != conclusion_document.verification_token
    # The old version's files are exactly as they were; the new one has files of its own.
    assert {lang: stored_bytes(conclusion_document, lang) for lang in ("kk", "ru")} == first_bytes
    assert {f.language: f.sha256 for f in conclusion_document.files.all()} == first_hashes
    assert set(new.files.values_list("file", flat=True)).isdisjoint(
        conclusion_document.files.values_list("file", flat=True)
    )
    change = StatusChange.objects.get(object_id=conclusion_document.pk, to_status=S.SUPERSEDED)
    assert change.actor == centre_head
    assert new.number in change.comment


def test_a_new_version_of_the_same_source_supersedes_the_earlier_one(application_document, centre_head):
    new = document_services.register_document(
        source=application_document.source,
        document_type=DocumentType.APPLICATION,
        student=application_document.student,
        number=application_document.number,
        registered_on=timezone.localdate(),
        actor=centre_head,
        version=2,
    )
    application_document.refresh_from_db()
    assert (new.version, application_document.status) == (2, S.SUPERSEDED)
    assert application_document.files.count() == 2


def test_cancelling_needs_a_reason_and_is_final(application_document, centre_head):
    with pytest.raises(ValidationError):
        document_services.document_change_status(
            document=application_document, to_status=S.CANCELLED, actor=centre_head, reason=" "
        )
    cancelled = document_services.document_change_status(
        document=application_document, to_status=S.CANCELLED, actor=centre_head, reason="Қате тіркелген"
    )
    assert cancelled.status == S.CANCELLED
    with pytest.raises(IllegalMove):
        document_services.document_change_status(
            document=application_document, to_status=S.SUPERSEDED, actor=centre_head, reason=""
        )
    assert StatusChange.objects.filter(object_id=application_document.pk, to_status=S.CANCELLED).count() == 1


def test_a_failed_render_is_retried_and_then_stored(registered):
    document = RegisteredDocument.objects.get(object_id=registered.pk)
    from documents import rendering

    real = rendering.render_pdf
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["language"])
        if len(calls) == 1:
            raise OSError("the disk was busy")
        return real(**kwargs)

    with mock.patch.object(rendering, "render_pdf", side_effect=flaky):
        result = tasks.render_registered_pdf.apply(args=[document.pk], throw=False)
    document.refresh_from_db()
    assert calls == ["kk", "kk", "ru"]
    assert result.get() == 2  # the retry made both files
    assert sorted(document.files.values_list("language", flat=True)) == ["kk", "ru"]
    assert document.rendered_at is not None


def test_the_render_task_is_bounded_and_retried_with_back_off():
    task = tasks.render_registered_pdf
    assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit
    assert task.autoretry_for == (Exception,)
    assert task.retry_backoff and task.max_retries >= 3


def test_the_task_skips_a_document_that_does_not_exist():
    assert tasks.render_registered_pdf.apply(args=[987654]).get() == 0


def test_the_sweep_queues_documents_still_waiting_for_their_pdfs(centre_head):
    application = ApplicationFactory()
    with transaction.atomic():
        waiting = document_services.register_document(
            source=application,
            document_type=DocumentType.APPLICATION,
            student=application.student,
            number="ӨТ-2026/0099",
            registered_on=timezone.localdate(),
            actor=centre_head,
        )
    RegisteredDocument.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    with mock.patch.object(tasks.render_registered_pdf, "delay") as delay:
        assert tasks.render_pending_documents.apply().get() == 1
    delay.assert_called_once_with(waiting.pk)


def test_a_type_without_a_form_cannot_be_registered(centre_head):
    application = ApplicationFactory()
    with pytest.raises(LookupError):
        document_services.register_document(
            source=application,
            document_type="no-such-form",
            student=application.student,
            number="X-2026/0001",
            registered_on=timezone.localdate(),
            actor=centre_head,
        )
    assert not RegisteredDocument.objects.exists()
