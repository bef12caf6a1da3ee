"""Writes of the documents app: registration numbers, registered documents and their stored PDFs."""

import datetime
import hashlib
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AuditChainEntry
from audit.services import chain_append
from audit.workflow import move
from inclusion_centre.history import acting_as
from inclusion_centre.outbox.services import enqueue

from .forms_registry import form_for
from .models import DocumentType, RegisteredDocument, RegisteredFile, RegistrationCounter
from .seal import seal_pdf
from .workflow import ALLOWED as DOCUMENT_MOVES

# Queued by name: the task (tasks.py) calls this module's render_document_files, so this module does not import it.
RENDER_TASK = "documents.tasks.render_registered_pdf"

# Used for every document type that settings.DOCUMENT_NUMBER_FORMATS does not name.
DEFAULT_NUMBER_FORMATS = {
    DocumentType.APPLICATION: "ӨТ-{year}/{number:04d}",
    DocumentType.CONCLUSION: "ҚОР-{year}/{number:04d}",
    DocumentType.ROUTE: "ЖББМ-{year}/{number:04d}",
    DocumentType.PROTOCOL: "ХТ-{year}/{number:04d}",
    DocumentType.PARTNER_LETTER: "ШХ-{year}/{number:04d}",
}


def next_registration_number(*, document_type: str, year: int | None = None) -> tuple[int, str]:
    """Take the next registration number of `document_type` in `year` (default: this year in TIME_ZONE).

    Returns `(number, formatted)`, e.g. `(7, "ЖББМ-2026/0007")`; the format comes from
    settings.DOCUMENT_NUMBER_FORMATS, falling back to DEFAULT_NUMBER_FORMATS.

    Must run inside the caller's `transaction.atomic()`, the one that saves the registered document: the
    counter row stays locked until that transaction ends, so numbers are unique under concurrency, and a
    registration that rolls back takes its number back with it, so they have no gaps. Raises RuntimeError
    when called outside a transaction and ValueError for an unknown document type.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "next_registration_number() must be called inside the registering transaction.atomic(); "
            "outside one the number would be committed even when the registration fails, leaving a gap."
        )
    if document_type not in DocumentType.values:
        raise ValueError(f"Unknown document type {document_type!r}; expected one of {DocumentType.values}.")
    if year is None:
        year = timezone.localdate().year

    # The first registration of a type in a year creates the row; two doing that at once must not fail on the
    # unique constraint (ON CONFLICT DO NOTHING waits for the other insert, then skips). The zero row carries no
    # history: bulk_create writes none, and nothing has been numbered yet.
    RegistrationCounter.objects.bulk_create(
        [RegistrationCounter(document_type=document_type, year=year)], ignore_conflicts=True
    )
    counter = RegistrationCounter.objects.select_for_update().get(document_type=document_type, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])  # save(), not update(): the history row names the acting user

    number_format = {**DEFAULT_NUMBER_FORMATS, **getattr(settings, "DOCUMENT_NUMBER_FORMATS", {})}[document_type]
    return counter.last_number, number_format.format(year=year, number=counter.last_number)


# --- Registered documents -------------------------------------------------------------------------------------


def _supersede_earlier(document: RegisteredDocument, earlier: Q, previous_source, actor) -> None:
    """The documents in force that `document` replaces: `earlier` versions of its source, and the document of the
    form's `previous` source (a corrected protocol's, a revised route's) when there is one."""
    replaced = earlier
    if previous_source is not None:
        previous_type = ContentType.objects.get_for_model(previous_source)
        replaced |= Q(content_type=previous_type, object_id=previous_source.pk)
    reason = gettext("Replaced by %(number)s, version %(version)s") % {
        "number": document.number,
        "version": document.version,
    }
    for old in RegisteredDocument.objects.filter(replaced, status=RegisteredDocument.Status.IN_FORCE):
        document_change_status(document=old, to_status=RegisteredDocument.Status.SUPERSEDED, actor=actor, reason=reason)


def register_document(
    *,
    source: models.Model,
    document_type: str,
    student,
    number: str,
    registered_on: datetime.date,
    actor,
    version: int | None = None,
) -> RegisteredDocument:
    """Record that `source` is registered as `number` of `registered_on`, and queue its PDFs for after the commit.

    Call it inside the transaction that registers the source (the application's registration, the conclusion's
    signing): if that rolls back, no document is left and nothing is rendered. The version is the form's
    (`FormSpec.version`, 1 for an application) unless given. Idempotent: the same source and version returns the
    document already registered, unchanged and not rendered again. A new version supersedes the document of the
    earlier versions of the same source and of the form's `previous` source.

    Raises LookupError when the document type has no printed form yet (documents/forms_registry.py).
    """
    spec = form_for(document_type)
    version = spec.version(source) if version is None else version
    content_type = ContentType.objects.get_for_model(source)
    same_source = Q(content_type=content_type, object_id=source.pk)
    with transaction.atomic():
        existing = RegisteredDocument.objects.filter(same_source, version=version).first()
        if existing is not None:
            return existing
        with acting_as(actor):
            document = RegisteredDocument.objects.create(
                document_type=document_type,
                content_type=content_type,
                object_id=source.pk,
                student=student,
                number=number,
                registered_on=registered_on,
                version=version,
                registered_by=actor,
            )
        # Tamper-evident from now on: number, version and token here, each PDF's SHA-256 when it is stored, each
        # later move as a chained StatusChange (verify_audit and the verification page check them).
        chain_append(kind=AuditChainEntry.Kind.DOCUMENT_REGISTRATION, obj_or_payload=document)
        _supersede_earlier(document, same_source & Q(version__lt=version), spec.previous(source), actor)
        with acting_as(actor):
            queue_render(document.pk)
    return document


def queue_render(document_id: int) -> None:
    """Queue the render on the `documents` queue through the outbox: written in the caller's transaction,
    published after its commit, and published later by the relay if the broker cannot be reached now."""
    enqueue(RENDER_TASK, document_id)


@transaction.atomic
def document_change_status(
    *, document: RegisteredDocument, to_status: str, actor, reason: str = ""
) -> RegisteredDocument:
    """Supersede or cancel a registered document (its files stay as they are). Cancelling needs a reason.

    The caller checks that the actor may do it (a route's cancellation, a new version's registration). Raises
    IllegalMove when the document is not in force any more, ValidationError for a cancellation without a reason.
    """
    if to_status == RegisteredDocument.Status.CANCELLED and not reason.strip():
        raise ValidationError({"reason": gettext("Give the reason for cancelling the document.")}, code="no_reason")
    return move(instance=document, to_status=to_status, allowed=DOCUMENT_MOVES, actor=actor, comment=reason)


def render_document_files(*, document_id: int) -> int:
    """Render and store the missing PDFs of a registered document, once each; returns how many were made now.

    Each language is rendered under a lock of the document row and only when its file does not exist yet, so a
    task that runs twice (a retry, a duplicate delivery) renders and stores nothing the second time, and a stored
    file is never replaced. A document that no longer exists is skipped. History rows name the registering user.
    """
    from .rendering import render_pdf  # WeasyPrint loads only where documents are drawn: the worker

    document = RegisteredDocument.objects.filter(pk=document_id).first()
    if document is None:
        return 0
    made = 0
    for language in document.languages:
        with transaction.atomic():
            locked = RegisteredDocument.objects.select_for_update().get(pk=document_id)
            if RegisteredFile.objects.filter(document=locked, language=language).exists():
                continue
            # The institution's seal, when configured, is appended before the hash is taken: the stored,
            # hashed and chained bytes are the sealed file, the one every reader gets.
            pdf = seal_pdf(render_pdf(document=locked, language=language))
            stored = RegisteredFile(
                document=locked, language=language, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
            )
            with acting_as(locked.registered_by):
                stored.file.save(f"{language}.pdf", ContentFile(pdf), save=False)
                try:
                    stored.save()
                    chain_append(kind=AuditChainEntry.Kind.DOCUMENT_REGISTRATION, obj_or_payload=stored)
                except Exception:
                    stored.file.delete(save=False)  # no orphan file when the row cannot be written
                    raise
            made += 1
    with transaction.atomic():
        locked = RegisteredDocument.objects.select_for_update().get(pk=document_id)
        stored_languages = set(locked.files.values_list("language", flat=True))
        if locked.rendered_at is None and stored_languages >= set(locked.languages):
            locked.rendered_at = timezone.now()
            with acting_as(locked.registered_by):
                locked.save(update_fields=["rendered_at"])
    return made


# --- The chancellery's incoming number ------------------------------------------------------------------------

INCOMING_NUMBER_PATTERN = re.compile(r"^[\w№#/.\- ]+$")


def validate_incoming(*, number: str, date: datetime.date | None, registered_on: datetime.date, exclude_pk=None):
    """Refuse a chancellery entry that cannot be right: a number without a date or the other way round, a number
    with characters no register uses, a date in the future or after the centre registered the document, or a
    number the chancellery already gave another document in the same year. Raises ValidationError by field."""
    errors: dict[str, str] = {}
    if number and date is None:
        errors["incoming_date"] = gettext("Enter the date the chancellery received it.")
    if date is not None and not number:
        errors["incoming_number"] = gettext("Enter the chancellery's incoming number.")
    if number and (len(number) > 40 or not INCOMING_NUMBER_PATTERN.match(number)):
        errors["incoming_number"] = gettext(
            "Enter the number as the chancellery wrote it: letters, digits, spaces and - / . № only, at most 40."
        )
    if date is not None and date > min(timezone.localdate(), registered_on):
        errors["incoming_date"] = gettext("The chancellery's date cannot be later than the registration date.")
    if not errors and number:
        taken = RegisteredDocument.objects.filter(incoming_number__iexact=number, incoming_date__year=date.year)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors["incoming_number"] = gettext(
                "The chancellery already gave this number to another document in %(year)s."
            ) % {"year": date.year}
    if errors:
        raise ValidationError(errors, code="invalid_incoming")


@transaction.atomic
def document_record_incoming(
    *, document: RegisteredDocument, number: str, date: datetime.date | None, actor
) -> RegisteredDocument:
    """Record (or correct, or clear with an empty number and no date) the chancellery's incoming number and date
    of a registered document. The caller checks that the actor may register its source. The history keeps every
    value with the acting user; the frozen PDF is not rendered again (it shows the entry made at registration).
    Raises ValidationError by field (validate_incoming)."""
    number = " ".join(number.split())
    locked = RegisteredDocument.objects.select_for_update().get(pk=document.pk)
    validate_incoming(number=number, date=date, registered_on=locked.registered_on, exclude_pk=locked.pk)
    if (locked.incoming_number, locked.incoming_date) == (number, date):
        return locked
    locked.incoming_number, locked.incoming_date = number, date
    with acting_as(actor):
        locked.save(update_fields=["incoming_number", "incoming_date"])
    return locked
