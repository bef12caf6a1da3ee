"""Two-factor sign-in: who must pass it, enrolling an authenticator app, recovery codes and checking a code.

django-otp keeps the devices: one TOTP device per person (an authenticator app) and one static device holding the
recovery codes, each of which works once. Both throttle wrong codes (1, 2, 4, 8 … seconds between attempts).

Setting up an app (the first time, or again after the system administrator removed a lost one) needs more than
the password: a one-time code e-mailed to the account's address (django-otp's e-mail device, sent through the
outbox) or one of the person's recovery codes. Someone who only knows the password cannot attach their own phone.
"""

import base64
import re

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from inclusion_centre.outbox.services import enqueue

from .models import User

RECOVERY_DEVICE_NAME = "recovery codes"
APP_DEVICE_NAME = "authenticator app"
EMAIL_DEVICE_NAME = "set-up code by e-mail"
# The session of a user who proved it is them (e-mailed or recovery code) and may now set up an app.
ENROL_PROOF_SESSION_KEY = "_two_factor_enrol_proof"
# Set by the OpenID Connect sign-in (oidc.py) when the provider asserted multi-factor sign-in (amr / acr).
PROVIDER_MFA_SESSION_KEY = "_provider_mfa"


def is_required(user) -> bool:
    """Whether this signed-in user must pass the second factor: staff roles that read personal data, admin users."""
    if not settings.OTP_ENFORCE or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(user.role_names & set(settings.OTP_REQUIRED_ROLES))


def passed(request) -> bool:
    """Whether this session passed a second factor: ours (django-otp), or the provider's, which it asserted."""
    return request.user.is_verified() or request.session.get(PROVIDER_MFA_SESSION_KEY) is True


def confirmed_app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_app_device(user: User) -> TOTPDevice:
    """The authenticator app being set up: the same secret across page reloads until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, as authenticator apps ask for it when typed by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice, *, title: str) -> str:
    """The otpauth:// address as an inline SVG QR code (drawn here: no image service, nothing for the CSP to allow)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, title=title, svgclass="qr-code")


def normalise(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "").lower()[:32]


def throttled_device(device) -> bool:
    """True while wrong codes make this device wait before the next attempt (1, 2, 4, 8 … seconds)."""
    return not device.verify_is_allowed()[0]


def confirm_app_device(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending authenticator app with a code it shows; returns new recovery codes, None if wrong."""
    code = normalise(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not code.isdigit() or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        return new_recovery_codes(user=user)


def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with OTP_RECOVERY_CODES new ones and return them (shown once)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def check_code(*, user: User, code: str) -> tuple[TOTPDevice | StaticDevice | None, bool]:
    """The device that accepts this code (a code from the app, or a recovery code, which is then used up), and
    whether a device that could have accepted it was waiting after wrong codes (so the code was not even tried)."""
    code = normalise(code)
    if not code:
        return None, False
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:  # recovery codes are 8 letters and digits
            devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        else:
            devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        return _first_accepting(devices, code)


def _first_accepting(devices, code: str) -> tuple:
    """The first of `devices` (locked by the caller) that accepts `code`, or None and whether one of them was
    waiting after wrong codes (django-otp's throttling)."""
    waiting = False
    for device in devices:
        if throttled_device(device):
            waiting = True
        elif device.verify_token(code):
            return device, False
    return None, waiting


# --- Proof before setting up an app ------------------------------------------------------------------------------


def send_enrolment_code(*, user: User) -> bool:
    """Make a new one-time code for setting up an app and queue its e-mail (outbox: the job carries the device id,
    the code stays in the database). Returns False, sending nothing, while the last code's cooldown runs."""
    from .tasks import send_enrolment_code_email

    with transaction.atomic():
        device = EmailDevice.objects.filter(user=user, name=EMAIL_DEVICE_NAME).select_for_update().first()
        if device is None:
            device = EmailDevice.objects.create(user=user, name=EMAIL_DEVICE_NAME, confirmed=False)
        if not device.generate_is_allowed()[0]:
            return False
        device.cooldown_set(commit=False)
        device.generate_token(valid_secs=settings.OTP_EMAIL_TOKEN_VALIDITY, commit=True)
        enqueue(send_enrolment_code_email, device.pk)
    return True


def enrolment_code_pending(user: User) -> bool:
    return EmailDevice.objects.filter(
        user=user, name=EMAIL_DEVICE_NAME, token__isnull=False, valid_until__gt=timezone.now()
    ).exists()


def check_enrolment_proof(*, user: User, code: str) -> tuple[EmailDevice | StaticDevice | None, bool]:
    """The device that accepts this code as proof that the person is who signed in: the e-mailed code (six
    digits) or a recovery code. Either works once. Also whether a device was waiting after wrong codes."""
    code = normalise(code)
    if not code:
        return None, False
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            devices = EmailDevice.objects.select_for_update().filter(user=user, name=EMAIL_DEVICE_NAME)
        else:
            devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        return _first_accepting(devices, code)
