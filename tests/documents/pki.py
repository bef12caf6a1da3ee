"""Test PKI for the signature tests: the NCA test material in ../shared/fixtures/kz-pki-test/ (never copied into the
project) and a short-lived RSA test CA made here with `cryptography`, so the suite does not hang on the fixtures'
dates. `make_cms` builds a detached CMS the way NCALayer's createCAdESFromBase64 does."""

import datetime
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import algos, core, pem, pkcs12
from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

from documents.signatures import gost

# The project's clone sits beside shared/ (CI, the main checkout); a checkout elsewhere names the folder with
# KZ_PKI_FIXTURES.
FIXTURES = Path(
    os.environ.get("KZ_PKI_FIXTURES") or Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "kz-pki-test"
)
SHA256, RSA_SHA256 = "2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.11"
PASSWORDS = {"2004": "Qwerty12", "2015": "Aa123456"}
UTC = datetime.UTC


def fixture(path: str) -> Path:
    return FIXTURES / path


def _password(name: str) -> str:
    return PASSWORDS["2015" if "2015" in name else "2004"]


# --- Reading the fixtures' key stores -------------------------------------------------------------------------


def rsa_key_store(name: str):
    """(private key, certificate DER) of an RSA PKCS #12 of the fixtures."""
    key, certificate, _extra = crypto_pkcs12.load_key_and_certificates(
        fixture(f"keys/{name}").read_bytes(), _password(name).encode()
    )
    return key, certificate.public_bytes(serialization.Encoding.DER)


def _pkcs12_kdf(password: str, salt: bytes, iterations: int, purpose: int, length: int) -> bytes:
    # RFC 7292 appendix B (SHA-1): the key and IV of the GOST key store's 3DES-shrouded key bag, which neither
    # `cryptography` nor OpenSSL will open (they do not know the GOST key algorithm).
    u, v = 20, 64
    secret = (password + "\0").encode("utf-16-be")

    def stretch(data: bytes) -> bytes:
        return (data * (v * ((len(data) + v - 1) // v) // len(data) + 1))[: v * ((len(data) + v - 1) // v)]

    block = bytearray(stretch(salt) + stretch(secret))
    out = b""
    while len(out) < length:
        a = bytes([purpose]) * v + bytes(block)
        for _ in range(iterations):
            a = hashlib.sha1(a).digest()  # noqa: S324 - the key store's own KDF
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big") + 1
        for j in range(0, len(block), v):
            block[j : j + v] = ((int.from_bytes(block[j : j + v], "big") + b) % (1 << (v * 8))).to_bytes(v, "big")
    return out[:length]


def gost_key_store(name: str) -> tuple[bytes, bytes]:
    """(little-endian private key, certificate DER) of a GOST 2015 PKCS #12 of the fixtures. The certificate bag is
    RC2-40, which only OpenSSL's legacy provider reads: the system `openssl` is asked for it."""
    password = _password(name)
    pfx = pkcs12.Pfx.load(fixture(f"keys/{name}").read_bytes())
    private = None
    for content_info in pkcs12.AuthenticatedSafe.load(pfx["auth_safe"]["content"].native):
        if content_info["content_type"].native != "data":
            continue
        for bag in pkcs12.SafeContents.load(content_info["content"].native):
            if bag["bag_id"].native != "pkcs8_shrouded_key_bag":
                continue
            shrouded = bag["bag_value"]
            params = shrouded["encryption_algorithm"]["parameters"]
            salt, iterations = params["salt"].native, params["iterations"].native
            key = _pkcs12_kdf(password, salt, iterations, 1, 24)
            iv = _pkcs12_kdf(password, salt, iterations, 2, 8)
            decryptor = Cipher(TripleDES(key), modes.CBC(iv)).decryptor()
            plain = decryptor.update(shrouded["encrypted_data"].native) + decryptor.finalize()
            plain = plain[: -plain[-1]]
            info = core.Sequence.load(plain)
            private = core.OctetString.load(info[2].contents).native
    openssl = shutil.which("openssl")
    assert openssl, "the GOST key store's certificate is read with the system openssl"
    out = subprocess.run(
        [openssl, "pkcs12", "-legacy", "-in", str(fixture(f"keys/{name}")), "-passin", f"pass:{password}", "-nokeys"],
        capture_output=True,
        check=True,
    ).stdout
    _type, _headers, der = pem.unarmor(out[out.index(b"-----BEGIN CERTIFICATE") :])
    return private, der


# --- Making a detached CMS --------------------------------------------------------------------------------------


def make_cms(
    content: bytes,
    *,
    certificate_der: bytes,
    sign,
    signing_time: datetime.datetime,
    digest_oid: str = SHA256,
    signature_oid: str = RSA_SHA256,
    digest_of=None,
    extra_certificates: tuple[bytes, ...] = (),
) -> bytes:
    """A detached CMS SignedData over `content`: `sign(bytes) -> signature` signs the DER of the attributes."""
    certificate = asn1_x509.Certificate.load(certificate_der)
    message_digest = digest_of(content) if digest_of else hashlib.sha256(content).digest()
    attributes = asn1_cms.CMSAttributes(
        [
            asn1_cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            asn1_cms.CMSAttribute({"type": "signing_time", "values": [asn1_cms.Time({"utc_time": signing_time})]}),
            asn1_cms.CMSAttribute({"type": "message_digest", "values": [message_digest]}),
        ]
    )
    signature = sign(attributes.dump())
    signer_info = asn1_cms.SignerInfo(
        {
            "version": "v1",
            "sid": asn1_cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": asn1_cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_oid}),
            "signed_attrs": asn1_cms.CMSAttributes.load(attributes.dump()),
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": signature_oid}),
            "signature": signature,
        }
    )
    signed_data = asn1_cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": digest_oid})],
            "encap_content_info": {"content_type": "data"},
            "certificates": [
                asn1_cms.CertificateChoices({"certificate": asn1_x509.Certificate.load(der)})
                for der in (certificate_der, *extra_certificates)
            ],
            "signer_infos": [signer_info],
        }
    )
    return asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def rsa_cms(content: bytes, key, certificate_der: bytes, signing_time: datetime.datetime, **kwargs) -> bytes:
    return make_cms(
        content,
        certificate_der=certificate_der,
        sign=lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256()),
        signing_time=signing_time,
        **kwargs,
    )


def gost_cms(content: bytes, private_le: bytes, certificate_der: bytes, signing_time: datetime.datetime) -> bytes:
    return make_cms(
        content,
        certificate_der=certificate_der,
        sign=lambda data: gost.sign(private_key_le=private_le, data=data),
        signing_time=signing_time,
        digest_oid=gost.DIGEST_512,
        signature_oid=gost.SIGNATURE_512,
        digest_of=lambda data: gost.digest("streebog512", data),
    )


# --- A test CA made here ------------------------------------------------------------------------------------------


def _name(common_name: str, iin: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
    if iin:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"))
    return x509.Name(attributes)


@dataclass
class TestCA:
    """A root CA and the leaves it issues; `write(tmp)` stores its certificate and CRL for the settings."""

    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    revoked: list[tuple[int, datetime.datetime]] = field(default_factory=list)

    def __post_init__(self):
        now = datetime.datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("Test NCA (RSA)"))
            .issuer_name(_name("Test NCA (RSA)"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, *, iin: str, signing: bool = True, valid_from=None, valid_to=None):
        """(private key, certificate DER) of a person's signing (non-repudiation) or authentication key."""
        now = datetime.datetime.now(UTC)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        usage = dict.fromkeys(
            [
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            ],
            False,
        )
        usage["content_commitment" if signing else "key_encipherment"] = True
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("ТЕСТОВ ТЕСТ", iin))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from or now - datetime.timedelta(days=1))
            .not_valid_after(valid_to or now + datetime.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, **usage), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return key, certificate.public_bytes(serialization.Encoding.DER)

    def revoke(self, certificate_der: bytes, when: datetime.datetime):
        self.revoked.append((x509.load_der_x509_certificate(certificate_der).serial_number, when))

    def crl(self) -> bytes:
        now = datetime.datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now - datetime.timedelta(hours=1))
            .next_update(now + datetime.timedelta(days=1))
        )
        for serial, when in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        root, crl = folder / "test-ca.pem", folder / "test-ca.crl"
        root.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        crl.write_bytes(self.crl())
        return root, crl


NCA_ANCHORS = [fixture("ca/nca_rsa_test.crt"), fixture("ca/nca_gost2015_test.cer")]
NCA_CRLS = [fixture("crl/nca_rsa_test.crl"), fixture("crl/nca_gost2022_test.crl")]
