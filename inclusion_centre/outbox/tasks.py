"""The outbox relay, run by beat every minute (settings: CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(name="inclusion_centre.outbox.tasks.relay_outbox")
def relay_outbox() -> int:
    """Publish the jobs the broker did not take when they were made; returns how many were published now."""
    return services.relay_pending()
