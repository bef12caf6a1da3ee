"""Registered documents: the counters that number them, and the frozen documents with their stored PDFs."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked


class DocumentType(models.TextChoices):
    """The four documents of the lifecycle (regulation §10), each numbered in its own sequence."""

    APPLICATION = "application", _("Application for inclusive-education conditions")
    CONCLUSION = "conclusion", _("Conclusion of the support centre")
    ROUTE = "route", _("Individual educational route")
    PROTOCOL = "protocol", _("Protocol of the interdisciplinary team meeting")
    # One student's part of a protocol, filed in that student's personal file (§10.2).
    PROTOCOL_EXTRACT = "protocol_extract", _("Extract from the protocol of the interdisciplinary team meeting")
    # A letter of the centre to an external organisation about a case (§5.2 e), numbered as outgoing mail.
    PARTNER_LETTER = "partner_letter", _("Outgoing letter to an external organisation")


class RegistrationCounter(models.Model):
    """The last registration number given to a document type in a year.

    Only `documents.services.next_registration_number` moves it, inside the registering transaction, so a
    registration that rolls back gives its number back.
    """

    document_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    history = tracked()

    class Meta:
        verbose_name = _("registration counter")
        verbose_name_plural = _("registration counters")
        ordering = ["-year", "document_type"]
        constraints = [
            models.UniqueConstraint(fields=["document_type", "year"], name="documents_counter_unique_type_year"),
        ]

    def __str__(self):
        return f"{self.get_document_type_display()} {self.year}: {self.last_number}"


class RetentionRule(models.Model):
    """How long the stored PDFs of one document type are kept after the case ends, and why (the article of the
    national list of standard documents, or the institution's list of files). Edited in the admin; read by
    routes.retention. A document type without a rule is kept."""

    document_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices, unique=True)
    years = models.PositiveSmallIntegerField(_("years kept after the case ends"))
    basis = models.TextField(_("basis"), max_length=1000, help_text=_("The article of the list that sets the period."))

    history = tracked()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention schedule")
        ordering = ["document_type"]
        constraints = [models.CheckConstraint(condition=models.Q(years__lte=100), name="documents_retention_years")]

    def __str__(self):
        return f"{self.get_document_type_display()}: {self.years}"


def new_verification_token() -> str:
    # 128 random bits: the printed link must not be guessable from the number or from other documents' links.
    return secrets.token_urlsafe(16)


def default_document_languages() -> list[str]:
    return list(settings.DOCUMENT_LANGUAGES)


class RegisteredDocument(models.Model):
    """One registered version of a document, frozen: its PDFs are rendered once and never over.

    The source (an application, a conclusion, later a route or a protocol) is linked generically; a later change
    of the source that must be registered again is a new row with the next `version` and files of its own, and the
    row it replaces becomes superseded. Who may read it is whoever may read the source (documents.forms_registry).
    """

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        SUPERSEDED = "superseded", _("Superseded")
        CANCELLED = "cancelled", _("Cancelled")
        # The registered application of a case that ended without being taken up.
        REJECTED = "rejected", _("Void: the application was rejected")
        MERGED = "merged", _("Void: merged into another case")

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    document_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("source type"))
    object_id = models.PositiveBigIntegerField(_("source id"))
    source = GenericForeignKey("content_type", "object_id")
    # Empty for a document about several students (a team meeting's protocol): the protocol itself belongs to no
    # one personal file; each student discussed gets a registered extract (PROTOCOL_EXTRACT) that does.
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="registered_documents",
        verbose_name=_("student"),
        null=True,
        blank=True,
    )
    number = models.CharField(_("registration number"), max_length=40)
    registered_on = models.DateField(_("registered on"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_FORCE, db_index=True
    )
    languages = models.JSONField(_("languages"), default=default_document_languages)
    verification_token = models.CharField(
        _("verification token"), max_length=32, unique=True, default=new_verification_token, editable=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("registered by"),
    )
    # The number and date the institution's chancellery gave the paper when it came in (regulation §10 a), entered
    # by the centre staff who register it (documents.services.document_record_incoming); empty for documents the
    # centre itself issues. Not part of the chained content: it may be corrected later (history keeps each value).
    incoming_number = models.CharField(_("chancellery incoming number"), max_length=40, blank=True, default="")
    incoming_date = models.DateField(_("chancellery incoming date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    # The stored PDFs hold personal data: after the retention period they are destroyed (routes.retention) and
    # only this register entry with the number, the date and each file's SHA-256 remains.
    destroyed_at = models.DateTimeField(_("PDF destroyed (retention period over) at"), null=True, blank=True)
    # A signature sheet: this version re-renders the form with the signatures made on `signed_version`.
    signed_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signature_sheets",
        verbose_name=_("signature sheet of"),
    )

    history = tracked()

    class Meta:
        verbose_name = _("registered document")
        verbose_name_plural = _("registered documents")
        ordering = ["-registered_on", "-pk"]
        permissions = [
            ("view_register", _("Can see the register of documents")),
            ("export_personal_file", _("Can export any student's personal file")),
            ("issue_signature_sheet", _("Can register a document's signature sheet")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "version"], name="documents_registered_source_version_unique"
            ),
            models.UniqueConstraint(
                fields=["document_type", "number", "version"], name="documents_registered_number_version_unique"
            ),
        ]
        # (content type, object id) lookups use the unique constraint's index.
        indexes = [models.Index(fields=["student", "registered_on"])]

    def __str__(self):
        return f"{self.number} v{self.version}"

    def audit_chain_content(self) -> dict:
        """What the audit chain freezes at registration: what the document is, never its later state (status,
        rendering, destruction of its PDFs), which moves through StatusChange rows and chained events."""
        return {
            "public_id": self.public_id,
            "document_type": self.document_type,
            "source": [self.content_type_id, self.object_id],
            "number": self.number,
            "registered_on": self.registered_on,
            "version": self.version,
            "verification_token": self.verification_token,
        }

    @property
    def is_rendered(self) -> bool:
        return self.rendered_at is not None

    def verification_path(self) -> str:
        from django.urls import reverse

        return reverse("documents:verify", args=[self.verification_token])

    def verification_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.verification_path()


def _pdf_path(instance: "RegisteredFile", filename: str) -> str:
    document = instance.document
    return (
        f"registered/{document.document_type}/{document.registered_on:%Y}/"
        f"{document.public_id}/v{document.version}-{instance.language}-{uuid.uuid4().hex[:8]}.pdf"
    )


class RegisteredFile(models.Model):
    """The stored PDF of a registered document in one language, with its SHA-256. Written once."""

    document = models.ForeignKey(
        RegisteredDocument, on_delete=models.PROTECT, related_name="files", verbose_name=_("document")
    )
    language = models.CharField(_("language"), max_length=5)
    file = models.FileField(_("file"), upload_to=_pdf_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    rendered_at = models.DateTimeField(_("rendered at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("stored PDF")
        verbose_name_plural = _("stored PDFs")
        ordering = ["document", "language"]
        constraints = [
            models.UniqueConstraint(fields=["document", "language"], name="documents_file_one_per_language"),
        ]

    def __str__(self):
        return f"{self.document} ({self.language})"

    def audit_chain_content(self) -> dict:
        # The file itself may be destroyed after the retention period; its SHA-256 stays and stays chained.
        return {"document": self.document_id, "language": self.language, "sha256": self.sha256, "size": self.size}


class SignatureRole(models.TextChoices):
    """Who a signature is from, as the form names them (regulation §10)."""

    APPLICANT = "applicant", _("Applicant")
    SPECIALIST = "specialist", _("Assessing specialist")
    CENTRE_HEAD = "centre_head", _("Head of the centre")
    LECTURER = "lecturer", _("Lecturer")
    APPROVING_OFFICIAL = "approving_official", _("Approving official")
    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")


class Signature(models.Model):
    """One person's signature on a registered document: a qualified electronic signature (a detached CMS over the
    stored PDF of one language, checked by documents.signatures) or a confirmation in the system. Written once by
    documents.signatures.services; only the result of later re-checks (verify_signatures) changes."""

    class Method(models.TextChoices):
        NCALAYER = "ncalayer", _("Qualified electronic signature (ЭЦП, NCALayer)")
        IN_SYSTEM = "in-system", _("Confirmed in the centre's system (not a qualified electronic signature)")

    class Revocation(models.TextChoices):
        GOOD = "good", _("Not revoked")
        NOT_CHECKED = "not_checked", _("Revocation not checked")
        NOT_APPLICABLE = "not_applicable", _("No certificate")

    document = models.ForeignKey(
        RegisteredDocument, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("document")
    )
    language = models.CharField(_("language of the signed PDF"), max_length=5, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signer")
    )
    role = models.CharField(_("role in the document"), max_length=24, choices=SignatureRole.choices)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    cms = models.BinaryField(_("detached CMS signature"), blank=True, default=b"")
    content_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, blank=True)
    certificate_serial = models.CharField(_("certificate serial number"), max_length=64, blank=True)
    certificate_subject = models.TextField(_("certificate subject"), blank=True)
    certificate_issuer = models.TextField(_("certificate issuer"), blank=True)
    algorithm = models.CharField(_("algorithm"), max_length=40, blank=True)
    signed_at = models.DateTimeField(_("signing time"))
    revocation = models.CharField(_("revocation check"), max_length=16, choices=Revocation.choices)
    revocation_detail = models.CharField(_("revocation check details"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    last_checked_at = models.DateTimeField(_("last re-checked at"), null=True, blank=True)
    last_check_result = models.CharField(_("result of the last re-check"), max_length=300, blank=True)

    history = tracked(excluded_fields=["cms"])

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["document", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "signer", "role", "language"], name="documents_signature_once_per_role"
            ),
        ]

    def __str__(self):
        return f"{self.document} · {self.get_role_display()} · {self.signer}"

    @property
    def is_qualified(self) -> bool:
        return self.method == self.Method.NCALAYER

    def audit_chain_content(self) -> dict:
        return {
            "document": self.document_id,
            "language": self.language,
            "signer": self.signer_id,
            "role": self.role,
            "method": self.method,
            "cms_sha256": hashlib.sha256(bytes(self.cms)).hexdigest(),
            "content_sha256": self.content_sha256,
            "certificate_serial": self.certificate_serial,
            "signed_at": self.signed_at,
        }


class Letterhead(models.Model):
    """The institution's letterhead on every printed form: emblem, names, address, contacts and form codes.

    One row (`key` is always 1), edited by the system administrator in the admin, with history. Until it is
    filled, the forms fall back to the settings (INSTITUTION_NAME, INSTITUTION_LOGO). The emblem is kept in the
    row itself, not as a file: it is small, it is not personal data, and the renderer then reads it as a data URI
    without any folder being opened to it.
    """

    key = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    institution_name_kk = models.CharField(_("institution (Kazakh)"), max_length=300)
    institution_name_ru = models.CharField(_("institution (Russian)"), max_length=300)
    institution_name_en = models.CharField(_("institution (English)"), max_length=300, blank=True)
    centre_name_kk = models.CharField(_("centre (Kazakh)"), max_length=300)
    centre_name_ru = models.CharField(_("centre (Russian)"), max_length=300)
    centre_name_en = models.CharField(_("centre (English)"), max_length=300, blank=True)
    addressee_kk = models.CharField(
        _("addressee of applications (Kazakh)"),
        max_length=300,
        help_text=_("Who an application is addressed to, in the dative: «… басшысына»."),
    )
    addressee_ru = models.CharField(
        _("addressee of applications (Russian)"),
        max_length=300,
        help_text=_("Who an application is addressed to, in the dative: «Руководителю …»."),
    )
    address_kk = models.CharField(_("postal address (Kazakh)"), max_length=300, blank=True)
    address_ru = models.CharField(_("postal address (Russian)"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=60, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    form_code_application = models.CharField(_("form code: application"), max_length=60, blank=True)
    form_code_conclusion = models.CharField(_("form code: conclusion"), max_length=60, blank=True)
    form_code_route = models.CharField(_("form code: route"), max_length=60, blank=True)
    form_code_protocol = models.CharField(_("form code: protocol"), max_length=60, blank=True)
    form_code_protocol_extract = models.CharField(_("form code: extract from a protocol"), max_length=60, blank=True)
    emblem = models.BinaryField(_("emblem"), blank=True, default=b"")
    emblem_type = models.CharField(_("emblem type"), max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterhead")
        constraints = [models.CheckConstraint(condition=models.Q(key=1), name="documents_letterhead_singleton")]

    def __str__(self):
        return self.institution_name_kk

    def localized(self, field: str, language: str) -> str:
        """`field`'s text in `language` (kk, ru or en); Kyrgyz and missing English fall back to Russian."""
        for code in (language, "ru", "kk"):
            value = getattr(self, f"{field}_{code}", "")
            if value:
                return value
        return ""

    def form_code(self, document_type: str) -> str:
        return getattr(self, f"form_code_{document_type}", "")
