"""Signal receivers of the routes app, connected in RoutesConfig.ready()."""

from django.db import transaction

from inclusion_centre.outbox.services import enqueue

FOLLOWED_KINDS = frozenset({"enrolments", "teaching_assignments"})


def follow_imported_enrolments(sender, *, kind: str, actor, **kwargs) -> None:
    """After an import of enrolments (or of who teaches what), the routes in force follow it in the worker."""
    if kind not in FOLLOWED_KINDS:
        return
    with transaction.atomic():
        enqueue("routes.tasks.follow_enrolments", actor.pk if actor is not None else None)
