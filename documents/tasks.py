"""Background work of the documents app. The settings route `documents.tasks.*` to the `documents` queue, where
WeasyPrint renders apart from the short tasks and the e-mails."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import selectors, services


@shared_task(
    autoretry_for=(Exception,),
    dont_autoretry_for=(LookupError,),  # no printed form for the type: a retry cannot help
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=90,
    time_limit=120,
)
def render_registered_pdf(document_id: int) -> int:
    """Render and store the PDFs of one registered document that are still missing; returns how many were made.

    Safe to run twice: what is stored is never rendered again (services.render_document_files).
    """
    return services.render_document_files(document_id=document_id)


@shared_task
def render_pending_documents(older_than_minutes: int = 5) -> int:
    """Queue the render of every document still without all its PDFs a while after registration (its task was
    lost, or used up its retries); returns how many were queued."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    pending = list(selectors.documents_waiting_for_render(registered_before=cutoff).values_list("pk", flat=True))
    # Straight to the broker, not through the outbox: this sweep runs in a worker (the broker is up) and the
    # documents table itself records what is still to render, so a publish lost here is found again next time.
    for document_id in pending:
        render_registered_pdf.delay(document_id)
    return len(pending)
