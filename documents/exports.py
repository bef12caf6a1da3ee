"""Files made for download from what the selectors read: the register as XLSX, a student's personal file as ZIP.

Both are built in a temporary file (in memory while small), never kept: the stored PDFs stay the only copies.
"""

import csv
import hashlib
import io
import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from inclusion_centre import spreadsheet

from .models import RegisteredDocument
from .uploads import display_name

logger = logging.getLogger(__name__)


def register_xlsx(documents) -> bytes:
    """The register as a workbook: one row per registered document, in the reader's language."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=pgettext("document register", "Register")[:31])
    sheet.append([_("Number"), _("Document"), _("Date"), _("Student"), _("Status"), _("Version"), _("PDF stored")])
    for document in documents:
        sheet.append(
            [
                spreadsheet.cell(value)
                for value in (
                    document.number,
                    str(document.get_document_type_display()),
                    document.registered_on,
                    document.student.user.full_name if document.student_id else "",
                    str(document.get_status_display()),
                    document.version,
                    ", ".join(stored.language for stored in document.files.all()) or _("being prepared"),
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class IndexRow:
    path: str
    section: str
    title: str
    number: str
    date: object
    version: str
    status: str
    language: str
    sha256: str
    size: int | None
    note: str = ""


def _safe(text: str) -> str:
    """A path segment from a number or a name: no separators, nothing a ZIP reader could take for a folder."""
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "-", text).strip(" .-") or "file"


def _index_csv(rows: list[IndexRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("File in the archive"),
            _("Section"),
            _("Document"),
            _("Number"),
            _("Date"),
            _("Version"),
            _("Status"),
            _("Language"),
            _("SHA-256"),
            _("Size in bytes"),
            _("Note"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                spreadsheet.cell(value)
                for value in (
                    row.path,
                    row.section,
                    row.title,
                    row.number,
                    row.date.isoformat() if row.date else "",
                    row.version,
                    row.status,
                    row.language,
                    row.sha256,
                    row.size if row.size is not None else "",
                    row.note,
                )
            ]
        )
    # With a BOM, spreadsheet programs read the Cyrillic and Kazakh letters as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def _index_pdf(student, rows: list[IndexRow], language: str) -> bytes:
    from .rendering import common_context, html_to_pdf  # WeasyPrint loads only when an archive is made

    made_at = timezone.now()
    with translation.override(language):
        footer = f"{_('Personal file: index')} · {date_format(timezone.localtime(made_at), 'd.m.Y H:i')}"
        html = render_to_string(
            "documents/pdf/personal_file_index.html",
            {**common_context(language), "student": student, "rows": rows, "made_at": made_at, "footer": footer},
        )
    return html_to_pdf(html)


def personal_file_zip(
    student, documents: list[RegisteredDocument], uploads, *, language: str, extra: dict[str, bytes] | None = None
):
    """The student's personal file as a ZIP: every stored PDF of every registered document (all versions), every
    uploaded supporting document, and an index of the contents as CSV and PDF. Returns an open temporary file,
    positioned at the start, for the caller to stream and close.

    Each stored PDF is checked against its registered SHA-256 on the way in; a mismatch is written in the index
    (and logged) rather than hidden. `extra` maps more archive paths to their content (subject access adds its
    JSON file); they are listed in the index too.
    """
    if language not in settings.DOCUMENT_LANGUAGES:
        language = settings.LANGUAGE_CODE
    archive_file = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 -- the caller streams and closes it
    rows: list[IndexRow] = []
    with translation.override(language), zipfile.ZipFile(archive_file, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            stored_files = {stored.language: stored for stored in document.files.all()}
            base = f"registered/{_safe(document.number)}_v{document.version}"
            for wanted in document.languages:
                stored = stored_files.get(wanted)
                row = IndexRow(
                    path="",
                    section=_("Registered document"),
                    title=str(document.get_document_type_display()),
                    number=document.number,
                    date=document.registered_on,
                    version=str(document.version),
                    status=str(document.get_status_display()),
                    language=wanted,
                    sha256="",
                    size=None,
                )
                if document.destroyed_at is not None:
                    row.sha256 = stored.sha256 if stored is not None else ""
                    row.note = _("The PDF was destroyed when the retention period ended; the register keeps its hash.")
                    rows.append(row)
                    continue
                if stored is None:
                    row.note = _("The PDF is being prepared; it is not in this archive yet.")
                    rows.append(row)
                    continue
                with stored.file.open("rb") as handle:
                    content = handle.read()
                row.path = f"{base}_{wanted}.pdf"
                row.sha256, row.size = stored.sha256, len(content)
                if hashlib.sha256(content).hexdigest() != stored.sha256:
                    logger.error("Stored PDF %s does not match its registered SHA-256.", stored.pk)
                    row.note = _("Warning: this file does not match its registered SHA-256.")
                archive.writestr(row.path, content)
                rows.append(row)
        for index, upload in enumerate(uploads, start=1):
            folder = _safe(upload.application.registration_number or f"application-{upload.application.public_id}")
            path = f"uploads/{folder}/{index:02d}_{_safe(display_name(upload.original_name))}"
            with upload.file.open("rb") as handle:
                archive.writestr(path, handle.read())
            rows.append(
                IndexRow(
                    path=path,
                    section=_("Uploaded document"),
                    title=str(upload.get_kind_display()),
                    number=upload.application.registration_number or "",
                    date=timezone.localdate(upload.uploaded_at),
                    version="",
                    status="",
                    language="",
                    sha256=upload.sha256,
                    size=upload.size,
                )
            )
        for path, content in (extra or {}).items():
            archive.writestr(path, content)
            rows.append(
                IndexRow(
                    path=path,
                    section=_("Data held about the student"),
                    title=_("Everything the system holds about the student (JSON)"),
                    number="",
                    date=timezone.localdate(),
                    version="",
                    status="",
                    language="",
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                )
            )
        archive.writestr("index.csv", _index_csv(rows))
        archive.writestr("index.pdf", _index_pdf(student, rows, language))
    archive_file.seek(0)
    return archive_file
