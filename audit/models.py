"""The readable timeline of workflow moves, the log of reads of sensitive records, and the hash chain over both."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inclusion_centre.accounts.roles import STAFF_ROLES, Role
from inclusion_centre.history import tracked

from .canonical import entry_hash as compute_entry_hash


class StatusChange(models.Model):
    """One move of a stateful object (an application, a route …): who, when, from, to, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    content_object = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(pgettext_lazy("status change", "from"), max_length=32, blank=True)
    to_status = models.CharField(pgettext_lazy("status change", "to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("status change", "by"),
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    history = tracked()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class AccessLog(models.Model):
    """A read of a sensitive record: opening a case, downloading a document or a PDF, an export."""

    class Action(models.TextChoices):
        VIEW_CASE = "view_case", _("Opened a case")
        DOWNLOAD_DOCUMENT = "download_document", _("Downloaded an uploaded document")
        DOWNLOAD_PDF = "download_pdf", _("Downloaded a PDF")
        EXPORT = "export", _("Exported data")
        VIEW_HISTORY = "view_history", _("Read the history of changes")
        VIEW_HISTORY_HEALTH = "view_history_health", _("Read health data in the history of changes, giving a reason")
        DENIED = "denied", _("Was refused access")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    roles = models.CharField(_("roles at the time"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("object type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    # Whose personal file was read, so the student can be shown who opened it (audit.services.log_access fills it).
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whose file"),
    )
    path = models.CharField(_("address"), max_length=300)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Why the reader needed what is shown only with a reason (health data in the history of changes).
    reason = models.CharField(_("reason given"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    history = tracked()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"]),
            models.Index(fields=["student", "created_at"], name="audit_access_student_idx"),
            models.Index(fields=["user", "created_at"], name="audit_access_user_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.action}"

    @property
    def role_labels(self) -> list[str]:
        """The roles the user held at the time, by name in the reader's language."""
        return [Role(code).label for code in self.roles.split(",") if code in Role.values]

    @property
    def staff_role_labels(self) -> list[str]:
        """Only the staff roles: what a student is told about who read their file."""
        return [Role(code).label for code in self.roles.split(",") if code in Role.values and Role(code) in STAFF_ROLES]

    @property
    def object_type_label(self) -> str:
        if self.content_type_id is None:
            return ""
        model = self.content_type.model_class()
        return capfirst(model._meta.verbose_name) if model is not None else self.content_type.model


class AuditChainEntry(models.Model):
    """One link of the tamper-evident chain over status changes, access-log entries and document registrations.

    Append-only: written only by `audit.services.chain_append`, under a lock, so sequence numbers have no gaps and
    every entry names the hash of the one before it. `content` is the canonical JSON of the source row (or of a
    payload) at the time it was chained; `manage.py verify_audit` recomputes everything from the current rows.
    Not tracked by django-simple-history: the chain proves its own integrity, and a history table would double
    every write of the busiest table for nothing a verifier could use.
    """

    class Kind(models.TextChoices):
        STATUS_CHANGE = "status_change", _("Status change")
        ACCESS = "access", _("Access-log entry")
        DOCUMENT_REGISTRATION = "document_registration", _("Document registration")
        EVENT = "event", _("Other event")

    seq = models.PositiveBigIntegerField(_("sequence number"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("type of the source record"),
    )
    source_id = models.PositiveBigIntegerField(_("id of the source record"), null=True, blank=True)
    content = models.TextField(_("content (canonical JSON)"))
    content_hash = models.CharField(_("SHA-256 of the content"), max_length=64)
    prev_hash = models.CharField(_("hash of the previous entry"), max_length=64)
    entry_hash = models.CharField(_("hash of this entry"), max_length=64)
    created_at = models.DateTimeField(_("chained at"))

    class Meta:
        verbose_name = _("audit chain entry")
        verbose_name_plural = _("audit chain")
        ordering = ["seq"]
        permissions = [("view_history", _("Can read the history of changes of any record"))]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(source_id__isnull=False),
                name="audit_chain_one_entry_per_source",
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.kind}"

    def compute_hash(self, source_label: str) -> str:
        """SHA-256 over the entry's own fields and the previous hash; `source_label` is "app_label.model" or ""."""
        return compute_entry_hash(
            seq=self.seq,
            kind=self.kind,
            source=source_label,
            source_id=self.source_id,
            created_at=self.created_at,
            content_hash=self.content_hash,
            prev_hash=self.prev_hash,
        )


class Disclosure(models.Model):
    """A disclosure of a student's personal data to a third party (regulation §10.3): who received which data, on
    what legal ground, when, and who recorded it. The student sees their disclosures in "who has opened my file"."""

    class Category(models.TextChoices):
        IDENTITY = "identity", _("Identity (name, ID number, date of birth)")
        CONTACTS = "contacts", _("Contact details")
        STUDIES = "studies", _("Studies (programme, group, courses, results)")
        HEALTH = "health", _("Health and disability information")
        CONCLUSION = "conclusion", _("The centre's conclusion")
        ROUTE = "route", _("The individual educational route")
        DOCUMENTS = "documents", _("Uploaded documents")

    class Ground(models.TextChoices):
        CONSENT = "consent", _("The student's consent")
        REQUEST = "request", _("A request of a court or an authority")
        LAW = "law", _("A requirement of the law")
        OTHER = "other", _("Other")

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("whose data")
    )
    recipient = models.CharField(_("recipient (organisation or person)"), max_length=300)
    categories = models.JSONField(_("data disclosed"), default=list)
    details = models.CharField(_("details of the data"), max_length=1000, blank=True)
    ground = models.CharField(_("legal ground"), max_length=16, choices=Ground.choices)
    ground_text = models.CharField(_("the ground in words"), max_length=1000, blank=True)
    disclosed_on = models.DateField(_("disclosed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("disclosure of personal data")
        verbose_name_plural = _("register of disclosures")
        ordering = ["-disclosed_on", "-pk"]
        indexes = [
            models.Index(fields=["student", "disclosed_on"], name="audit_disclosure_student_idx"),
            models.Index(fields=["disclosed_on"], name="audit_disclosure_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(ground="other") | ~models.Q(ground_text=""), name="audit_disclosure_other_ground"
            )
        ]

    def __str__(self):
        return f"{self.disclosed_on:%Y-%m-%d} → {self.recipient}"

    @property
    def category_labels(self) -> list[str]:
        return [str(self.Category(code).label) for code in self.categories if code in self.Category.values]
