"""Background work of the routes app."""

from celery import shared_task

from . import services


@shared_task(name="routes.tasks.notify_daily_digests")
def notify_daily_digests() -> int:
    """Daily: tell each person what they owe and each centre head what is overdue (safe to run twice a day)."""
    return services.send_daily_digests()
