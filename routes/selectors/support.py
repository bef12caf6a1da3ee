"""Reads of the support delivered under a route's measures."""

from django.db.models import Count, Prefetch
from django.http import Http404

from .. import permissions
from ..models import SupportMeasure, SupportSession

# The page shows this many of each measure's latest sessions and says how many there are in all; the full record is
# in the history and the personal file.
SESSIONS_SHOWN = 50


def support_measures(route, support_access: str) -> list[SupportMeasure]:
    """The route's measures, each with `session_count` and `shown_sessions` (its latest SESSIONS_SHOWN sessions,
    newest first), in two queries whatever the number of sessions. The student side gets no notes (deferred)."""
    sessions = SupportSession.objects.order_by("-held_on", "-pk")
    if support_access == permissions.SupportAccess.FULL:
        sessions = sessions.select_related("recorded_by")
    else:
        sessions = sessions.defer("notes")
    return list(
        SupportMeasure.objects.filter(route=route)
        .annotate(session_count=Count("sessions"))
        .prefetch_related(Prefetch("sessions", queryset=sessions[:SESSIONS_SHOWN], to_attr="shown_sessions"))
        .order_by("order", "pk")
    )


def support_session_for(route, session_pk: int) -> SupportSession:
    """A session under one of `route`'s measures; Http404 when there is none (or it belongs to another route)."""
    session = SupportSession.objects.select_related("measure").filter(pk=session_pk, measure__route=route).first()
    if session is None:
        raise Http404
    return session
