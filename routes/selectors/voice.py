"""Reads of the student's voice on a route (routes/services/voice.py)."""

from django.http import Http404

from inclusion_centre.accounts.models import User
from students.models import Application

from .. import permissions
from ..models import Route, StudentVoice
from .common import _case_rows


def voice_route_for(user: User, pk: int) -> Route:
    """The route for its student's own page (the draft to comment on, the approved route to acknowledge); Http404
    for anyone else and for a route in any other state."""
    route = (
        Route.objects.select_related("application__student__user", "term", "tutor")
        .prefetch_related("measures", "sections__course", "sections__lecturer", "sections__term")
        .filter(pk=pk)
        .first()
    )
    if route is None or not permissions.can_open_voice(user, route):
        raise Http404
    return route


def route_voices(route: Route) -> list[StudentVoice]:
    """What the student said about this route version, oldest first (one query)."""
    return list(StudentVoice.objects.filter(route=route).select_related("author"))


def acknowledgement_of(voices: list[StudentVoice]) -> StudentVoice | None:
    return next((voice for voice in voices if voice.is_acknowledgement), None)


def case_voices(application: Application) -> list[StudentVoice]:
    """Every comment and acknowledgement on the case's routes, for the timeline (one query, once per request)."""

    def read():
        return list(StudentVoice.objects.filter(route__application=application).select_related("author", "route"))

    return _case_rows(application, "student_voices", read)
