"""Background work of the accounts app. The settings route `*.tasks.send_*` to the notifications queue."""

import re
import smtplib
from email.mime.text import MIMEText

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from inclusion_centre.history import acting_as
from inclusion_centre.outbox.services import enqueue

from .mail import subject_prefix
from .models import Invitation, Notification, User
from .tokens import invitation_path


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def send_password_reset_email(user_id: int, language: str, domain: str, use_https: bool) -> bool:
    """E-mail the link to set a new password (queued by the reset form); returns whether an e-mail left.

    The token is made here, when the e-mail is written: it is valid for PASSWORD_RESET_TIMEOUT from then, and no
    longer once the password changes. A disabled account gets nothing.
    """
    from django.contrib.auth.forms import PasswordResetForm
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        PasswordResetForm().send_mail(
            "accounts/email/password_reset_subject.txt", "accounts/email/password_reset.txt", context, None, user.email
        )
    return True


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int, actor_id: int | None = None) -> bool:
    """E-mail one notification to its recipient; returns whether an e-mail left now.

    Safe to run twice: the row is locked and `emailed_at` checked first, so a retried or duplicated task sends
    nothing more. A failure to reach the mail server rolls back and Celery retries with back-off. `actor_id` is
    the user whose action caused the notification: the history row of "e-mailed at" names them.

    The subject is the stored one, which callers keep neutral: subjects travel in mail headers and server logs,
    so they never carry names or other personal data; those stay in the body.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.emailed_at is not None or not notification.email_wanted:
            return False
        recipient = notification.recipient
        # The person may have turned e-mail off, or been disabled, between the event and this task.
        if not (recipient.notify_by_email and recipient.is_active and recipient.email):
            return False

        site = settings.SITE_URL.rstrip("/")
        with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
            parts = [notification.body.strip()]
            if notification.url:
                parts.append(gettext("Open it in the centre's system: %(link)s") % {"link": site + notification.url})
            parts.append(
                "-- \n"
                + gettext(
                    "To get notifications only in the system, without e-mail, change the setting on your "
                    "account page: %(link)s"
                )
                % {"link": site + reverse("accounts:account")}
            )
        subject = f"{subject_prefix(recipient.preferred_language)}{notification.subject}"
        text = "\n\n".join(part for part in parts if part) + "\n"
        if notification.calendar:
            message = EmailMessage(subject=subject, body=text, to=[recipient.email])
            message.attach(_calendar_part(notification.calendar))
            message.send()
        else:
            send_mail(subject=subject, message=text, from_email=None, recipient_list=[recipient.email])
        notification.emailed_at = timezone.now()
        notification._change_reason = "e-mail sent"
        actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
        with acting_as(actor):
            notification.save(update_fields=["emailed_at"])
    return True


def _calendar_part(calendar: str) -> MIMEText:
    """The .ics attachment. Calendar programs read the METHOD (REQUEST, CANCEL) from the part's content type too."""
    found = re.search(r"^METHOD:([A-Z-]+)\r?$", calendar, re.MULTILINE)
    part = MIMEText(calendar, "calendar", "utf-8")
    if found:
        part.set_param("method", found.group(1))
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    return part


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def send_enrolment_code_email(device_id: int) -> bool:
    """E-mail the one-time code for setting up an authenticator app; returns whether an e-mail left.

    Sends nothing once the code was used or ran out. Run twice, it sends the same code again (harmless). The
    subject is neutral and the code is only in the body.
    """
    from django_otp.plugins.otp_email.models import EmailDevice

    device = EmailDevice.objects.select_related("user").filter(pk=device_id).first()
    if device is None or not device.token or device.valid_until <= timezone.now() or not device.user.is_active:
        return False
    user = device.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = gettext("Code for setting up two-step sign-in")
        body = gettext(
            "Your one-time code for setting up the authenticator app: %(code)s\n\n"
            "It works once, for %(minutes)d minutes.\n\n"
            "If you did not ask for it, someone may know your password: change it and tell the system administrator."
        ) % {"code": device.token, "minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60}
    send_mail(
        subject=f"{subject_prefix(user.preferred_language)}{subject}",
        message=body + "\n",
        from_email=None,
        recipient_list=[user.email],
    )
    return True


INVITATIONS_PER_JOB = 200


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def send_invitation_emails(invitation_ids: list[int]) -> int:
    """E-mail each invitation not e-mailed yet, in its recipient's language; returns how many left now.

    Safe to run twice: each row is locked and `emailed_at` checked. A person who set a password or was disabled
    since is skipped. The link is made here, so its time limit counts from the e-mail, not from the import.
    """
    if len(invitation_ids) > INVITATIONS_PER_JOB:
        # An import of thousands queued one job; it becomes jobs of a size a worker sends within its time limit.
        for start in range(0, len(invitation_ids), INVITATIONS_PER_JOB):
            enqueue(send_invitation_emails, invitation_ids[start : start + INVITATIONS_PER_JOB])
        return 0
    sent = 0
    for invitation_id in invitation_ids:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update(of=("self",))
                .select_related("user", "invited_by")
                .filter(pk=invitation_id, emailed_at__isnull=True)
                .first()
            )
            if invitation is None or not _invitable(invitation.user):
                continue
            _send_invitation(invitation.user)
            invitation.emailed_at = timezone.now()
            invitation._change_reason = "e-mail sent"
            with acting_as(invitation.invited_by):
                invitation.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def _invitable(user: User) -> bool:
    return user.is_active and bool(user.email) and not user.has_usable_password()


def _send_invitation(user: User) -> None:
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user,
            "link": settings.SITE_URL.rstrip("/") + invitation_path(user),
            "days": settings.INVITATION_VALID_DAYS,
            "reset_link": settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset"),
        }
        subject = subject_prefix(language) + gettext("Your account at the centre: set your password")
        text = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject=subject, message=text, from_email=None, recipient_list=[user.email])
