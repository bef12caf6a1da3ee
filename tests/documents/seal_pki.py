"""A test certificate authority and an institution certificate made with `cryptography`, for the seal tests."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class TestPki:
    root: x509.Certificate
    root_key: object
    certificate: x509.Certificate
    key: object
    pkcs12_path: Path
    password: str


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def make_pki(folder: Path, *, password: str = "seal-password") -> TestPki:  # noqa: S107 -- a throwaway test key
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _certificate(_name("Test Root CA"), _name("Test Root CA"), root_key.public_key(), root_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _certificate(_name("Test Institution Seal"), root.subject, key.public_key(), root_key, ca=False)
    path = folder / "seal.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, certificate, [root], serialization.BestAvailableEncryption(password.encode())
        )
    )
    return TestPki(root, root_key, certificate, key, path, password)
