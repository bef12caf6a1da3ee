"""The one-time, expiring token of an invitation link (see invitations.py)."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from .models import User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token under its own salt (a reset link is no invitation, nor the reverse) and its own limit."""

    key_salt = "inclusion_centre.accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        if not (user and token) or token.count("-") != 1:
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.INVITATION_VALID_DAYS * 24 * 60 * 60:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user: User) -> str:
    """The path of a fresh activation link for `user` (made when the e-mail is written, so it is as new as it)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:invitation", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)})
