"""One question for every signature in a chain, a CRL, an OCSP answer or a CMS: does this key sign these bytes?

RSA (PKCS #1 v1.5, the NCA's RSA profile) is checked with `cryptography`, Kazakh GOST 2015 with `gost.py`.
"""

import hashlib

from asn1crypto import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from . import gost
from .errors import SignatureRefused

RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSA_WITH = {
    "1.2.840.113549.1.1.11": hashes.SHA256,
    "1.2.840.113549.1.1.12": hashes.SHA384,
    "1.2.840.113549.1.1.13": hashes.SHA512,
}
DIGESTS = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def digest(digest_oid: str, data: bytes) -> bytes:
    """The digest of `data` with the algorithm a CMS names; SignatureRefused for one we do not accept (SHA-1)."""
    if digest_oid in DIGESTS:
        return hashlib.new(DIGESTS[digest_oid], data).digest()
    if digest_oid in gost.DIGESTS:
        return gost.digest(gost.DIGESTS[digest_oid], data)
    raise SignatureRefused("unsupported_algorithm", f"digest {digest_oid}")


def spki_der(certificate: x509.Certificate) -> bytes:
    return certificate["tbs_certificate"]["subject_public_key_info"].dump()


def is_gost(signature_oid: str) -> bool:
    return signature_oid in gost.SIGNATURES


def verify(
    *, signer: x509.Certificate, data: bytes, signature: bytes, signature_oid: str, digest_oid: str = ""
) -> bool:
    """Whether `signature` over `data` verifies with `signer`'s public key.

    `signature_oid` is the algorithm the signed structure names; for a CMS that names plain rsaEncryption, the
    hash is the CMS's digest algorithm (`digest_oid`). Raises SignatureRefused("unsupported_algorithm") for any
    other algorithm.
    """
    if signature_oid == gost.KEY:  # a CMS may name the key's algorithm: the digest says which size
        signature_oid = gost.SIGNATURE_512 if gost.DIGESTS.get(digest_oid) == "streebog512" else gost.SIGNATURE_256
    if is_gost(signature_oid):
        try:
            return gost.verify(spki_der=spki_der(signer), data=data, signature=signature, signature_oid=signature_oid)
        except gost.UnsupportedGost as error:
            raise SignatureRefused("unsupported_algorithm", str(error)) from None
    if signature_oid in RSA_WITH:
        algorithm = RSA_WITH[signature_oid]()
    elif signature_oid == RSA_ENCRYPTION and digest_oid in DIGESTS:
        algorithm = HASHES[DIGESTS[digest_oid]]()
    else:
        raise SignatureRefused("unsupported_algorithm", f"signature {signature_oid}")
    try:
        key = load_der_public_key(spki_der(signer))
    except (ValueError, TypeError):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return False
    return True


def algorithm_label(signature_oid: str, digest_oid: str) -> str:
    if signature_oid in gost.SIGNATURES or signature_oid == gost.KEY:
        return f"GOST 34.10-2015 ({gost.DIGESTS.get(digest_oid, '?')})"
    return f"RSA ({DIGESTS.get(digest_oid, '?')})"
