"""Every read of registered documents a page, an export or a task needs."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from audit.chain import confirmed_by_chain
from inclusion_centre.accounts.models import User

from . import permissions
from .forms_registry import form_for, registered_forms
from .models import RegisteredDocument, RegisteredFile, Signature


def _with_files(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(Prefetch("files", queryset=RegisteredFile.objects.order_by("language")))


def documents_of_source(source: models.Model) -> list[RegisteredDocument]:
    """The registered documents of `source`, newest version first, with their stored files (one query).

    A source has a few versions of a few files each: the documents LEFT JOINed to their files in one query, each
    document's files put where `document.files.all()` finds them, as prefetch_related("files") would (by language).
    """
    content_type = ContentType.objects.get_for_model(source)
    document_fields = [field.attname for field in RegisteredDocument._meta.concrete_fields]
    file_fields = [field.attname for field in RegisteredFile._meta.concrete_fields]
    rows = (
        RegisteredDocument.objects.filter(content_type=content_type, object_id=source.pk)
        .order_by("-version", "files__language")
        .values_list(*document_fields, *[f"files__{name}" for name in file_fields])
    )
    db = rows.db
    documents: dict[int, RegisteredDocument] = {}
    files: dict[int, list[RegisteredFile]] = {}
    width = len(document_fields)
    for row in rows:
        document_values, file_values = row[:width], row[width:]
        document = documents.get(document_values[0])
        if document is None:
            document = RegisteredDocument.from_db(db, document_fields, document_values)
            documents[document.pk] = document
            files[document.pk] = []
        if file_values[0] is not None:
            stored = RegisteredFile.from_db(db, file_fields, file_values)
            stored.document = document
            files[document.pk].append(stored)
    for document in documents.values():
        queryset = document.files.get_queryset()  # not evaluated: what prefetch_related would have filled
        queryset._result_cache = files[document.pk]
        queryset._prefetch_done = True
        document._prefetched_objects_cache = {"files": queryset}
    return list(documents.values())


def documents_waiting_for_render(*, registered_before: datetime.datetime) -> QuerySet:
    """Documents registered before the cutoff whose PDFs are not all stored yet."""
    return RegisteredDocument.objects.filter(rendered_at__isnull=True, created_at__lt=registered_before).order_by("pk")


def document_by_public_id(public_id) -> RegisteredDocument:
    """The document with its student and files; raises Http404 when there is none. Check permissions.can_download."""
    document = (
        _with_files(RegisteredDocument.objects.select_related("student__user", "content_type"))
        .filter(public_id=public_id)
        .first()
    )
    if document is None:
        raise Http404
    return document


def document_for_verification(token: str) -> RegisteredDocument:
    """The document a printed link points to (files included); raises Http404 for an unknown token."""
    document = _with_files(RegisteredDocument.objects.all()).filter(verification_token=token).first()
    if document is None:
        raise Http404
    return document


def files_confirmed_by_chain(document: RegisteredDocument) -> tuple[bool, list[RegisteredFile]]:
    """Whether the register's record of `document` and of each stored PDF is still what the audit chain froze,
    and the stored files that are. A SHA-256 or number changed in the database is not confirmed: the page must
    not vouch for a forged PDF on its strength."""
    files = list(document.files.all())
    document_ok = document.pk in confirmed_by_chain([document])
    confirmed = confirmed_by_chain(files)
    trusted = [stored for stored in files if stored.pk in confirmed] if document_ok else []
    return document_ok and len(trusted) == len(files), trusted


def stored_file_matching(files: list[RegisteredFile], sha256: str) -> RegisteredFile | None:
    """The one of `files` (the stored PDFs the chain confirms) whose bytes have this SHA-256, if any."""
    return next((stored for stored in files if stored.sha256 == sha256), None)


def register(user: User) -> QuerySet:
    """Every registered document, newest first, with what the register shows; Http404 for anyone but the centre
    head and the auditor."""
    if not permissions.can_view_register(user):
        raise Http404
    return (
        _with_files(RegisteredDocument.objects.select_related("student__user", "content_type"))
        .prefetch_related("source")  # one query per document type, for the links to the sources
        .order_by("-registered_on", "-pk")
    )


def register_for_export(user: User) -> QuerySet:
    """The register for a download: every document with its student and files (two queries whatever the number
    of rows), without the sources the page links to. Http404 for anyone who may not see the register."""
    if not permissions.can_view_register(user):
        raise Http404
    return _with_files(RegisteredDocument.objects.select_related("student__user")).order_by("-registered_on", "-pk")


def source_links(user: User) -> dict:
    """For each document type whose sources the user may open by their role: source -> its page's address.

    Only model-level permissions are asked (cached per request), so linking every row of a list costs no query.
    """
    return {
        spec.document_type: spec.source_url
        for spec in registered_forms()
        if spec.source_url is not None and spec.staff_permission and user.has_perm(spec.staff_permission)
    }


def documents_of_student(student) -> list[RegisteredDocument]:
    """The student's registered documents, every version with its files, oldest first (the personal file)."""
    return list(_with_files(student.registered_documents.all()).order_by("registered_on", "pk"))


def sample_document(document_type: str) -> RegisteredDocument | None:
    """A registered document of this type from the form's samples (render_sample_documents, bench/), or None when
    the type has no form yet or nothing of it is registered."""
    try:
        spec = form_for(document_type)
    except LookupError:
        return None
    for source in spec.samples():
        content_type = ContentType.objects.get_for_model(source)
        found = RegisteredDocument.objects.filter(content_type=content_type, object_id=source.pk).first()
        if found is not None:
            return found
    return None


def signatures_of(document: RegisteredDocument) -> list[Signature]:
    """The signatures of `document` (of the version a signature sheet lists, for a sheet), oldest first, with
    their signers (one query)."""
    ids = [document.pk] + ([document.signed_version_id] if document.signed_version_id else [])
    return list(
        Signature.objects.filter(document_id__in=ids).select_related("signer").defer("cms").order_by("signed_at", "pk")
    )


def signatures_of_documents(documents: list[RegisteredDocument]) -> dict[int, list[Signature]]:
    """{document id: its signatures} for many documents in one query (the personal file)."""
    found: dict[int, list[Signature]] = {document.pk: [] for document in documents}
    for signature in (
        Signature.objects.filter(document__in=documents).select_related("signer").order_by("signed_at", "pk")
    ):
        found[signature.document_id].append(signature)
    return found
