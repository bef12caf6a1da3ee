"""Demo signatures: registered documents in each signature state, so the signatures page, the verification page,
the signature sheet and the personal file have something to show.

- most documents stay unsigned;
- the first signed conclusion is confirmed in the system by its specialists and the centre head ("in-system");
- the demo student's registered application carries a qualified signature (ЭЦП) by the student, made with a key of
  a demo certification authority created here (its certificate and CRL in `var/demo-pki/`, beside
  PRIVATE_FILES_ROOT). Point SIGNATURE_TRUST_ANCHORS and SIGNATURE_CRL_PATHS there for `verify_signatures` to accept
  it. The demo CA's key is not kept: nothing can sign with it later.

A refused signature writes nothing (documents.signatures), so there is no "refused" record to show.
"""

import datetime
import hashlib
from pathlib import Path

from asn1crypto import algos
from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.test import override_settings

from documents.models import DocumentType, RegisteredDocument, Signature
from documents.services import render_document_files
from documents.signatures.services import expected_signers, signature_add
from inclusion_centre.accounts.models import User

DEMO_IINS = {"student@demo.edu.kz": "030405600123"}
UTC = datetime.UTC


def _iin_for(user: User) -> str:
    if not user.iin:
        user.iin = DEMO_IINS.get(user.email) or f"{990000000000 + user.pk:012d}"
        user.save(update_fields=["iin"])
    return user.iin


def _name(common_name: str, iin: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
    if iin:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"))
    return x509.Name(attributes)


def _demo_ca(folder: Path):
    """A demo CA (root certificate and empty CRL written to `folder`) and a function issuing signing keys."""
    now = datetime.datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = _name("Demo NCA (RSA) — not a real certification authority")
    root = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(subject)
        .last_update(now - datetime.timedelta(minutes=5))
        .next_update(now + datetime.timedelta(days=3650))
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo-ca.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    (folder / "demo-ca.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return lambda full_name, iin: _issue_signing_key(ca_key, subject, now, full_name, iin)


def _issue_signing_key(ca_key, issuer, now: datetime.datetime, full_name: str, iin: str):
    """A signing key (non-repudiation, no encipherment) for `iin`, and its certificate (DER) from the demo CA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    usage = {name: False for name in ("key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign")}
    key_usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
        **usage,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(full_name, iin))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(key_usage, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.DER)


def detached_cms(content: bytes, key, certificate_der: bytes, signing_time: datetime.datetime) -> bytes:
    """A detached CMS (CAdES-BES, RSA with SHA-256) over `content`, as NCALayer's createCAdESFromBase64 makes."""
    certificate = asn1_x509.Certificate.load(certificate_der)
    attributes = asn1_cms.CMSAttributes(
        [
            asn1_cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            asn1_cms.CMSAttribute({"type": "signing_time", "values": [asn1_cms.Time({"utc_time": signing_time})]}),
            asn1_cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
        ]
    )
    signature = key.sign(attributes.dump(), padding.PKCS1v15(), hashes.SHA256())
    signer = asn1_cms.SignerInfo(
        {
            "version": "v1",
            "sid": asn1_cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": asn1_cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": asn1_cms.CMSAttributes.load(attributes.dump()),
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            "signature": signature,
        }
    )
    signed_data = asn1_cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "data"},
            "certificates": [asn1_cms.CertificateChoices({"certificate": certificate})],
            "signer_infos": [signer],
        }
    )
    return asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def _rendered(document: RegisteredDocument) -> RegisteredDocument:
    render_document_files(document_id=document.pk)  # stores only what is missing
    return RegisteredDocument.objects.prefetch_related("files").get(pk=document.pk)


def _in_force(document_type: str, **filters):
    return (
        RegisteredDocument.objects.filter(
            document_type=document_type, status=RegisteredDocument.Status.IN_FORCE, destroyed_at__isnull=True, **filters
        )
        .order_by("pk")
        .first()
    )


def seed_signatures() -> None:
    conclusion = _in_force(DocumentType.CONCLUSION)
    if conclusion is not None and not conclusion.signatures.exists():
        conclusion = _rendered(conclusion)
        with override_settings(SIGNATURE_METHOD=Signature.Method.IN_SYSTEM):
            for role, person in expected_signers(conclusion):
                signature_add(document=conclusion, role=role, signer=person, language="kk")

    application = _in_force(DocumentType.APPLICATION, student__user__email="student@demo.edu.kz")
    if application is None or application.signatures.exists():
        return
    application = _rendered(application)
    folder = Path(settings.PRIVATE_FILES_ROOT).parent / "demo-pki"  # var/demo-pki by default
    issue = _demo_ca(folder)
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    with override_settings(
        SIGNATURE_METHOD=Signature.Method.NCALAYER,
        SIGNATURE_TRUST_ANCHORS=[str(folder / "demo-ca.pem")],
        SIGNATURE_CRL_PATHS=[str(folder / "demo-ca.crl")],
        SIGNATURE_OCSP_URL="",
    ):
        for role, person in expected_signers(application):
            key, certificate = issue(person.full_name, _iin_for(person))
            stored = application.files.get(language="kk")
            with stored.file.open("rb") as handle:
                content = handle.read()
            signature_add(
                document=application,
                role=role,
                signer=person,
                language="kk",
                cms=detached_cms(content, key, certificate, now),
            )
