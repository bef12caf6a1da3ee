"""Writes of the support delivered: a specialist logs a session under a measure of a route in force, and may
correct it for a week afterwards.

Both lock the route row first, as the route's own services do, so a session is never written under a route that
another request has just replaced or closed.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import User
from inclusion_centre.history import acting_as

from .. import permissions
from ..models import Route, SupportMeasure, SupportSession

MAX_MINUTES = 480
NOTES_MAX_LENGTH = 2000
CORRECTION_DAYS = permissions.CORRECTION_DAYS


def _lock_route(route_id: int) -> Route:
    return Route.objects.select_for_update().select_related("application").get(pk=route_id)


def _in_force(locked: Route) -> None:
    if locked.status not in permissions.RECORDING:
        raise IllegalMove(
            _("Support is recorded only under a route in force; this one is “%(state)s”.")
            % {"state": locked.get_status_display()},
            code="not_in_force",
        )


def _check(locked: Route, *, held_on: datetime.date, minutes: int, notes: str) -> None:
    """Field errors of a session under `locked`, all at once."""
    problems = {}
    today = timezone.localdate()
    started = timezone.localdate(locked.approved_at) if locked.approved_at else None
    if held_on > today:
        problems["held_on"] = _("The date cannot be in the future.")
    elif started is not None and held_on < started:
        problems["held_on"] = _("The date cannot be before the route came into force (%(date)s).") % {
            "date": formats.date_format(started)
        }
    if minutes <= 0 or minutes > MAX_MINUTES:
        problems["minutes"] = _("Enter a length from 1 to %(max)d minutes.") % {"max": MAX_MINUTES}
    if len(notes) > NOTES_MAX_LENGTH:
        problems["notes"] = _("Write at most %(max)d characters.") % {"max": NOTES_MAX_LENGTH}
    if problems:
        raise ValidationError(problems, code="invalid_session")


@transaction.atomic
def support_session_log(
    *, measure: SupportMeasure, actor: User, held_on: datetime.date, minutes: int, notes: str, attended: bool
) -> SupportSession:
    """Record one session of `measure`. PermissionDenied unless the actor is the centre head or a specialist
    assigned to the case; IllegalMove when the route is not in force; ValidationError on the fields."""
    locked = _lock_route(measure.route_id)
    if not permissions.is_route_author(actor, locked.application):
        raise PermissionDenied
    _in_force(locked)
    notes = notes.strip()
    _check(locked, held_on=held_on, minutes=minutes, notes=notes)
    with acting_as(actor):
        return SupportSession.objects.create(
            measure=measure, held_on=held_on, minutes=minutes, notes=notes, attended=attended, recorded_by=actor
        )


@transaction.atomic
def support_session_correct(
    *, session: SupportSession, actor: User, held_on: datetime.date, minutes: int, notes: str, attended: bool
) -> SupportSession:
    """Correct a session: only by who recorded it, while they still work on the case, within CORRECTION_DAYS of
    recording it and while the route is in force. Raises as support_session_log; IllegalMove after the week."""
    locked = _lock_route(session.measure.route_id)
    current = SupportSession.objects.select_for_update().get(pk=session.pk)
    if current.recorded_by_id != actor.pk or not permissions.is_route_author(actor, locked.application):
        raise PermissionDenied
    _in_force(locked)
    if not permissions.in_correction_window(current):
        raise IllegalMove(
            _("A session can be corrected only within %(days)d days of recording it.") % {"days": CORRECTION_DAYS},
            code="too_late",
        )
    notes = notes.strip()
    _check(locked, held_on=held_on, minutes=minutes, notes=notes)
    current.held_on, current.minutes, current.notes, current.attended = held_on, minutes, notes, attended
    with acting_as(actor):
        current.save()
    return current
