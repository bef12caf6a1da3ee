import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.uploads import check_upload, display_name
from tests.factories import pdf_bytes, png_bytes


def test_pdf_and_png_are_accepted_by_content():
    pdf = check_upload(SimpleUploadedFile("МӘС.pdf", pdf_bytes(), "application/octet-stream"))
    assert pdf.content_type == "application/pdf"
    assert len(pdf.sha256) == 64
    png = check_upload(SimpleUploadedFile("scan.PNG", png_bytes(), "image/png"))
    assert png.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, "type"),
        ("page.html", b"<html><script>alert(1)</script>", "type"),
        ("disguised.pdf", None, "mismatch"),  # a PNG named .pdf
        ("broken.pdf", b"%PDF-1.4\n" + b"x" * 50, "damaged"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "damaged"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused(name, content, code):
    content = png_bytes() if content is None else content
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content, "application/pdf"))
    assert error.value.code == code


def test_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("big.pdf", pdf_bytes("x" * 200), "application/pdf"))
    assert error.value.code == "too_large"


def test_names_are_never_trusted():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\a\\док.pdf") == "док.pdf"
    assert display_name('a"; filename="evil.html') == "a filename=evil.html"
    assert display_name("\x00\x01") == "document"
