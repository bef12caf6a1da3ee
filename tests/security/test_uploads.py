"""Uploads: type by content, size, declared type against content, never shown inline, and the ClamAV scan
(refused when the configured scanner cannot answer)."""

import socket
import struct
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import antivirus
from documents.uploads import check_upload
from students.models import SupportingDocument
from tests.factories import pdf_bytes, png_bytes

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """A clamd that speaks INSTREAM on a local port: "stream: OK", or FOUND when the stream holds the EICAR text."""

    def __init__(self, *, answer: bytes | None = None):
        self.answer = answer
        self.received: list[bytes] = []
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_exactly(self, conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError
            data += part
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                stream = b""
                while True:
                    (size,) = struct.unpack("!L", self._read_exactly(conn, 4))
                    if size == 0:
                        break
                    stream += self._read_exactly(conn, size)
                self.received.append(stream)
                if self.answer is not None:
                    conn.sendall(self.answer)
                elif EICAR in stream:
                    conn.sendall(b"stream: Eicar-Signature FOUND\0")
                else:
                    conn.sendall(b"stream: OK\0")

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.CLAMD = server.address
    yield server
    server.close()


def _unreachable_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"  # nothing listens there any more


def _infected_pdf() -> bytes:
    return pdf_bytes("clean text " + EICAR.decode())


# --- The checks themselves --------------------------------------------------------------------------------------


def test_the_size_limit_comes_from_the_setting(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    check_upload(SimpleUploadedFile("ok.pdf", pdf_bytes(), "application/pdf"))
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("big.pdf", pdf_bytes("x" * 2000), "application/pdf"))
    assert error.value.code == "too_large"


@pytest.mark.parametrize(
    ("name", "declared", "content", "code"),
    [
        ("scan.pdf", "text/html", pdf_bytes(), "mismatch"),  # the browser says HTML: refuse, whatever the bytes
        ("photo.png", "application/pdf", png_bytes(), "mismatch"),
        ("scan.pdf", "image/png", pdf_bytes(), "mismatch"),
        ("page.pdf", "application/pdf", b"<!DOCTYPE html><script>alert(1)</script>", "type"),
        ("image.svg", "image/svg+xml", b"<svg onload='alert(1)'/>", "type"),
        ("polyglot.png", "image/png", b"\x89PNG\r\n\x1a\n<html><script>", "damaged"),
        ("scan.pdf", "application/pdf", b"", "empty"),
    ],
)
def test_content_that_does_not_match_its_declared_type_is_refused(name, declared, content, code):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content, declared))
    assert error.value.code == code


@pytest.mark.parametrize("declared", ["application/pdf", "application/x-pdf", "application/octet-stream", ""])
def test_usual_names_for_the_type_are_accepted(declared):
    assert check_upload(SimpleUploadedFile("scan.pdf", pdf_bytes(), declared)).content_type == "application/pdf"


# --- ClamAV ---------------------------------------------------------------------------------------------------------


def test_no_scan_without_clamd(settings):
    settings.CLAMD = ""
    assert check_upload(SimpleUploadedFile("scan.pdf", _infected_pdf(), "application/pdf"))


def test_a_clean_file_is_scanned_whole_and_accepted(clamd):
    content = pdf_bytes("x" * 200_000)  # several INSTREAM chunks
    check_upload(SimpleUploadedFile("scan.pdf", content, "application/pdf"))
    assert clamd.received == [content]


def test_an_infected_file_is_refused(clamd):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.pdf", _infected_pdf(), "application/pdf"))
    assert error.value.code == "infected"


@pytest.mark.parametrize("answer", [b"INSTREAM size limit exceeded. ERROR\0", b""])
def test_a_scanner_without_a_verdict_means_refusal(settings, answer):
    server = FakeClamd(answer=answer)
    settings.CLAMD = server.address
    try:
        with pytest.raises(ValidationError) as error:
            check_upload(SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf"))
        assert error.value.code == "scan_unavailable"
    finally:
        server.close()


def test_an_unreachable_scanner_means_refusal(settings):
    settings.CLAMD = _unreachable_address()
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf"))
    assert error.value.code == "scan_unavailable"


def test_a_missing_unix_socket_means_refusal(settings, tmp_path):
    settings.CLAMD = str(tmp_path / "clamd.sock")
    with pytest.raises(antivirus.ScannerUnavailable):
        antivirus.scan_stream(SimpleUploadedFile("a.pdf", pdf_bytes()))


# --- Through the pages ----------------------------------------------------------------------------------------------


def _upload(client, application, content, name="scan.pdf", declared="application/pdf"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(
        reverse("students:document_upload", args=[application.public_id]),
        {"kind": "mse", "file": SimpleUploadedFile(name, content, declared)},
    )


@pytest.mark.django_db
def test_the_upload_page_refuses_an_infected_file_and_stores_nothing(client, student, draft, clamd):
    client.force_login(student)
    response = _upload(client, draft, _infected_pdf())
    assert response.status_code == 422
    assert "The virus scanner found a threat in this file" in response.content.decode()
    assert not SupportingDocument.objects.filter(application=draft).exists()
    response = _upload(client, draft, pdf_bytes())
    assert response.status_code == 302
    assert SupportingDocument.objects.filter(application=draft).count() == 1


@pytest.mark.django_db
def test_the_upload_page_answers_503_when_the_scanner_is_down(client, student, draft, settings):
    settings.CLAMD = _unreachable_address()
    client.force_login(student)
    response = _upload(client, draft, pdf_bytes())
    assert response.status_code == 503
    content = response.content.decode()
    assert "Files cannot be checked for viruses at the moment" in content
    assert 'href="#id_file"' in content  # in the error summary, linked to the field
    assert not SupportingDocument.objects.filter(application=draft).exists()


@pytest.mark.django_db
def test_the_upload_page_refuses_a_declared_type_that_lies(client, student, draft):
    client.force_login(student)
    response = _upload(client, draft, pdf_bytes(), declared="text/html")
    assert response.status_code == 422
    assert "does not match its content" in response.content.decode()
    assert not SupportingDocument.objects.filter(application=draft).exists()


@pytest.mark.django_db
def test_uploaded_files_are_never_shown_inline(client, student, submitted, settings):
    document = submitted.documents.get()
    client.force_login(student)
    response = client.get(reverse("students:document_download", args=[submitted.public_id, document.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Type"] == "application/pdf"  # the sniffed type, never what the browser claimed
    # Stored outside any public address: no MEDIA_URL, and the file lies under the private root.
    assert settings.MEDIA_URL in (None, "")
    assert str(document.file.path).startswith(str(settings.PRIVATE_FILES_ROOT))
    assert client.get("/media/" + document.file.name).status_code == 404


# --- Hostile files (issue #20, items 10 and 14) ---------------------------------------------------------------------


def _png_bomb(width=20000, height=20000) -> bytes:
    """A PNG declaring width×height pixels, all zero: a few hundred kilobytes that decode to gigabytes."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))

    row = b"\0" * (width // 8 + 1)  # one filter byte and a 1-bit row
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack("!IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _pdf(*objects: bytes, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF with a proper cross-reference table around these objects (numbered from 1)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


PAGES = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"


def _pdf_with_javascript(escaped=False) -> bytes:
    name = b"/J#61vaScript" if escaped else b"/JavaScript"
    action = b"<</S" + name + b"/JS(app.alert\\('hello'\\))>>"
    return _pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>", PAGES, PAGE, action)


def _pdf_with_launch() -> bytes:
    catalog = b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/Launch/F(cmd.exe)>>>>"
    return _pdf(catalog, PAGES, PAGE)


def _pdf_with_embedded_file() -> bytes:
    catalog = b"<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles<</Names[(a.exe)4 0 R]>>>>>>"
    spec = b"<</Type/Filespec/F(a.exe)/EF<</F 5 0 R>>>>"
    return _pdf(catalog, PAGES, PAGE, spec, b"<</Type/EmbeddedFile/Length 2>>stream\nMZ\nendstream")


def _pdf_inflating_to(size: int) -> bytes:
    import zlib

    compressor = zlib.compressobj(9)
    piece = b"\0" * (1024 * 1024)
    data = b"".join(compressor.compress(piece) for _ in range(size // len(piece))) + compressor.flush()
    stream = b"<</Length %d/Filter/FlateDecode>>stream\n" % len(data) + data + b"\nendstream"
    return _pdf(b"<</Type/Catalog/Pages 2 0 R>>", PAGES, b"<</Type/Page/Parent 2 0 R/Contents 4 0 R>>", stream)


def test_an_image_declaring_400_million_pixels_is_refused():
    bomb = _png_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.png", bomb, "image/png"))
    assert error.value.code == "too_many_pixels"


def test_the_pixel_limit_comes_from_the_setting(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 3000 * 3000
    check_upload(SimpleUploadedFile("scan.png", _png_bomb(2000, 2000), "image/png"))
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.png", _png_bomb(4000, 4000), "image/png"))
    assert error.value.code == "too_many_pixels"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (_pdf_with_javascript(), "active_content"),
        (_pdf_with_javascript(escaped=True), "active_content"),
        (_pdf_with_launch(), "active_content"),
        (_pdf_with_embedded_file(), "active_content"),
    ],
    ids=["javascript-open-action", "javascript-name-escaped", "launch-action", "embedded-file"],
)
def test_a_pdf_with_active_content_is_refused(content, code):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.pdf", content, "application/pdf"))
    assert error.value.code == code


def test_a_pdf_whose_stream_inflates_to_a_gibibyte_is_refused_quickly():
    import time

    bomb = _pdf_inflating_to(1024**3)
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.pdf", bomb, "application/pdf"))
    assert error.value.code == "inflation"
    assert time.monotonic() - started < 10  # counted up to the limit (200 MB), not inflated whole


def test_a_plain_pdf_with_pages_and_compressed_content_is_accepted():
    check_upload(SimpleUploadedFile("scan.pdf", _pdf_inflating_to(4 * 1024 * 1024), "application/pdf"))
    check_upload(SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.png", _png_bomb(), "The image has too many pixels"),
        ("scan.pdf", _pdf_with_javascript(), "contains scripts, actions or embedded files"),
    ],
    ids=["png-bomb", "pdf-javascript"],
)
def test_the_upload_page_refuses_hostile_files_with_422_next_to_the_field(
    client, student, draft, name, content, message
):
    client.force_login(student)
    declared = "image/png" if name.endswith(".png") else "application/pdf"
    response = _upload(client, draft, content, name=name, declared=declared)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'href="#id_file"' in html
    assert not SupportingDocument.objects.filter(application=draft).exists()
