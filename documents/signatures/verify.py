"""All the checks of one detached CMS over one stored PDF, in the order a signer is told about a failure."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from . import algorithms, chain, cms, revocation
from .errors import SignatureRefused


@dataclass(frozen=True)
class Verified:
    serial: str
    subject: str
    issuer: str
    iin: str
    signing_time: datetime.datetime
    algorithm: str
    revocation: revocation.Revocation


def verify_cms(
    *,
    data: bytes,
    content: bytes,
    expected_iin: str,
    now: datetime.datetime | None = None,
    fresh: bool = True,
) -> Verified:
    """Check `data` (a detached CMS) over `content` (the stored PDF's bytes), made by the holder of `expected_iin`.

    `fresh`: a signature being handed in now, whose signing time must be the current time (within
    SIGNATURE_CLOCK_SKEW_SECONDS of `now`, default the clock); a stored one is re-checked at its signing time.
    Returns what the record keeps; raises SignatureRefused naming the first check that failed.
    """
    now = now or timezone.now()
    parsed = cms.parse(data)
    cms.check_signature(parsed, content)
    certificates = chain.build(parsed.signer, parsed.certificates)
    chain.check_signing_key(parsed.signer)
    signing_time = parsed.signing_time or now
    if fresh and abs((signing_time - now).total_seconds()) > settings.SIGNATURE_CLOCK_SKEW_SECONDS:
        raise SignatureRefused("signing_time", f"{signing_time.isoformat()} vs {now.isoformat()}")
    chain.check_validity(certificates, signing_time)
    checked = (
        revocation.check(parsed.signer, certificates[1], signing_time)
        if len(certificates) > 1
        else revocation.Revocation(revocation.NOT_CHECKED, "", "the signer's certificate is itself a root")
    )
    if checked.status == revocation.REVOKED:
        raise SignatureRefused("revoked", checked.detail)
    if checked.status == revocation.NOT_CHECKED and settings.SIGNATURE_REVOCATION_REQUIRED:
        raise SignatureRefused("revocation_unchecked", checked.detail)
    if not expected_iin:
        raise SignatureRefused("signer_without_iin")
    iin = chain.iin_of(parsed.signer)
    if iin != expected_iin:
        raise SignatureRefused("wrong_iin", iin)
    return Verified(
        serial=format(parsed.signer.serial_number, "X"),
        subject=parsed.signer.subject.human_friendly,
        issuer=parsed.signer.issuer.human_friendly,
        iin=iin,
        signing_time=signing_time,
        algorithm=algorithms.algorithm_label(parsed.signature_oid, parsed.digest_oid),
        revocation=checked,
    )
