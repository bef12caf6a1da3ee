"""Was the signing certificate revoked before the signing time? OCSP when an address is configured, else (or
when it does not answer) the CRL files configured; when neither answers, the result says it was not checked.

No address is asked unless settings.SIGNATURE_OCSP_URL names one: the default makes no call outside the
machine. CRLs are files an operator refreshes (the NCA publishes them), read at each check.
"""

import datetime
import functools
import hashlib
import logging
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import core, crl, ocsp, x509
from django.conf import settings

from . import algorithms
from .chain import signed_by
from .errors import SignatureRefused

logger = logging.getLogger(__name__)

GOOD, REVOKED, NOT_CHECKED = "good", "revoked", "not_checked"


@dataclass(frozen=True)
class Revocation:
    status: str  # GOOD, REVOKED or NOT_CHECKED
    source: str = ""  # "ocsp", "crl" or ""
    detail: str = ""
    revoked_at: datetime.datetime | None = None


def ocsp_transport(url: str, request: bytes) -> bytes:
    """POST the OCSP request; tests replace this function with recorded answers."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("SIGNATURE_OCSP_URL must be an http(s) address")
    http_request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=request, headers={"Content-Type": "application/ocsp-request"}, method="POST"
    )
    with urllib.request.urlopen(http_request, timeout=settings.SIGNATURE_OCSP_TIMEOUT) as response:  # noqa: S310
        return response.read()


def _key_bits(certificate: x509.Certificate) -> bytes:
    # The raw BIT STRING of the key (without its unused-bits byte), read without asn1crypto's key parser, which
    # does not know the GOST key algorithm.
    spki = core.Sequence.load(certificate["tbs_certificate"]["subject_public_key_info"].dump())
    return spki[1].contents[1:]


def _ocsp_request(certificate: x509.Certificate, issuer: x509.Certificate) -> bytes:
    cert_id = ocsp.CertId(
        {
            "hash_algorithm": {"algorithm": "sha256"},
            "issuer_name_hash": hashlib.sha256(issuer.subject.dump()).digest(),
            "issuer_key_hash": hashlib.sha256(_key_bits(issuer)).digest(),
            "serial_number": certificate.serial_number,
        }
    )
    return ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": cert_id}]}}).dump()


def _responder_trusted(basic, issuer: x509.Certificate) -> bool:
    data = basic["tbs_response_data"].dump()
    signature = basic["signature"].native
    signature_oid = basic["signature_algorithm"]["algorithm"].dotted
    candidates = [issuer] + [c for c in basic["certs"] or [] if signed_by(c, issuer)]
    for responder in candidates:
        try:
            if algorithms.verify(signer=responder, data=data, signature=signature, signature_oid=signature_oid):
                return True
        except SignatureRefused as refused:  # an algorithm we do not check: this responder is not trusted
            logger.warning("OCSP answer signed with an unsupported algorithm: %s", refused.detail)
    return False


def from_ocsp_response(
    answer: bytes, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime.datetime
) -> Revocation:
    """Read an OCSP answer about `certificate`: its signature must be the issuer's (or a responder it certified)."""
    response = ocsp.OCSPResponse.load(answer)
    if response["response_status"].native != "successful":
        return Revocation(NOT_CHECKED, "ocsp", f"OCSP: {response['response_status'].native}")
    basic = response.basic_ocsp_response
    if not _responder_trusted(basic, issuer):
        return Revocation(NOT_CHECKED, "ocsp", "OCSP answer not signed by the issuer")
    for single in basic["tbs_response_data"]["responses"]:
        if single["cert_id"]["serial_number"].native != certificate.serial_number:
            continue
        status = single["cert_status"]
        produced = basic["tbs_response_data"]["produced_at"].native
        if status.name == "good":
            return Revocation(GOOD, "ocsp", f"OCSP {produced:%Y-%m-%d %H:%M} UTC")
        if status.name == "revoked":
            revoked_at = status.chosen["revocation_time"].native
            if revoked_at <= at:
                return Revocation(REVOKED, "ocsp", f"OCSP: revoked {revoked_at:%Y-%m-%d %H:%M} UTC", revoked_at)
            return Revocation(GOOD, "ocsp", f"OCSP: revoked only later, {revoked_at:%Y-%m-%d %H:%M} UTC", revoked_at)
        return Revocation(NOT_CHECKED, "ocsp", "OCSP: unknown certificate")
    return Revocation(NOT_CHECKED, "ocsp", "OCSP answer about another certificate")


def _ocsp(certificate, issuer, at) -> Revocation | None:
    url = settings.SIGNATURE_OCSP_URL
    if not url:
        return None
    try:
        answer = ocsp_transport(url, _ocsp_request(certificate, issuer))
        return from_ocsp_response(answer, certificate, issuer, at)
    except Exception as error:
        logger.warning("OCSP check failed: %s", error)
        return None


def _crl(certificate, issuer, at) -> Revocation | None:
    for path in settings.SIGNATURE_CRL_PATHS:
        try:
            revocation_list = crl.CertificateList.load(Path(path).read_bytes())
            tbs = revocation_list["tbs_cert_list"]
            if tbs["issuer"] != issuer.subject:
                continue
            if not _crl_signed_by(revocation_list.dump(), issuer.dump()):
                logger.warning("CRL %s is not signed by its issuer", path)
                continue
        except Exception as error:
            logger.warning("CRL %s unreadable: %s", path, error)
            continue
        this_update = tbs["this_update"].native
        for entry in tbs["revoked_certificates"]:
            if entry["user_certificate"].native == certificate.serial_number:
                revoked_at = entry["revocation_date"].native
                if revoked_at <= at:
                    return Revocation(
                        REVOKED, "crl", f"CRL {this_update:%Y-%m-%d}: revoked {revoked_at:%Y-%m-%d}", revoked_at
                    )
                return Revocation(GOOD, "crl", f"CRL {this_update:%Y-%m-%d}: revoked only later", revoked_at)
        return Revocation(GOOD, "crl", f"CRL {this_update:%Y-%m-%d %H:%M} UTC")
    return None


@functools.lru_cache(maxsize=32)
def _crl_signed_by(crl_der: bytes, issuer_der: bytes) -> bool:
    # Once per CRL file's content and issuer in a process: a GOST CRL's signature costs seconds to check.
    revocation_list, issuer = crl.CertificateList.load(crl_der), x509.Certificate.load(issuer_der)
    return algorithms.verify(
        signer=issuer,
        data=revocation_list["tbs_cert_list"].dump(),
        signature=revocation_list["signature"].native,
        signature_oid=revocation_list["signature_algorithm"]["algorithm"].dotted,
    )


def check(certificate: x509.Certificate, issuer: x509.Certificate, at: datetime.datetime) -> Revocation:
    return (
        _ocsp(certificate, issuer, at)
        or _crl(certificate, issuer, at)
        or Revocation(NOT_CHECKED, "", "no OCSP responder or CRL configured or reachable")
    )
