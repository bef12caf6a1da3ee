"""The institution's seal: an embedded PAdES signature on every frozen PDF, when configured (off by default)."""

import hashlib
import io

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from documents import seal

from .conftest import pdf_text, stored_bytes
from .seal_pki import make_pki


@pytest.fixture
def pki(tmp_path, settings):
    made = make_pki(tmp_path)
    settings.INSTITUTION_SEAL_PKCS12 = str(made.pkcs12_path)
    settings.INSTITUTION_SEAL_PASSWORD = made.password
    return made


def _validation_context(root) -> ValidationContext:
    trusted = asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    return ValidationContext(trust_roots=[trusted], allow_fetching=False, revocation_mode="soft-fail")


def _status(content: bytes, root):
    reader = PdfFileReader(io.BytesIO(content))
    assert len(reader.embedded_signatures) == 1
    return validate_pdf_signature(reader.embedded_signatures[0], _validation_context(root))


def test_without_a_seal_the_frozen_pdf_has_no_signature(application_document, settings):
    assert not settings.INSTITUTION_SEAL_PKCS12
    content = stored_bytes(application_document, "kk")
    assert PdfFileReader(io.BytesIO(content)).embedded_signatures == []


def test_frozen_pdf_carries_the_institution_seal_intact_trusted_and_covering_the_whole_file(pki, application_document):
    for language in ("kk", "ru"):
        content = stored_bytes(application_document, language)
        status = _status(content, pki.root)
        assert status.intact and status.valid
        assert status.trusted
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert status.signing_cert.subject.native["common_name"] == "Test Institution Seal"
        # The stored hash is the hash of the sealed bytes: the file readers get is the one registered.
        assert application_document.files.get(language=language).sha256 == hashlib.sha256(content).hexdigest()
    # Still the document as rendered: the text and the PDF/A identification survive the incremental update.
    content = stored_bytes(application_document, "kk")
    assert "MARKERNAME" in pdf_text(content)
    metadata = PdfReader(io.BytesIO(content)).xmp_metadata
    assert metadata is not None
    assert b"pdfaid" in metadata.stream.get_data()


def test_a_modified_byte_fails_validation(pki, application_document):
    content = bytearray(stored_bytes(application_document, "kk"))
    # A byte inside the first stream of the rendered document (signed; the file still parses).
    position = bytes(content).index(b"stream\n") + 20
    content[position] = (content[position] + 1) % 256
    status = _status(bytes(content), pki.root)
    assert not status.intact
    assert not status.bottom_line


def test_a_seal_by_an_untrusted_root_is_not_trusted(pki, application_document, tmp_path):
    (tmp_path / "other").mkdir()
    other = make_pki(tmp_path / "other")
    status = _status(stored_bytes(application_document, "kk"), other.root)
    assert status.intact
    assert not status.trusted


def test_detached_cms_signature_verifies_and_refuses_other_data(pki):
    signature = seal.sign_detached(b"manifest")
    assert seal.verify_detached(b"manifest", signature, trust_roots=[pki.root]).ok
    assert not seal.verify_detached(b"manifesT", signature, trust_roots=[pki.root]).ok
    assert not seal.verify_detached(b"manifest", signature, trust_roots=[]).ok


def test_no_seal_configured_signs_nothing(settings):
    settings.INSTITUTION_SEAL_PKCS12 = ""
    assert seal.sign_detached(b"x") is None
    assert seal.seal_pdf(b"%PDF-") == b"%PDF-"
