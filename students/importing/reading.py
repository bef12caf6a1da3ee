"""Reading an export of the student information system: CSV (UTF-8 with or without BOM; comma, semicolon or tab)
or XLSX (the first sheet). Both give the header and then the data rows with their line numbers, one row at a time,
so a file of any length is never held in memory whole."""

import codecs
import csv
import datetime
import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import BinaryIO

from django.utils.translation import gettext_noop

from .report import Problem

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")

Rows = Iterator[tuple[int, list[str]]]


class FileUnreadable(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""

    def __init__(self, problem: Problem):
        super().__init__(problem.msgid)
        self.problem = problem


def _unreadable(msgid: str, **params) -> FileUnreadable:
    return FileUnreadable(Problem(line=None, column="", msgid=msgid, params=params))


@contextmanager
def open_table(stream: BinaryIO) -> Iterator[Rows]:
    """Rows of the file as (line number, cell texts), blank rows left out. Raises FileUnreadable.

    The type is told by the content, never by the file's name: an XLSX file is a ZIP archive."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if not head:
        raise _unreadable(gettext_noop("The file is empty."))
    if head == XLSX_MAGIC:
        with _xlsx_rows(stream) as rows:
            yield rows
    else:
        yield _csv_rows(stream)


def _check_utf8(stream: BinaryIO) -> None:
    # Decoding the whole file first costs one quick pass, and it means a bad byte near the end is found before
    # any row is written rather than after half of the file has been imported.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _unreadable(
            gettext_noop("The file is not UTF-8 text. Save it as “CSV UTF-8” or as an Excel workbook (.xlsx).")
        ) from None
    stream.seek(0)


def _csv_rows(stream: BinaryIO) -> Rows:
    _check_utf8(stream)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    lines = iter(text)
    # The delimiter is the one the header row uses most: Excel in Russian and Kazakh locales saves ";".
    leading = []
    for first in lines:
        if first.strip():
            break
        leading.append(first)
    else:
        first = ""
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(itertools.chain(leading, [first], lines), delimiter=delimiter)
    ends_at = 0
    try:
        for cells in reader:
            starts_at, ends_at = ends_at + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield starts_at, cells
    except csv.Error:
        raise _unreadable(
            gettext_noop("The file could not be read as CSV after line %(line)s: check the quotation marks."),
            line=ends_at,
        ) from None
    finally:
        # Leave the caller's stream open (closing the wrapper would close it), unless it is closed already.
        with suppress(ValueError):
            text.detach()


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an identifier typed as a number: 20260001.0 → "20260001"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@contextmanager
def _xlsx_rows(stream: BinaryIO) -> Iterator[Rows]:
    from openpyxl import load_workbook

    try:
        # read_only streams the sheet's XML: memory stays flat whatever the number of rows.
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # openpyxl raises zipfile, KeyError, XML and its own errors for a damaged workbook
        raise _unreadable(
            gettext_noop("The Excel file could not be read. Open it in Excel, save it again as .xlsx and retry.")
        ) from None

    def rows() -> Rows:
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(cell.strip() for cell in cells):
                yield line, cells

    try:
        yield rows()
    finally:
        workbook.close()
