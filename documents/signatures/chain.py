"""The signer's certificate chain up to a configured NCA root, and what the signing certificate must say.

The roots (trust anchors) are settings.SIGNATURE_TRUST_ANCHORS, PEM or DER files (RSA and GOST, each may be the
NCA's intermediate "ҰКО" certificate: the chain ends at the first configured certificate it reaches). Each link's
signature is checked, and every certificate must be valid at the signing time.
"""

import datetime
import functools
import re
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings

from . import algorithms
from .errors import SignatureRefused

MAX_DEPTH = 6
IIN = re.compile(r"^IIN(\d{12})$")


@functools.lru_cache(maxsize=16)
def _load(files: tuple[tuple[str, int, int], ...]) -> tuple[x509.Certificate, ...]:
    anchors = []
    for path, _mtime, _size in files:
        data = Path(path).read_bytes()
        if pem.detect(data):
            anchors.extend(x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True))
        else:
            anchors.append(x509.Certificate.load(data))
    return tuple(anchors)


def trust_anchors() -> tuple[x509.Certificate, ...]:
    # Read again when a file changes (its size or modification time): a replaced anchor counts without a restart.
    return _load(tuple(_file_key(str(path)) for path in settings.SIGNATURE_TRUST_ANCHORS))


def _file_key(path: str) -> tuple[str, int, int]:
    try:
        stat = Path(path).stat()
    except OSError:
        return (path, 0, 0)
    return (path, stat.st_mtime_ns, stat.st_size)


def signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    if certificate.issuer != issuer.subject:
        return False
    return _signed_by(certificate.dump(), issuer.dump())


# A certificate's signature by its issuer never changes: checked once per process (a GOST check costs seconds in
# pure Python, and every signature of a person repeats the same chain).
@functools.lru_cache(maxsize=512)
def _signed_by(certificate_der: bytes, issuer_der: bytes) -> bool:
    certificate, issuer = x509.Certificate.load(certificate_der), x509.Certificate.load(issuer_der)
    try:
        return algorithms.verify(
            signer=issuer,
            data=certificate["tbs_certificate"].dump(),
            signature=certificate["signature_value"].native,
            signature_oid=certificate["signature_algorithm"]["algorithm"].dotted,
        )
    except SignatureRefused:
        return False


def build(signer: x509.Certificate, intermediates: list[x509.Certificate]) -> list[x509.Certificate]:
    """[signer, …, anchor]; SignatureRefused("untrusted") when no configured anchor is reached."""
    anchors = trust_anchors()
    anchor_ders = {anchor.dump() for anchor in anchors}
    chain = [signer]
    current = signer
    for _ in range(MAX_DEPTH):
        if current.dump() in anchor_ders:
            return chain
        issuer = next((c for c in (*anchors, *intermediates) if c is not current and signed_by(current, c)), None)
        if issuer is None or issuer.dump() in {c.dump() for c in chain}:
            break
        chain.append(issuer)
        current = issuer
    raise SignatureRefused("untrusted", signer.subject.human_friendly)


def check_validity(chain: list[x509.Certificate], at: datetime.datetime) -> None:
    for certificate in chain:
        validity = certificate["tbs_certificate"]["validity"]
        if not validity["not_before"].native <= at <= validity["not_after"].native:
            raise SignatureRefused("not_valid_at_time", certificate.subject.human_friendly)


def check_signing_key(certificate: x509.Certificate) -> None:
    """A signing key carries "non repudiation" (content commitment); an authentication key does not."""
    usage = certificate.key_usage_value
    if usage is None or "non_repudiation" not in usage.native:
        raise SignatureRefused("authentication_key")


def iin_of(certificate: x509.Certificate) -> str:
    """The IIN in the subject's serialNumber ("IIN123456789012"); SignatureRefused("no_iin") without one."""
    for rdn in certificate.subject.chosen:
        for attribute in rdn:
            if attribute["type"].native == "serial_number":
                match = IIN.match(str(attribute["value"].native))
                if match:
                    return match.group(1)
    raise SignatureRefused("no_iin")
