"""The one helper every CSV and XLSX export writes its cells through (issue #20, item 11)."""

import csv
import io

import pytest
from django.utils.translation import gettext_lazy

from inclusion_centre import spreadsheet


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(start):
    assert spreadsheet.cell(start + "1+1") == "'" + start + "1+1"


@pytest.mark.parametrize("value", ["Факультет", "a=b", "", 5, -5, 2.5, None])
def test_other_values_are_written_as_they_are(value):
    assert spreadsheet.cell(value) == value


def test_lazy_text_is_escaped_too():
    assert spreadsheet.cell(gettext_lazy("=cmd")) == "'=cmd"


def test_the_writer_escapes_every_cell_and_returns_what_csv_returns():
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer)
    assert writer.writerow(["=A1", "ok", 3]) == len("'=A1,ok,3\r\n")
    writer.writerows([["+1", "-2"]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=A1", "ok", "3"], ["'+1", "'-2"]]


def test_the_personal_files_index_is_escaped():
    from documents.exports import IndexRow, _index_csv

    row = IndexRow(
        path="a.pdf", section="=cmd|' /C calc'!A0", title="@SUM(1)", number="-1", date=None, version="1",
        status="+x", language="kk", sha256="0" * 64, size=3,
    )  # fmt: skip
    cells = next(iter(list(csv.reader(io.StringIO(_index_csv([row]).decode("utf-8-sig"))))[1:]))
    assert cells[1:4] == ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'-1"]
    assert cells[6] == "'+x"
