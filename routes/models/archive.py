"""Hand-overs to the archive (regulation §10.2 c): before retention destroys the stored PDFs of a case whose
documents' periods (documents.RetentionRule) have run out, they are packed into the signed archival package of the
case (documents.archive) and the package is handed to the institution's archive; this row records it."""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked


class HandOverStorage(FileSystemStorage):
    """The archive's folder (settings.ARCHIVE_HANDOVER_ROOT, read when used): outside the private files that
    retention cleans."""

    @property
    def base_location(self):
        return str(settings.ARCHIVE_HANDOVER_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def handover_storage() -> FileSystemStorage:
    return HandOverStorage()


def _package_path(instance: "HandOver", filename: str) -> str:
    return f"{instance.handed_over_at:%Y}/{instance.public_id}.zip"


class HandOver(models.Model):
    """One case's expired documents handed to the archive as a signed package, then destroyed here."""

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "students.Application", on_delete=models.PROTECT, related_name="handovers", verbose_name=_("case")
    )
    documents = models.ManyToManyField(
        "documents.RegisteredDocument", related_name="handovers", verbose_name=_("documents handed over")
    )
    numbers = models.JSONField(_("numbers of the documents"), default=list)
    handed_over_at = models.DateTimeField(_("handed over at"))
    package = models.FileField(_("package"), storage=handover_storage, upload_to=_package_path, max_length=200)
    package_sha256 = models.CharField(_("SHA-256 of the package"), max_length=64)
    package_size = models.PositiveIntegerField(_("size in bytes"))
    destroyed_at = models.DateTimeField(_("PDFs destroyed at"), null=True, blank=True)

    history = tracked(m2m_fields=[documents])

    class Meta:
        verbose_name = _("hand-over to the archive")
        verbose_name_plural = _("hand-overs to the archive")
        ordering = ["-handed_over_at", "-pk"]

    def __str__(self):
        return f"{self.handed_over_at:%d.%m.%Y} · {', '.join(self.numbers)}"
