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
from .selectors import signatures_of_documents
from .uploads import display_name

logger = logging.getLogger(__name__)


def register_xlsx(documents) -> bytes:
    """The register as a workbook: one row per registered document, in the reader's language."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=pgettext("document register", "Register")[:31])
    sheet.append(
        [
            _("Number"),
            _("Document"),
            _("Date"),
            _("Student"),
            _("Status"),
            _("Version"),
            _("PDF stored"),
            _("Chancellery incoming"),
        ]
    )
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
                    f"{document.incoming_number}, {document.incoming_date:%d.%m.%Y}"
                    if document.incoming_number
                    else "",
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- For the institution's document-flow system (docs/documents.md, "Register exports") ----------------------

REGISTER_XML_NAMESPACE = "urn:inclusion-centre:register:1"
REGISTER_COLUMNS = [
    "number",
    "version",
    "document_type",
    "title",
    "registered_on",
    "status",
    "incoming_number",
    "incoming_date",
    "student",
    "files",
    "verification_url",
    "public_id",
]
# Characters XML 1.0 cannot carry at all (a control character typed into a name): dropped, never escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def register_record(document: RegisteredDocument) -> dict[str, str]:
    """One register row as the document-flow exports give it: codes, ISO dates, plain strings (titles in the
    active language). `files` is "language:sha256" for each stored PDF, separated by spaces."""
    return {
        "number": document.number,
        "version": str(document.version),
        "document_type": document.document_type,
        "title": str(document.get_document_type_display()),
        "registered_on": document.registered_on.isoformat(),
        "status": document.status,
        "incoming_number": document.incoming_number,
        "incoming_date": document.incoming_date.isoformat() if document.incoming_date else "",
        "student": document.student.user.full_name if document.student_id else "",
        "files": " ".join(f"{stored.language}:{stored.sha256}" for stored in document.files.all()),
        "verification_url": document.verification_url(),
        "public_id": str(document.public_id),
    }


def register_csv(documents) -> bytes:
    """The register as CSV (UTF-8 with a BOM, comma-separated, a header of the column codes REGISTER_COLUMNS);
    text that a spreadsheet would run as a formula is kept as text (inclusion_centre.spreadsheet)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REGISTER_COLUMNS)
    for document in documents:
        record = register_record(document)
        writer.writerow([spreadsheet.cell(record[column]) for column in REGISTER_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def register_xml(documents, *, generated_at=None) -> bytes:
    """The register as XML (schema: docs/documents.md). Built with the standard library's ElementTree, which
    escapes every text and attribute; characters XML cannot carry are dropped."""
    from xml.etree import ElementTree as ET

    def text(value: str) -> str:
        return _NOT_XML.sub("", value)

    generated_at = generated_at or timezone.now()
    root = ET.Element(
        "register",
        {
            "xmlns": REGISTER_XML_NAMESPACE,
            "version": "1",
            "generated": generated_at.isoformat(timespec="seconds"),
            "institution": text(settings.INSTITUTION_NAME.get("en") or settings.INSTITUTION_NAME["kk"]),
        },
    )
    for document in documents:
        record = register_record(document)
        element = ET.SubElement(
            root,
            "document",
            {"id": record["public_id"], "type": record["document_type"], "status": record["status"]},
        )
        for name in ("number", "version", "title", "registered_on"):
            ET.SubElement(element, name.replace("_", "-")).text = text(record[name])
        if record["incoming_number"]:
            ET.SubElement(
                element, "incoming", {"number": text(record["incoming_number"]), "date": record["incoming_date"]}
            )
        if record["student"]:
            ET.SubElement(element, "student").text = text(record["student"])
        for stored in document.files.all():
            ET.SubElement(
                element, "file", {"language": stored.language, "sha256": stored.sha256, "size": str(stored.size)}
            )
        ET.SubElement(element, "verification-url").text = record["verification_url"]
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@dataclass
class IndexRow:
    path: str
    section: str
    title: str
    number: str
    date: object
    sha256: str
    size: int | None
    version: str = ""  # a registered document's; none for an upload or the subject access file
    status: str = ""
    language: str = ""
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


def _add_registered(archive: zipfile.ZipFile, document: RegisteredDocument) -> list[IndexRow]:
    """Each language's stored PDF of one registered document version, checked against its registered SHA-256."""
    rows = []
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
        rows.append(row)
        if document.destroyed_at is not None:
            row.sha256 = stored.sha256 if stored is not None else ""
            row.note = _("The PDF was destroyed when the retention period ended; the register keeps its hash.")
        elif stored is None:
            row.note = _("The PDF is being prepared; it is not in this archive yet.")
        else:
            _add_stored_pdf(archive, row, stored, f"{base}_{wanted}.pdf")
    return rows


def _add_stored_pdf(archive: zipfile.ZipFile, row: IndexRow, stored, path: str) -> None:
    with stored.file.open("rb") as handle:
        content = handle.read()
    row.path = path
    row.sha256, row.size = stored.sha256, len(content)
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        logger.error("Stored PDF %s does not match its registered SHA-256.", stored.pk)
        row.note = _("Warning: this file does not match its registered SHA-256.")
    archive.writestr(row.path, content)


def _add_uploads(archive: zipfile.ZipFile, uploads) -> list[IndexRow]:
    rows = []
    for index, upload in enumerate(uploads, start=1):
        number = upload.application.registration_number or ""
        folder = _safe(number or f"application-{upload.application.public_id}")
        path = f"uploads/{folder}/{index:02d}_{_safe(display_name(upload.original_name))}"
        with upload.file.open("rb") as handle:
            archive.writestr(path, handle.read())
        rows.append(
            IndexRow(
                path=path,
                section=_("Uploaded document"),
                title=str(upload.get_kind_display()),
                number=number,
                date=timezone.localdate(upload.uploaded_at),
                sha256=upload.sha256,
                size=upload.size,
            )
        )
    return rows


def _add_extra(archive: zipfile.ZipFile, extra: dict[str, bytes]) -> list[IndexRow]:
    rows = []
    for path, content in extra.items():
        archive.writestr(path, content)
        rows.append(
            IndexRow(
                path=path,
                section=_("Data held about the student"),
                title=_("Everything the system holds about the student (JSON)"),
                number="",
                date=timezone.localdate(),
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
        )
    return rows


def _signature_rows(archive: zipfile.ZipFile, documents: list[RegisteredDocument]) -> list[IndexRow]:
    """Each signature of the documents in the index (one query); a qualified one also as its detached CMS (.p7s)
    beside the PDF it signs, which any CAdES tool checks against that PDF."""

    rows = []
    by_pk = {document.pk: document for document in documents}
    for document_id, signatures in signatures_of_documents(documents).items():
        document = by_pk[document_id]
        for signature in signatures:
            path = ""
            if signature.cms:
                path = (
                    f"registered/{_safe(document.number)}_v{document.version}_{signature.language}"
                    f"_{signature.role}_{signature.signer_id}.p7s"
                )
                archive.writestr(path, bytes(signature.cms))
            rows.append(
                IndexRow(
                    path=path,
                    section=_("Signatures"),
                    title=f"{signature.get_role_display()}: {signature.signer.full_name}",
                    number=signature.certificate_serial or document.number,
                    date=signature.signed_at,
                    version=str(document.version),
                    status=str(signature.get_method_display()),
                    language=signature.language,
                    sha256=signature.content_sha256,
                    size=len(signature.cms) if signature.cms else None,
                    note=str(signature.get_revocation_display()),
                )
            )
    return rows


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
            rows.extend(_add_registered(archive, document))
        rows.extend(_signature_rows(archive, documents))
        rows.extend(_add_uploads(archive, uploads))
        rows.extend(_add_extra(archive, extra or {}))
        archive.writestr("index.csv", _index_csv(rows))
        archive.writestr("index.pdf", _index_pdf(student, rows, language))
    archive_file.seek(0)
    return archive_file
