"""The signed-in user read in the same query as their session.

Every signed-in page used to open with five reads: the session, the user, the authenticator that verified the
session (django-otp), the unread notifications for the menu and the user's roles and permissions. The session store
(sessions.py) now reads the session row joined to its user, with the user's confirmed authenticator, unread count
and access rows (access.py) as subqueries, and keeps that user here for the rest of the request:

- `AuthenticationMiddleware` lets Django's own `auth.get_user` run unchanged (backend, active flag, session hash):
  only the backend's `User.objects.get(pk=...)` is answered with the row already read (UserManager.get).
- `OTPMiddleware` takes the authenticator from the same row when the session names it, and asks the database
  otherwise, exactly as django-otp does.
- The menu's unread count (context_processors.notifications) reads the number counted with the session.
"""

import contextlib
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY
from django.contrib.auth import get_user as auth_get_user
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

# The user read with the session, while auth.get_user runs (UserManager.get answers from it).
preloaded_user: ContextVar = ContextVar("preloaded_user", default=None)

UNREAD = "_preloaded_unread_notifications"
TOTP_DEVICE = "_preloaded_totp_device_id"


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        session = request.session
        session.get(SESSION_KEY)  # loads the session, and with it the user
        token = preloaded_user.set(getattr(session, "preloaded_user", None))
        try:
            request._cached_user = auth_get_user(request)
        finally:
            preloaded_user.reset(token)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))


def _totp_device(user, persistent_id: str):
    """The authenticator the session names, built from the preloaded row (its other fields load if read)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device_id = getattr(user, TOTP_DEVICE, None)
    if device_id is None or persistent_id != f"{TOTPDevice.model_label()}/{device_id}":
        return None
    return TOTPDevice.from_db(TOTPDevice.objects.db, ["id", "user_id", "confirmed"], [device_id, user.pk, True])


class OTPMiddleware(DjangoOTPMiddleware):
    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = None
            if persistent_id:
                persistent_id = self._normalize_persistent_id(persistent_id)
                device = _totp_device(user, persistent_id) or self._device_from_persistent_id(persistent_id)
            user.otp_device = self._finalize_device(request, user, device)
        return user


def forget_unread_count(user) -> None:
    """The user's unread count changed during this request: the menu counts again."""
    with contextlib.suppress(AttributeError):
        delattr(user, UNREAD)
