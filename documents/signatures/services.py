"""Writes of signatures: a signature that passed every check, a confirmation in the system, a signature sheet,
and the re-check of stored signatures."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditChainEntry
from audit.services import chain_append
from inclusion_centre.history import acting_as

from ..forms_registry import form_for
from ..models import RegisteredDocument, RegisteredFile, Signature
from ..services import register_document
from .errors import SignatureRefused
from .verify import verify_cms

NCALAYER, IN_SYSTEM = Signature.Method.NCALAYER, Signature.Method.IN_SYSTEM


def expected_signers(document: RegisteredDocument) -> list[tuple[str, object]]:
    """[(role, user)] the document's form carries, from its source's facts; a signature sheet's are those of the
    version it lists."""
    signed = document.signed_version or document
    return list(form_for(signed.document_type).signers(signed.source))


def roles_of(user, document: RegisteredDocument) -> list[str]:
    return [role for role, person in expected_signers(document) if person is not None and person.pk == user.pk]


def stored_bytes(stored: RegisteredFile) -> bytes:
    """The stored PDF's bytes; SignatureRefused("tampered") when they are no longer those registered."""
    with stored.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        raise SignatureRefused("tampered", "the stored file no longer has its registered SHA-256")
    return content


def signature_add(
    *, document: RegisteredDocument, role: str, signer, language: str, cms: bytes = b"", now=None
) -> Signature:
    """Record `signer`'s signature as `role` on `document` (the PDF in `language`).

    With SIGNATURE_METHOD "ncalayer", `cms` is the detached CMS over the stored PDF's bytes: it is checked
    (verify.verify_cms, against the signer's IIN) and stored with what the certificate says; with "in-system" the
    signer confirms in the system and no certificate is involved. Raises PermissionError when the form does not
    name `signer` as `role`, SignatureRefused when a check fails (nothing is written then). Signing again in the
    same role and language returns the signature already recorded.
    """
    if role not in roles_of(signer, document):
        raise PermissionError("the document's form does not name this person in this role")
    stored = next((f for f in document.files.all() if f.language == language), None)
    if stored is None or document.destroyed_at is not None or document.status != RegisteredDocument.Status.IN_FORCE:
        raise PermissionError("the document has no stored PDF in force in this language")
    existing = Signature.objects.filter(document=document, signer=signer, role=role, language=language).first()
    if existing is not None:
        return existing
    fields = {"signed_at": now or timezone.now(), "content_sha256": stored.sha256}
    if settings.SIGNATURE_METHOD == NCALAYER:
        verified = verify_cms(data=cms, content=stored_bytes(stored), expected_iin=signer.iin, now=now)
        fields.update(
            method=NCALAYER,
            cms=cms,
            certificate_serial=verified.serial,
            certificate_subject=verified.subject,
            certificate_issuer=verified.issuer,
            algorithm=verified.algorithm,
            signed_at=verified.signing_time,
            revocation=verified.revocation.status,
            revocation_detail=verified.revocation.detail[:200],
        )
    else:
        fields.update(method=IN_SYSTEM, revocation=Signature.Revocation.NOT_APPLICABLE)
    with transaction.atomic(), acting_as(signer):
        signature = Signature.objects.create(document=document, signer=signer, role=role, language=language, **fields)
        chain_append(kind=AuditChainEntry.Kind.EVENT, obj_or_payload=signature)
    return signature


def signature_sheet_issue(*, document: RegisteredDocument, actor) -> RegisteredDocument:
    """Register a new version of `document` that re-renders its form with the list of its signatures (signers,
    certificate serials, times); the signed version becomes superseded, and keeps its files and signatures."""

    with transaction.atomic():
        locked = RegisteredDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status != RegisteredDocument.Status.IN_FORCE or not locked.signatures.exists():
            raise PermissionError("only a document in force with signatures gets a signature sheet")
        latest = RegisteredDocument.objects.filter(
            content_type_id=locked.content_type_id, object_id=locked.object_id
        ).aggregate(Max("version"))["version__max"]
        sheet = register_document(
            source=locked.source,
            document_type=locked.document_type,
            student=locked.student,
            number=locked.number,
            registered_on=timezone.localdate(),
            actor=actor,
            version=latest + 1,
        )
        with acting_as(actor):
            sheet.signed_version = locked
            sheet.save(update_fields=["signed_version"])
    return sheet


def signatures_recheck(*, queryset=None) -> tuple[int, list[tuple[Signature, str]]]:
    """Check every stored qualified signature again, at its signing time, against the stored PDF; returns
    (how many passed, [(signature, reason) for each that failed]) and records each result on the signature."""
    queryset = queryset if queryset is not None else Signature.objects.filter(method=NCALAYER)
    passed, failed = 0, []
    for signature in queryset.select_related("document", "signer").order_by("pk"):
        stored = RegisteredFile.objects.filter(document=signature.document, language=signature.language).first()
        try:
            if stored is None or signature.document.destroyed_at is not None:
                raise SignatureRefused("tampered", "the signed PDF is no longer stored")
            verify_cms(
                data=bytes(signature.cms),
                content=stored_bytes(stored),
                expected_iin=signature.signer.iin,
                now=signature.signed_at,
                fresh=False,
            )
            result = "ok"
            passed += 1
        except SignatureRefused as refused:
            result = f"{refused.code}: {refused.message}"
            failed.append((signature, str(refused.message)))
        signature.last_checked_at, signature.last_check_result = timezone.now(), result[:300]
        signature.save(update_fields=["last_checked_at", "last_check_result"])
    return passed, failed
