"""Checks for uploaded files: size, type by content (never by name or by what the browser claims), safe names."""

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from . import antivirus, pdfcheck

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
# What browsers and operating systems call each type; a declared type outside these (and not a generic "some
# bytes") contradicts the content.
DECLARED_ALIASES = {
    "application/pdf": {"application/pdf", "application/x-pdf", "application/acrobat"},
    "image/jpeg": {"image/jpeg", "image/jpg", "image/pjpeg"},
    "image/png": {"image/png", "image/x-png"},
}
GENERIC_TYPES = {
    "",
    "application/octet-stream",
    "binary/octet-stream",
    "application/x-download",
    "application/download",
}

# ValidationError code when the virus scanner is configured but does not answer: the view answers 503.
SCAN_UNAVAILABLE = "scan_unavailable"


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    sha256: str
    size: int
    display_name: str


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def display_name(name: str) -> str:
    """A name safe to show and to put in a Content-Disposition header: no path, no control characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]", "", name).strip(" .")
    return (name or "document")[:120]


def check_upload(upload) -> CheckedUpload:
    """Validate an UploadedFile; return what was learnt from its content. Raises ValidationError."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: %(size)s. The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    content_type = sniff(upload.read(16))
    if content_type is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files can be uploaded."), code="type")
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in ALLOWED_TYPES[content_type]:
        # A PDF named photo.png, or a PNG named scan.pdf: the name lies about the content.
        raise ValidationError(
            _("The file's name does not match its content. Save it again as PDF, JPEG or PNG and upload it."),
            code="mismatch",
        )
    upload.seek(0)
    if content_type == "application/pdf":
        upload.seek(max(upload.size - 2048, 0))
        if b"%%EOF" not in upload.read():
            raise ValidationError(_("The PDF file is damaged or incomplete."), code="damaged")
    else:
        _check_image(upload)
    declared = (getattr(upload, "content_type", None) or "").split(";")[0].strip().lower()
    if declared not in GENERIC_TYPES and declared not in DECLARED_ALIASES[content_type]:
        # The browser says text/html (or image/png) for what is really a PDF: one of them lies; accept neither.
        raise ValidationError(
            _("The file's type does not match its content. Save it again as PDF, JPEG or PNG and upload it."),
            code="mismatch",
        )
    upload.seek(0)
    if settings.CLAMD:
        _scan(upload)
    if content_type == "application/pdf":
        pdfcheck.check_pdf(upload)  # no scripts, no embedded files, no inflation bomb
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        content_type=content_type, sha256=digest.hexdigest(), size=upload.size, display_name=display_name(upload.name)
    )


def _check_image(upload) -> None:
    """Refuse a damaged image, and one declaring more pixels than UPLOAD_MAX_IMAGE_PIXELS: a small file that
    claims 20000×20000 pixels would take gigabytes of memory in whatever decodes it (Pillow's decompression bomb)."""
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > settings.UPLOAD_MAX_IMAGE_PIXELS:
                raise _TooManyPixels(width, height)
            image.verify()
    except (_TooManyPixels, Image.DecompressionBombError) as exc:
        logger.warning("Image upload refused: %s", exc)
        raise ValidationError(
            _("The image has too many pixels: at most %(limit)s million. Scan it at a lower resolution.")
            % {"limit": settings.UPLOAD_MAX_IMAGE_PIXELS // 1_000_000},
            code="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("The image file is damaged or incomplete."), code="damaged") from exc


class _TooManyPixels(Exception):
    pass


def _scan(upload) -> None:
    try:
        result = antivirus.scan_stream(upload)
    except antivirus.ScannerUnavailable as exc:
        logger.error("Upload refused: the virus scanner at %s did not answer (%s)", settings.CLAMD, exc)
        raise ValidationError(
            _("Files cannot be checked for viruses at the moment, so none are accepted. Try again later."),
            code=SCAN_UNAVAILABLE,
        ) from exc
    if not result.clean:
        logger.warning("Upload refused: the virus scanner found %s", result.signature)
        raise ValidationError(
            _("The virus scanner found a threat in this file, so it was not accepted."), code="infected"
        )
