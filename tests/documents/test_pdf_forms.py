"""The printed forms: every Kazakh letter and the Russian text survive into the PDF, which is PDF/A-3a, tagged,
in the document's language, with its fonts embedded, the approval block and the verification link."""

import io

import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader
from weasyprint.urls import path2url

from documents.rendering import LocalOnlyFetcher
from students.pdf_forms import application_context

from .conftest import KAZAKH_LOWER, KAZAKH_UPPER, RUSSIAN_TEXT, pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_application_pdf_carries_every_kazakh_letter_and_the_russian_text(application_document, language):
    text = pdf_text(stored_bytes(application_document, language))
    for letter in KAZAKH_LOWER + KAZAKH_UPPER:
        assert letter in text, f"{letter!r} missing from the {language} PDF"
    assert f"{KAZAKH_LOWER} {KAZAKH_UPPER}" in text
    assert RUSSIAN_TEXT in text
    assert settings.INSTITUTION_NAME[language] in text
    assert application_document.number in text
    assert application_document.registered_on.strftime("%d.%m.%Y") in text
    assert "Қоңырбаева" in text  # the student's name
    assert application_document.verification_url() in text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_conclusion_pdf_has_the_content_and_the_approval_block(conclusion_document, specialist, centre_head, language):
    text = pdf_text(stored_bytes(conclusion_document, language))
    for letter in KAZAKH_UPPER:
        assert letter in text
    assert settings.INSTITUTION_NAME[language] in text
    assert conclusion_document.number in text
    assert "Бағалау формаларын бейімдеу қажет" in text
    # Who assessed, who drafted, who signed, each with their position.
    assert specialist.full_name in text
    assert specialist.staff_profile.position in text
    assert centre_head.full_name in text
    assert centre_head.staff_profile.position in text
    # Each area's findings are part of the conclusion as the centre files it (issue #21); the conclusion is read
    # only by the centre and the student's side (permissions.can_view_conclusion), never by lecturers.
    assert "Сөйлеу қарқыны баяу" in text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_pdf_is_archival_tagged_in_its_language_with_embedded_fonts(application_document, language):
    reader = PdfReader(io.BytesIO(stored_bytes(application_document, language)))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="A"' in xmp
    assert root["/Lang"] == language
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert "/OutputIntents" in root
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    assert fonts, "no font in the PDF"
    assert all(fonts.values()), f"fonts not embedded: {fonts}"
    assert all("Document-Sans" in name for name in fonts)


def test_the_approval_block_tells_who_applied_consented_and_registered(application_document, centre_head):
    with translation.override("en"):
        approvals = application_context(application_document.source)["approvals"]
    student = application_document.student.user
    assert [(a.role, a.name, a.outcome.split(" (")[0]) for a in approvals] == [
        ("Applicant", student.full_name, "Submitted and signed electronically"),
        ("Consent to the processing of personal data", student.full_name, "Given"),
        ("Registration", centre_head.full_name, f"Registered under number {application_document.number}"),
    ]
    assert approvals[2].position == centre_head.staff_profile.position
    assert all(a.date is not None for a in approvals)


def test_the_forms_fetch_nothing_from_the_network():
    fetcher = LocalOnlyFetcher([settings.DOCUMENT_FONTS_DIR])
    with pytest.raises(ValueError):
        fetcher.fetch("https://fonts.example.com/font.ttf")
    with pytest.raises(ValueError):
        fetcher.fetch(path2url("/etc/passwd"))
    font = fetcher.fetch(path2url(str(settings.DOCUMENT_FONTS_DIR / "DejaVuSans.ttf")))
    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    font.close()


def test_the_bundled_fonts_have_a_glyph_for_every_kazakh_letter():
    from fontTools.ttLib import TTFont

    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        cmap = TTFont(settings.DOCUMENT_FONTS_DIR / name).getBestCmap()
        missing = [letter for letter in KAZAKH_LOWER + KAZAKH_UPPER if ord(letter) not in cmap]
        assert missing == [], name
    assert (settings.DOCUMENT_FONTS_DIR / "LICENSE-DejaVu.txt").exists()


def test_each_printed_copy_gives_the_position_in_its_own_language(request, centre_head):
    # Set before the conclusion is signed, so both stored copies are rendered with it.
    profile = centre_head.staff_profile
    profile.position_kk, profile.position_ru = "Инклюзия орталығының басшысы", "Руководитель центра инклюзии"
    profile.save()
    document = request.getfixturevalue("conclusion_document")
    kazakh, russian = pdf_text(stored_bytes(document, "kk")), pdf_text(stored_bytes(document, "ru"))
    assert "Инклюзия орталығының басшысы" in kazakh and "Руководитель центра инклюзии" not in kazakh
    assert "Руководитель центра инклюзии" in russian and "Инклюзия орталығының басшысы" not in russian
