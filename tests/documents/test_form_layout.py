"""Every printed form, with the worst case the models allow (tests/documents/worst_case.py), in Kazakh and in
Russian: no text run leaves the text area of the page, no two runs of a line overprint each other, and no page
holds only the footer (the QR code and the verification link). Also prints how long each render takes."""

import datetime
import itertools
import time

import pytest
from django.utils import translation

from documents.exports import IndexRow, _index_pdf
from documents.models import DocumentType
from documents.rendering import render_pdf
from routes.models import ProtocolItem
from tests import factories

from . import worst_case
from .layout import page_texts, text_runs

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
LEFT, RIGHT = 25 * MM, 15 * MM  # the page margins of templates/documents/pdf/document.css
TOLERANCE = 1.5  # points: the width estimate ignores kerning


def _source(document_type: str):
    """The worst-case source of `document_type`, with only what it needs built."""
    student = factories.StudentFactory(
        user__full_name=worst_case.text(199),
        programme__name_kk=worst_case.text(299),
        programme__name_ru=worst_case.text(299, "Образовательная программа"),
    ).user
    application = worst_case.application(student)
    if document_type == DocumentType.APPLICATION:
        return application
    head, approver, secretary = worst_case.person(1), worst_case.person(2), worst_case.person(3)
    specialists = [worst_case.person(10 + i) for i in range(6)]
    conclusion = worst_case.conclusion(application, head, specialists)
    if document_type == DocumentType.CONCLUSION:
        return conclusion
    if document_type == DocumentType.ROUTE:
        return worst_case.route(application, conclusion, head, approver)
    members = specialists + [worst_case.person(100 + i, roles=("lecturer",)) for i in range(worst_case.ROWS)]
    other = worst_case.application(factories.StudentFactory(user__full_name=worst_case.text(199)).user)
    protocol = worst_case.protocol([application, other], head, secretary, members)
    if document_type == DocumentType.PROTOCOL:
        return protocol
    return ProtocolItem.objects.filter(protocol=protocol).order_by("item__order").first()


def _footer_only(text: str, number: str) -> bool:
    """A page whose text, without the footer and the verification block, is (next to) nothing."""
    rest = text.replace(number, "")
    for marker in ("http", "/ ", "·"):
        rest = rest.replace(marker, "")
    rest = " ".join(word for word in rest.split() if not word.startswith("testserver") and "/documents/" not in word)
    return len(rest) < 250  # the verification block's two sentences alone are ~220 characters


def assert_laid_out(content: bytes, label: str, number: str) -> None:
    runs, sizes = text_runs(content)
    assert runs, f"{label}: no text"
    for run in runs:
        width, height = sizes[run.page]
        assert run.x0 >= LEFT - TOLERANCE, f"{label} p.{run.page + 1}: starts in the left margin: {run}"
        assert run.x1 <= width - RIGHT + TOLERANCE, f"{label} p.{run.page + 1}: crosses the right margin: {run}"
        assert 0 <= run.y <= height, f"{label} p.{run.page + 1}: off the page: {run}"
    by_line: dict[tuple[int, int], list] = {}
    for run in runs:
        by_line.setdefault((run.page, round(run.y)), []).append(run)
    for line in by_line.values():
        line.sort(key=lambda run: run.x0)
        for left, right in itertools.pairwise(line):
            assert right.x0 >= left.x1 - TOLERANCE, f"{label}: {left.text!r} overprints {right.text!r}"
    for page, text in enumerate(page_texts(content), start=1):
        assert not _footer_only(text, number), f"{label}: page {page} holds only the footer: {text[:300]!r}"


FORMS = [
    DocumentType.APPLICATION,
    DocumentType.CONCLUSION,
    DocumentType.ROUTE,
    DocumentType.PROTOCOL,
    DocumentType.PROTOCOL_EXTRACT,
]


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("document_type", FORMS)
def test_every_form_fits_its_pages_with_the_worst_case(db, document_type, language):
    document = worst_case.document(_source(document_type), document_type, f"{document_type[:4].upper()}-2026/9999")
    started = time.perf_counter()
    content = render_pdf(document=document, language=language)
    # Reported, not asserted: the machine the tests run on is shared. Run with -s to see it.
    print(f"\n{document_type} ({language}), worst case: {(time.perf_counter() - started) * 1000:.0f} ms")
    assert_laid_out(content, f"{document_type} ({language})", document.number)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_personal_file_index_keeps_names_out_of_the_sha256_column(db, language):
    student = factories.StudentFactory(user__full_name=worst_case.text(199))
    rows = [
        IndexRow(
            path=f"registered/{'ЖББМ-2026-0007-нұсқа-' * 6}{i}.pdf",
            section="registered",
            title=worst_case.text(150),
            number="ЖББМ-2026/0007",
            date=datetime.date(2026, 9, 1),
            version="2",
            status=worst_case.text(40),
            language="kk",
            sha256="ab" * 32,
            size=123456,
        )
        for i in range(worst_case.ROWS)
    ]
    with translation.override(language):
        content = _index_pdf(student, rows, language)
    assert_laid_out(content, f"index ({language})", "")
