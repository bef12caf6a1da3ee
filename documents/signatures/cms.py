"""Reading a detached CMS SignedData (CAdES-BES) as NCALayer's createCAdESFromBase64 makes it."""

import datetime
from dataclasses import dataclass

from asn1crypto import cms, core, x509

from . import algorithms
from .errors import SignatureRefused


@dataclass(frozen=True)
class ParsedCms:
    signer: x509.Certificate
    certificates: list[x509.Certificate]
    signed_attributes: bytes  # DER as signed: the SET OF, not the [0] it is stored under
    signature: bytes
    digest_oid: str
    signature_oid: str
    message_digest: bytes
    signing_time: datetime.datetime | None


def _signer_certificate(signer_info, certificates: list[x509.Certificate]) -> x509.Certificate:
    sid = signer_info["sid"]
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if certificate.issuer == wanted["issuer"] and certificate.serial_number == wanted["serial_number"].native:
                return certificate
        elif certificate.key_identifier == sid.chosen.native:
            return certificate
    raise SignatureRefused("no_certificate")


def _attributes(signer_info) -> dict[str, object]:
    signed = signer_info["signed_attrs"]
    if not signed or signed.native is None:
        raise SignatureRefused("no_signed_attributes")
    found = {}
    for attribute in signed:
        found[attribute["type"].dotted] = attribute["values"]
    return found


def parse(data: bytes) -> ParsedCms:
    """The signer, certificates and signed attributes of a detached CMS; SignatureRefused when it is not one."""
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise SignatureRefused("malformed", "not SignedData")
        signed_data = info["content"]
        if signed_data["encap_content_info"]["content"].native is not None:
            raise SignatureRefused("not_detached")
        signer_infos = list(signed_data["signer_infos"])
        if len(signer_infos) != 1:
            raise SignatureRefused("one_signer")
        signer_info = signer_infos[0]
        certificates = [choice.chosen for choice in signed_data["certificates"] or [] if choice.name == "certificate"]
        attributes = _attributes(signer_info)
        content_type = attributes.get("1.2.840.113549.1.9.3")
        message_digest = attributes.get("1.2.840.113549.1.9.4")
        if content_type is None or message_digest is None:
            raise SignatureRefused("no_signed_attributes")
        if core.ObjectIdentifier.load(content_type[0].dump()).dotted != "1.2.840.113549.1.7.1":
            raise SignatureRefused("content_type")
        signing_time = attributes.get("1.2.840.113549.1.9.5")
        stored = signer_info["signed_attrs"].dump()
        return ParsedCms(
            signer=_signer_certificate(signer_info, certificates),
            certificates=certificates,
            signed_attributes=b"\x31" + stored[1:],
            signature=signer_info["signature"].native,
            digest_oid=signer_info["digest_algorithm"]["algorithm"].dotted,
            signature_oid=signer_info["signature_algorithm"]["algorithm"].dotted,
            message_digest=core.OctetString.load(message_digest[0].dump()).native,
            signing_time=signing_time[0].native if signing_time is not None else None,
        )
    except SignatureRefused:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise SignatureRefused("malformed", str(error)) from None


def check_signature(parsed: ParsedCms, content: bytes) -> None:
    """The message digest is that of `content` (the stored PDF), and the signer's key signed the attributes."""
    if algorithms.digest(parsed.digest_oid, content) != parsed.message_digest:
        raise SignatureRefused("tampered")
    if not algorithms.verify(
        signer=parsed.signer,
        data=parsed.signed_attributes,
        signature=parsed.signature,
        signature_oid=parsed.signature_oid,
        digest_oid=parsed.digest_oid,
    ):
        raise SignatureRefused("bad_signature")
