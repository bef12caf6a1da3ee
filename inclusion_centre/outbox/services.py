"""Queue background work through the outbox: `enqueue` in the caller's transaction, `dispatch` after its commit,
`relay_pending` for whatever the broker did not take at the time.

    with transaction.atomic():
        document = RegisteredDocument.objects.create(...)
        enqueue(render_registered_pdf, document.pk)

Tasks sent this way must be safe to run twice: a row is marked sent after the broker took the message, so a crash
between the two sends it again.
"""

import datetime
import logging
import time
from functools import partial
from urllib.parse import urlsplit

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from inclusion_centre.celery import app as celery_app
from inclusion_centre.history import acting_as, acting_user

from .models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task: Task | str, *args, **kwargs) -> OutboxMessage:
    """Write a pending job for `task` (a Celery task or its name) with these arguments, and publish it once the
    current transaction commits (at once outside a transaction). Returns the outbox row.

    Arguments must be JSON (ids, not model instances). The user the running code acts for (`acting_user`) is kept
    on the row. If the broker cannot be reached, the caller is not told: the row stays pending for the relay.
    """
    name = task if isinstance(task, str) else task.name
    route = celery_app.amqp.router.route({}, name, args=args, kwargs=kwargs)
    actor = acting_user()
    with acting_as(actor):
        message = OutboxMessage.objects.create(
            task=name,
            args=list(args),
            kwargs=kwargs,
            queue=route["queue"].name,
            actor=actor,
        )
    transaction.on_commit(partial(dispatch, message.pk))
    return message


SENT, REFUSED, SKIPPED = "sent", "refused", "skipped"

# After the broker refused or timed out, this process leaves it alone for OUTBOX_BROKER_PAUSE_SECONDS: a request
# that queues three jobs pays for one timeout, not three, and the requests after it pay nothing.
_broker_paused_until = 0.0


def _broker_paused() -> bool:
    return time.monotonic() < _broker_paused_until


def _pause_broker() -> None:
    global _broker_paused_until
    _broker_paused_until = time.monotonic() + settings.OUTBOX_BROKER_PAUSE_SECONDS


def pause_if_broker_at(location: str) -> None:
    """The cache found Redis at `location` unreachable: when the broker is the same server, do not try it either."""
    if _server(location) == _server(celery_app.conf.broker_url or ""):
        _pause_broker()


def _server(url: str) -> tuple:
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port)


def resume_broker() -> None:
    """Forget an earlier failure: the next dispatch tries the broker again (tests, and an operator's relay)."""
    global _broker_paused_until
    _broker_paused_until = 0.0


def dispatch(message_id: int) -> str:
    """Publish one pending job to the broker and mark it sent. Returns SENT, REFUSED (the broker did not take
    it) or SKIPPED (already sent, failed for good, or being published by another process).

    A row already sent, or locked by another dispatcher, is left alone. A broker that refuses or does not answer
    within the transport's timeouts (settings: CELERY_BROKER_TRANSPORT_OPTIONS) leaves the row pending with the
    error and the attempt counted (after OUTBOX_MAX_ATTEMPTS it is marked failed), and this process does not try
    the broker again for a while. Without a broker (REDIS_URL unset) the task runs here, in-process, and its
    errors reach the caller as they always did.
    """
    eager = celery_app.conf.task_always_eager
    if not eager and _broker_paused():
        return REFUSED
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=OutboxMessage.State.PENDING)
            .first()
        )
        if message is None:
            return SKIPPED
        message.attempts += 1
        if message.task not in celery_app.tasks:
            celery_app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
        task = celery_app.tasks[message.task]
        # The result is never read through the outbox: no result backend call, so nothing else can wait on Redis.
        options = {"queue": message.queue or None, "ignore_result": True}
        if eager:
            task.apply_async(args=message.args, kwargs=message.kwargs, **options)
        else:
            try:
                task.apply_async(args=message.args, kwargs=message.kwargs, **options)
            except Exception as error:
                # Whatever the transport raises (refused, timed out, read-only replica): the change that caused
                # the job is committed and must stay so; the relay publishes the row later.
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                    message.state = OutboxMessage.State.FAILED
                with acting_as(message.actor):
                    message.save(update_fields=["attempts", "last_error", "state"])
                _pause_broker()
                logger.warning("Outbox job %s (%s) not published: %s", message.pk, message.task, message.last_error)
                return REFUSED
        message.state = OutboxMessage.State.SENT
        message.dispatched_at = timezone.now()
        message.last_error = ""
        with acting_as(message.actor):
            message.save(update_fields=["attempts", "last_error", "state", "dispatched_at"])
    return SENT


def relay_pending(*, older_than_seconds: int | None = None, limit: int = 500) -> int:
    """Publish pending jobs older than `older_than_seconds` (default OUTBOX_RELAY_AFTER_SECONDS), oldest first;
    returns how many were published. Stops at the first the broker does not take: the rest would fail alike."""
    if older_than_seconds is None:
        older_than_seconds = settings.OUTBOX_RELAY_AFTER_SECONDS
    resume_broker()  # the relay is the retry: it always tries the broker once
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    pending = (
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, created_at__lte=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for message_id in list(pending):
        outcome = dispatch(message_id)
        if outcome == REFUSED:
            break
        published += outcome == SENT
    return published
