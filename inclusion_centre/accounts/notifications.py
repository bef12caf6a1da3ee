"""Notifications: the one way every step of a case tells a person something happened.

A caller passes English msgids (plain or lazy) with %(name)s placeholders; `notify` renders them in the
recipient's language, stores the row and, once the caller's transaction commits, queues the e-mail. Reads for the
inbox page and the menu count live here too, next to the writes they mirror.

    with transaction.atomic():
        application.save()
        notify(
            recipient=head,
            kind="application_submitted",
            subject=_("A new application is waiting for registration"),
            body=_("Application %(number)s was submitted on %(date)s."),
            context={"number": application.number, "date": application.submitted_on},
            url=application.get_absolute_url(),
            dedup_key=f"application_submitted:{application.pk}:{head.pk}",
        )
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone, translation
from django.utils.functional import Promise
from simple_history.utils import bulk_update_with_history

from inclusion_centre.history import acting_as, acting_user
from inclusion_centre.outbox.services import enqueue

from .models import Notification, User
from .preload import forget_unread_count
from .tasks import send_notification_email


def _render(msgid: str | Promise, context: dict) -> str:
    # A lazy msgid translates itself when turned into text; a plain one goes through gettext. Both happen inside
    # the recipient's language, and so do lazy values in the context (a status label, say).
    text = str(msgid) if isinstance(msgid, Promise) else translation.gettext(msgid)
    return text % context


def _render_for(recipient: User, subject, body, values: dict) -> tuple[str, str]:
    """The subject and body in the recipient's language; the subject on one line of at most 255 characters (an
    e-mail header cannot hold line breaks; a long subject is cut rather than refused)."""
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        return " ".join(_render(subject, values).split())[:255], _render(body, values)


def _is_local_path(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


@transaction.atomic
def notify(
    *,
    recipient: User,
    kind: str,
    subject: str | Promise,
    body: str | Promise,
    url: str = "",
    dedup_key: str | None = None,
    context: dict | None = None,
    calendar: str = "",
) -> Notification:
    """Store a notification for `recipient`, rendered in their language, and e-mail it after commit if they want.

    `subject` and `body` are English msgids with %(name)s placeholders filled from `context` (use %% for a
    literal percent sign). The subject goes into an e-mail header: keep it neutral, with no names or other
    personal data; details belong in the body, which is shown only to the signed-in recipient and in the e-mail.
    `url` is a path inside the app ("/cases/42/") or blank.

    With a `dedup_key` that already exists, the existing notification is returned and nothing new is created or
    sent; the key is global, so include the recipient in it. Must run inside the caller's transaction: the
    e-mail job is written to the outbox with it and published after commit, so nothing leaves if the caller rolls
    back and nothing is lost if the broker is down. Raises ValueError for a `url`
    that is not a local path. `calendar` is an iCalendar text the e-mail carries as an .ics attachment; the
    caller renders it in the recipient's language, with no personal data in its summary.
    """
    if url and not _is_local_path(url):
        raise ValueError(f"Notification links must be paths inside the app, not {url!r}.")

    rendered_subject, rendered_body = _render_for(recipient, subject, body, context or {})
    email_wanted = bool(recipient.notify_by_email and recipient.is_active and recipient.email)
    fields = {
        "recipient": recipient,
        "kind": kind,
        "subject": rendered_subject,
        "body": rendered_body,
        "url": url,
        "email_wanted": email_wanted,
        "calendar": calendar,
    }
    if dedup_key is None:
        notification, created = Notification.objects.create(**fields), True
    else:
        # get_or_create inserts in a savepoint and, if a concurrent call took the key first, returns its row.
        notification, created = Notification.objects.get_or_create(dedup_key=dedup_key, defaults=fields)
    if created and email_wanted:
        actor = acting_user()
        enqueue(send_notification_email, notification.pk, actor.pk if actor is not None else None)
    return notification


@transaction.atomic
def notify_many(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str | Promise,
    body: str | Promise,
    url: str = "",
    dedup_key: str | None = None,
    context: dict | None = None,
) -> list[Notification]:
    """`notify` each recipient once, each in their own language; returns their notifications in order.

    A `dedup_key` here is the event's key: each recipient's notification gets "<dedup_key>:<user id>".
    """
    notifications = []
    seen: set[int] = set()
    for recipient in recipients:
        if recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        notifications.append(
            notify(
                recipient=recipient,
                kind=kind,
                subject=subject,
                body=body,
                url=url,
                dedup_key=f"{dedup_key}:{recipient.pk}" if dedup_key is not None else None,
                context=context,
            )
        )
    return notifications


@transaction.atomic
def mark_read(*, notification: Notification, user: User) -> Notification:
    """Mark the user's own notification read (again is harmless). Raises PermissionDenied for anyone else's."""
    if notification.recipient_id != user.pk:
        raise PermissionDenied
    locked = Notification.objects.select_for_update().get(pk=notification.pk)
    if locked.read_at is None:
        with acting_as(user):
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
    notification.read_at = locked.read_at
    forget_unread_count(user)
    return notification


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many were."""
    unread = list(user.notifications.select_for_update().filter(read_at__isnull=True))
    now = timezone.now()
    for notification in unread:
        notification.read_at = now
    forget_unread_count(user)
    # One UPDATE and one history INSERT however many there are; bulk_update alone would write no history.
    return bulk_update_with_history(unread, Notification, ["read_at"], default_user=user) if unread else 0


@transaction.atomic
def user_set_notify_by_email(*, user: User, notify_by_email: bool, actor: User | None = None) -> User:
    """Save whether the user gets notifications by e-mail as well as in the app."""
    with acting_as(actor or user):
        user.notify_by_email = notify_by_email
        user.save(update_fields=["notify_by_email"])
    return user


# --- Reads -----------------------------------------------------------------------------------------------------


def notifications_for(user: User) -> models.QuerySet[Notification]:
    """The user's notifications, unread first, then newest first."""
    return user.notifications.order_by(
        Case(When(read_at__isnull=True, then=Value(0)), default=Value(1)), "-created_at", "-pk"
    )


def unread_count_for(user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).count()
