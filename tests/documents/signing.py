"""Helpers for the signing tests: a test CA configured as the NCA root, and a person's CMS over a stored PDF."""

import base64
import datetime

from django.urls import reverse

from . import pki
from .conftest import stored_bytes


def configure_test_ca(settings, folder) -> pki.TestCA:
    """SIGNATURE_METHOD "ncalayer" with a test CA (made here) as the only NCA root, its CRL configured."""
    ca = pki.TestCA()
    root, crl = ca.write(folder / "ca")
    settings.SIGNATURE_METHOD = "ncalayer"
    settings.SIGNATURE_TRUST_ANCHORS = [str(root)]
    settings.SIGNATURE_CRL_PATHS = [str(crl)]
    settings.SIGNATURE_OCSP_URL = ""
    return ca


def give_iin(user, iin: str):
    user.iin = iin
    user.save(update_fields=["iin"])
    return user


def cms_for(ca, document, language: str, *, iin: str, signing: bool = True, content: bytes | None = None) -> str:
    """Base64 of a CMS by a fresh key of `iin` over the stored PDF (or over `content`), as NCALayer answers."""
    key, certificate = ca.issue(iin=iin, signing=signing)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    signed = stored_bytes(document, language) if content is None else content
    return base64.b64encode(pki.rsa_cms(signed, key, certificate, now)).decode()


def signatures_url(document) -> str:
    return reverse("documents:signatures", args=[document.public_id])


def post_signature(client, document, *, role: str, language: str = "kk", cms: str = ""):
    return client.post(signatures_url(document), {"role": role, "language": language, "cms": cms})
