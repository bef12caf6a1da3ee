"""The demo data registers its documents; render_sample_documents draws every form in both languages."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from documents.models import DocumentType, RegisteredDocument, RegisteredFile, Signature
from routes.models import Conclusion
from students.models import Application

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_registers_a_document_for_each_registered_application_and_signed_conclusion(demo):
    registered = Application.objects.filter(registration_number__isnull=False)
    signed = Conclusion.objects.filter(status=Conclusion.Status.SIGNED)
    assert registered.count() >= 4
    assert signed.count() >= 2
    assert set(
        RegisteredDocument.objects.filter(document_type=DocumentType.APPLICATION).values_list("number", flat=True)
    ) == set(registered.values_list("registration_number", flat=True))
    assert set(
        RegisteredDocument.objects.filter(document_type=DocumentType.CONCLUSION).values_list("number", flat=True)
    ) == set(signed.values_list("registration_number", flat=True))


def test_the_demo_fills_in_documents_missing_from_an_older_database(demo, settings):
    # An older database had no registered documents, so no stored PDFs or signatures of them either.
    Signature.history.all().delete()
    Signature.objects.all().delete()
    RegisteredFile.history.all().delete()
    RegisteredFile.objects.all().delete()
    RegisteredDocument.history.all().delete()
    RegisteredDocument.objects.all().delete()
    call_command("seed_demo", stdout=io.StringIO())
    assert RegisteredDocument.objects.count() == (
        Application.objects.filter(registration_number__isnull=False).count()
        + Conclusion.objects.filter(status=Conclusion.Status.SIGNED).count()
    )


def test_render_sample_documents_writes_every_form_in_both_languages(demo, tmp_path, settings):
    out = io.StringIO()
    stored_before = set(RegisteredDocument.objects.filter(files__isnull=False).values_list("pk", flat=True))
    call_command("render_sample_documents", str(tmp_path / "samples"), stdout=out)
    written = sorted(path.name for path in (tmp_path / "samples").iterdir())
    forms = ["application", "conclusion", "partner_letter", "protocol", "protocol_extract", "route"]
    assert written == [f"{form}-{language}.pdf" for form in forms for language in ("kk", "ru")]
    for language in ("kk", "ru"):
        content = (tmp_path / "samples" / f"application-{language}.pdf").read_bytes()
        assert PdfReader(io.BytesIO(content)).trailer["/Root"]["/Lang"] == language
        assert settings.INSTITUTION_NAME[language] in pdf_text(content)
    assert "12 PDFs written" in out.getvalue()
    # Samples are drawn, not stored: no registered document was given a file by the command (the demo itself
    # stores the PDFs its signed documents need).
    stored_after = set(RegisteredDocument.objects.filter(files__isnull=False).values_list("pk", flat=True))
    assert stored_after == stored_before


def test_render_sample_documents_without_demo_data_says_what_to_do(tmp_path):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("render_sample_documents", str(tmp_path), stdout=io.StringIO())
