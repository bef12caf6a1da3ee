"""Kazakh GOST 34.10-2015 (the elliptic-curve signature of GOST R 34.10-2012) with Streebog, through gostcrypto.

The Kazakh profile (NCA RK) has its own OIDs, and writes numbers little-endian: the public key's X and Y halves,
the signature's two halves, and the digest as the integer the curve arithmetic signs. gostcrypto reads big-endian,
so each is reversed here. Checked against the NCA test CA's signature on the fixtures' GOST 2015 certificate.
"""

from asn1crypto import core
from gostcrypto import gostsignature

from . import streebog

KEY = "1.2.398.3.10.1.1.2.2"
SIGNATURE_256 = "1.2.398.3.10.1.1.2.3.1"
SIGNATURE_512 = "1.2.398.3.10.1.1.2.3.2"
DIGEST_256 = "1.2.398.3.10.1.3.2"
DIGEST_512 = "1.2.398.3.10.1.3.3"
# The TC 26 (Russian) OIDs of the same digests, which some software writes in the CMS's digest algorithm.
TC26_DIGEST_256 = "1.2.643.7.1.1.2.2"
TC26_DIGEST_512 = "1.2.643.7.1.1.2.3"

SIGNATURES = {SIGNATURE_256: 256, SIGNATURE_512: 512}
DIGESTS = {
    DIGEST_256: "streebog256",
    DIGEST_512: "streebog512",
    TC26_DIGEST_256: "streebog256",
    TC26_DIGEST_512: "streebog512",
}

# Curve parameter OIDs of the key -> (gostcrypto mode, curve). Only the curve the fixtures prove is listed: the
# 512-bit key of the NCA's GOST 2015 profile is TC 26's paramSetA (its public key follows from its private key
# on that curve). A key on another curve is refused as an unsupported algorithm, never guessed.
CURVES = {
    "1.2.398.3.10.1.1.2.2.1": (gostsignature.MODE_512, "id-tc26-gost-3410-12-512-paramSetA"),
}


class UnsupportedGost(ValueError):
    pass


def digest(name: str, data: bytes) -> bytes:
    return streebog.digest(data, 512 if name == "streebog512" else 256)


def _public_key(spki_der: bytes) -> tuple[int, str, bytes]:
    """(mode, curve name, X||Y big-endian) of a GOST SubjectPublicKeyInfo given as DER."""
    spki = core.Sequence.load(spki_der)
    algorithm = core.Sequence.load(spki[0].dump())
    if core.ObjectIdentifier.load(algorithm[0].dump()).dotted != KEY:
        raise UnsupportedGost("not a Kazakh GOST 2015 key")
    parameters = core.Sequence.load(algorithm[1].dump())
    curve_oid = core.ObjectIdentifier.load(parameters[0].dump()).dotted
    if curve_oid not in CURVES:
        raise UnsupportedGost(f"GOST curve {curve_oid} is not supported")
    mode, curve = CURVES[curve_oid]
    point = core.OctetString.load(spki[1].contents[1:]).native  # the BIT STRING holds an OCTET STRING
    half = len(point) // 2
    return mode, curve, point[:half][::-1] + point[half:][::-1]


def _verifier(mode: int, curve: str):
    return gostsignature.new(mode, gostsignature.CURVES_R_1323565_1_024_2019[curve])


def verify(*, spki_der: bytes, data: bytes, signature: bytes, signature_oid: str) -> bool:
    """Whether `signature` (Kazakh byte order) is the GOST signature of `data` by the key in `spki_der`."""
    mode, curve, point = _public_key(spki_der)
    size = SIGNATURES.get(signature_oid)
    if size is None or (size == 512) != (mode == gostsignature.MODE_512):
        raise UnsupportedGost(f"signature algorithm {signature_oid} does not match the key")
    hashed = digest("streebog512" if size == 512 else "streebog256", data)[::-1]
    half = len(signature) // 2
    native = signature[:half][::-1] + signature[half:][::-1]
    if len(native) != len(point):
        return False
    return bool(_verifier(mode, curve).verify(bytearray(point), bytearray(hashed), bytearray(native)))


def sign(*, private_key_le: bytes, data: bytes, curve_oid: str = "1.2.398.3.10.1.1.2.2.1") -> bytes:
    """The Kazakh-order GOST signature of `data` with a little-endian private key (the stub NCALayer and tests)."""
    mode, curve = CURVES[curve_oid]
    size = 512 if mode == gostsignature.MODE_512 else 256
    hashed = digest(f"streebog{size}", data)[::-1]
    native = bytes(_verifier(mode, curve).sign(bytearray(private_key_le[::-1]), bytearray(hashed)))
    half = len(native) // 2
    return native[:half][::-1] + native[half:][::-1]
