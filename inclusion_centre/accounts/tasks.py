"""Background work of the accounts app. The settings route `*.tasks.send_*` to the notifications queue."""

import re
import smtplib
from email.mime.text import MIMEText

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.history import acting_as

from .mail import subject_prefix
from .models import Notification, User


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
