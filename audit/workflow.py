"""Moving a stateful object: lock the row, re-read its state, check the move, save, record the StatusChange."""

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from inclusion_centre.history import acting_as

from .services import record_status_change


class IllegalMove(ValidationError):
    """The object is not in a state that allows this move (it may have moved since the page was shown)."""


def move(
    *,
    instance: models.Model,
    to_status: str,
    allowed: Mapping[str, set[str]],
    actor,
    comment: str = "",
    before_save: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Move `instance` to `to_status` under a row lock and return the fresh, moved object.

    Two people pressing the same button at once: the second waits for the lock, re-reads the new state, and is
    refused with IllegalMove. `before_save` may set other fields of the locked object (dates, numbers).
    """
    model = type(instance)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        from_status = locked.status
        if to_status not in allowed.get(from_status, set()):
            raise IllegalMove(
                _("This cannot be done now: the item is “%(current)s”. Reload the page to see its current state.")
                % {"current": locked.get_status_display()},
                code="illegal_move",
            )
        locked.status = to_status
        if before_save is not None:
            before_save(locked)
        with acting_as(actor):
            locked.save()
        record_status_change(obj=locked, from_status=from_status, to_status=to_status, actor=actor, comment=comment)
    return locked
