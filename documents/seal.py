"""The institution's seal: its own certificate and key (settings.INSTITUTION_SEAL_PKCS12), optional.

When configured, `seal_pdf` adds an embedded PAdES signature to a frozen PDF as an incremental update (the bytes
WeasyPrint wrote stay as they are, with the signature appended after them), so any PDF reader shows the document as
signed by the institution and unchanged since; `sign_detached` makes a detached CMS (PKCS#7) signature over any
bytes with the same key (the manifest of a case's archival package). Nothing here reaches the network: no
timestamp authority, no revocation fetching.
"""

import datetime
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Seal:
    key: object  # a cryptography private key
    certificate: object  # cryptography x509.Certificate
    chain: tuple  # further cryptography x509.Certificate of its chain
    pkcs12: bytes
    password: bytes


def is_configured() -> bool:
    return bool(settings.INSTITUTION_SEAL_PKCS12)


@functools.cache
def _load(path: str, password: str) -> Seal:
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = Path(path).read_bytes()
    key, certificate, chain = pkcs12.load_key_and_certificates(data, password.encode() or None)
    if key is None or certificate is None:
        raise ValueError(f"{path} holds no private key and certificate.")
    return Seal(key=key, certificate=certificate, chain=tuple(chain), pkcs12=data, password=password.encode())


def load_seal() -> Seal | None:
    """The configured seal, read once per process (per path and password); None when no seal is configured."""
    if not is_configured():
        return None
    return _load(str(settings.INSTITUTION_SEAL_PKCS12), settings.INSTITUTION_SEAL_PASSWORD)


SEAL_FIELD_NAME = "InstitutionSeal"


@functools.cache
def _pdf_signer(path: str, password: str):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=password.encode() or None)
    if signer is None:
        raise ValueError(f"pyHanko could not read the key and certificate in {path}.")
    return signer


def seal_pdf(pdf: bytes) -> bytes:
    """`pdf` with the institution's PAdES signature appended as an incremental update; unchanged when no seal is
    configured.

    The signature (PAdES baseline B, SHA-256, an invisible field) covers every byte of the file. The update adds
    only the signature field, its value and the form dictionary, which PDF/A-3 allows; the XMP metadata and the
    output intent WeasyPrint wrote are kept, so a PDF/A validator still reads the file as PDF/A-3 where the
    signature dictionary conforms (pyHanko writes /ByteRange, /Contents, /M and no /Cert entry, as ISO 19005-3
    asks).
    """
    if not is_configured():
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _pdf_signer(str(settings.INSTITUTION_SEAL_PKCS12), settings.INSTITUTION_SEAL_PASSWORD)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=settings.INSTITUTION_NAME.get("en") or settings.INSTITUTION_NAME["kk"],
    )
    out = signers.sign_pdf(
        writer,
        meta,
        signer=signer,
        new_field_spec=fields.SigFieldSpec(SEAL_FIELD_NAME),
        # Room for the CMS reserved up front: without it pyHanko signs twice (once to measure), which doubled
        # the time of a seal. The certificates are most of a CMS; 8 KB more holds the signature and attributes.
        bytes_reserved=_room_for_cms(signer),
    )
    return out.getvalue()


def _room_for_cms(signer) -> int:
    certificates = [signer.signing_cert, *signer.cert_registry]
    return 8192 + 2 * sum(len(certificate.dump()) for certificate in certificates)  # pyHanko wants an even size


def sign_detached(data: bytes) -> bytes | None:
    """A detached CMS SignedData (DER) over `data` with the seal's key: SHA-256, signed attributes (content type,
    message digest, signing time), the certificate and its chain included. None when no seal is configured."""
    seal = load_seal()
    if seal is None:
        return None
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(seal.certificate, seal.key, hashes.SHA256())
    for certificate in seal.chain:
        builder = builder.add_certificate(certificate)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])


@dataclass
class CmsCheck:
    ok: bool
    signer: str = ""
    signed_at: datetime.datetime | None = None
    reason: str = ""


def verify_detached(data: bytes, cms_der: bytes, trust_roots: list | None = None) -> CmsCheck:
    """Check a detached CMS SignedData over `data` offline: the message digest in the signed attributes equals
    SHA-256 (or the digest named) of `data`, and the signature over the signed attributes verifies with the public
    key of the signer's certificate, which the CMS carries. With `trust_roots` (cryptography certificates) the
    signer's certificate must also be one of them or be issued by one (directly, or through a certificate the CMS
    carries). Returns what was found; never raises for a bad signature."""
    from asn1crypto import cms
    from cryptography import x509

    try:
        content = cms.ContentInfo.load(cms_der)
        signed = content["content"]
        signer_info = signed["signer_infos"][0]
        certificates = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
        serial = signer_info["sid"].chosen["serial_number"].native
        certificate = next(c for c in certificates if c.serial_number == serial)
        attributes = signer_info["signed_attrs"]
        digest_name = signer_info["digest_algorithm"]["algorithm"].native
        digests = {a["type"].native: a["values"][0].native for a in attributes}
    except Exception as error:
        return CmsCheck(False, reason=f"unreadable CMS: {error.__class__.__name__}")
    if digests.get("message_digest") != hashlib.new(digest_name, data).digest():
        return CmsCheck(False, reason="the message digest does not match the signed data")
    problem = _verify_signature(certificate, signer_info, attributes.untag().dump())
    if problem:
        return CmsCheck(False, reason=problem)
    if trust_roots is not None and not _chains_to(certificate, certificates, trust_roots):
        return CmsCheck(False, reason="the signer's certificate is not issued by a trusted root")
    return CmsCheck(True, signer=certificate.subject.rfc4514_string(), signed_at=digests.get("signing_time"))


def _verify_signature(certificate, signer_info, signed_bytes: bytes) -> str:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    hash_algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}.get(
        signer_info["digest_algorithm"]["algorithm"].native
    )
    if hash_algorithm is None:
        return "unsupported digest algorithm"
    public_key = certificate.public_key()
    signature = signer_info["signature"].native
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, signed_bytes, ec.ECDSA(hash_algorithm))
        else:
            return "unsupported key type"
    except InvalidSignature:
        return "the signature does not verify"
    return ""


def _chains_to(certificate, carried: list, roots: list) -> bool:
    """Whether `certificate` is a root or is signed, through the carried certificates, by one (at most 5 steps)."""
    current = certificate
    for _step in range(5):
        if any(current == root for root in roots):
            return True
        issuer = next((c for c in [*roots, *carried] if c.subject == current.issuer and c != current), None)
        if issuer is None:
            return False
        try:
            current.verify_directly_issued_by(issuer)
        except Exception:
            return False
        current = issuer
    return False
