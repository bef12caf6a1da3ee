"""Who sees and who records the support delivered under a route's measures.

The centre (the centre head, the specialists assigned to the case) sees every session with what was done; the
student and their representatives see when, which measure, how long and whether they came, without the specialist's
notes. Lecturers and the administration see none of it: it is the centre's work with the student, not the route.
"""

import datetime

from django.utils import timezone

from inclusion_centre.accounts.models import User

from ..models import Route
from .route import RouteAccess, is_route_author, route_access

# Sessions are recorded while the route is in force (also while a new version of it is being drafted).
RECORDING = frozenset({Route.Status.IN_FORCE, Route.Status.UNDER_REVIEW})
# Who recorded a session may correct it for this many days; after that it stands as written (the history keeps
# every version either way).
CORRECTION_DAYS = 7


class SupportAccess:
    FULL = "full"  # the centre: every field, and the form while the route is in force
    PLAIN = "plain"  # the student side: date, measure, length, attended


def support_access(user: User, route, access: str | None = None) -> str | None:
    """The SupportAccess of `user` on `route`'s sessions, or None (the page answers 404). `access` is the user's
    RouteAccess when the caller already has it."""
    if route.status not in Route.APPROVED:
        return None
    access = access if access is not None else route_access(user, route)
    if access == RouteAccess.WORKING:
        return SupportAccess.FULL
    if access == RouteAccess.APPLICANT:
        return SupportAccess.PLAIN
    return None


def can_record_support(user: User, route) -> bool:
    """The centre head or a specialist assigned to the case, on a route in force."""
    return route.status in RECORDING and is_route_author(user, route.application)


def in_correction_window(session) -> bool:
    return timezone.now() - session.created_at <= datetime.timedelta(days=CORRECTION_DAYS)


def can_correct_support(user: User, session, route) -> bool:
    """Only the session's author corrects it, within CORRECTION_DAYS, while they still work on the case and the
    route is in force."""
    return session.recorded_by_id == user.pk and in_correction_window(session) and can_record_support(user, route)
