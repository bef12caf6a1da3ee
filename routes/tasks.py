"""Background work of the routes app."""

from celery import shared_task

from . import services


@shared_task(name="routes.tasks.notify_daily_digests")
def notify_daily_digests() -> int:
    """Daily: tell each person what they owe and each centre head what is overdue (safe to run twice a day)."""
    return services.send_daily_digests()


@shared_task(name="routes.tasks.follow_enrolments")
def follow_enrolments(actor_id: int | None = None, student_ids: list[int] | None = None) -> int:
    """Routes in force follow the enrolments (daily, and after an import of enrolments by `actor_id`): returns how
    many sections were added or retired. Safe to run again."""
    from inclusion_centre.accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    followed = services.follow_enrolments(actor=actor, student_ids=student_ids)
    return len(followed.added) + len(followed.retired)


@shared_task(name="routes.tasks.apply_retention")
def apply_retention() -> int:
    """Nightly: apply the retention schedule: hand over, destroy, anonymise (safe to run again)."""
    from .retention import apply_retention as run

    return len(run().applications)


@shared_task(name="routes.tasks.remind_overdue_loans")
def remind_overdue_loans() -> int:
    """Daily: remind each borrower of equipment past its return date (safe to run twice a day)."""
    return services.send_overdue_loan_reminders()


@shared_task(name="routes.tasks.open_delivery_surveys")
def open_delivery_surveys() -> int:
    """Daily: open the end-of-term delivery surveys of terms that have ended and expire the unanswered ones past
    their date, as the system (no acting person). Safe to run again: returns how many surveys were opened."""
    return len(services.open_delivery_surveys(actor=None))


@shared_task(name="routes.tasks.remind_mse_expiry")
def remind_mse_expiry() -> int:
    """Daily: remind the student and the centre 30 days before an MSE conclusion's re-examination date, and mark
    lapsed the ones past it (their routes wait for a review), as the system. Safe to run again."""
    reminded, lapsed = services.remind_mse_expiry(actor=None)
    return reminded + lapsed
