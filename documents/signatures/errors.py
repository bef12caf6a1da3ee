from django.utils.translation import gettext_lazy as _


class SignatureRefused(Exception):
    """A signature that fails a check. `code` names the check; `message` is the translated reason shown to the
    signer (and printed by verify_signatures)."""

    MESSAGES = {
        "malformed": _("The signature could not be read: it is not a CMS signature."),
        "not_detached": _("The signature must be detached: it must not carry the document inside it."),
        "one_signer": _("The signature must have exactly one signer."),
        "no_signed_attributes": _("The signature has no signed attributes (content type, message digest)."),
        "content_type": _("The signature's content type is not data."),
        "tampered": _("The signature was made over other bytes than the registered PDF (the document was changed)."),
        "bad_signature": _("The signature does not verify with the signer's certificate."),
        "unsupported_algorithm": _("The signature uses an algorithm the system does not check."),
        "no_certificate": _("The signature does not carry the signer's certificate."),
        "untrusted": _("The certificate was not issued by a trusted certification authority (NCA)."),
        "not_valid_at_time": _("The certificate was not valid at the signing time (expired or not yet valid)."),
        "authentication_key": _(
            "This is an authentication key (AUTH_…): choose the signing key (RSA_… or GOSTKNCA_…) to sign documents."
        ),
        "revoked": _("The certificate was revoked before the signing time."),
        "revocation_unchecked": _("The certificate's revocation status could not be checked; try again later."),
        "no_iin": _("The certificate names no IIN."),
        "wrong_iin": _("The certificate's IIN is not yours: sign with your own key."),
        "signer_without_iin": _("Your account has no IIN: ask the system administrator to enter it."),
        "signing_time": _("The signing time in the signature is not the current time; check your computer's clock."),
    }

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)

    @property
    def message(self):
        return self.MESSAGES[self.code]
