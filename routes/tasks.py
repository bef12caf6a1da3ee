"""Background work of the routes app."""

from celery import shared_task

from . import services


@shared_task(name="routes.tasks.notify_overdue_route_steps")
def notify_overdue_route_steps() -> int:
    """Daily: remind lecturers and the administration of overdue steps (safe to run twice a day)."""
    return services.remind_overdue_route_steps()
