"""The student's voice on their route (regulation §4.4).

While the route is a draft, the student (or a legal representative acting for them) may comment on it: the
route's authors are told and see the comment on the route page before they send the route to the lecturers.
Once the route is in force the student acknowledges it, once, or acknowledges it and says what they disagree with;
the centre is told of a disagreement. Every word is kept with its author and time (history), shown on the case
timeline and printed on the route's agreement sheet.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import User
from inclusion_centre.history import acting_as

from .. import permissions
from ..models import Route, StudentVoice
from .route import _authors, _centre_heads, _lock_route, _tell

V = StudentVoice.Kind
TEXT_MAX_LENGTH = StudentVoice.TEXT_MAX_LENGTH


def _clean_text(text: str, *, required: str | None) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({"text": required}, code="empty")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("Write at most %(max)d characters.") % {"max": TEXT_MAX_LENGTH}}, code="too_long"
        )
    return text


@transaction.atomic
def voice_comment(*, route: Route, actor: User, text: str) -> StudentVoice:
    """The student comments on their draft route. PermissionDenied for anyone but the student side; IllegalMove
    when the route is no longer a draft; ValidationError (nothing saved) for an empty or too long text."""
    locked = _lock_route(route)
    if not permissions.is_route_student(actor, locked):
        raise PermissionDenied
    if locked.status != Route.Status.DRAFT:
        raise IllegalMove(
            _("The route is no longer a draft: it is “%(state)s”.") % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    clean = _clean_text(text, required=_("Write your comment."))
    with acting_as(actor):
        voice = StudentVoice.objects.create(route=locked, kind=V.COMMENT, text=clean, author=actor)
    _tell(
        _authors(locked),
        route=locked,
        kind="route_student_comment",
        subject=gettext_noop("The student commented on the draft route"),
        body=gettext_noop(
            "The student commented on the draft of the route of case %(number)s. Read it before you send the "
            "route to the lecturers."
        ),
        context={"number": locked.application.registration_number},
        key=str(voice.pk),
    )
    return voice


@transaction.atomic
def voice_acknowledge(*, route: Route, actor: User, agrees: bool, text: str = "") -> StudentVoice:
    """The student acknowledges the route in force, once: `agrees` False records what they disagree with (`text`
    required). PermissionDenied for anyone but the student side; IllegalMove when the route is not in force or
    is already acknowledged."""
    locked = _lock_route(route)
    if not permissions.is_route_student(actor, locked):
        raise PermissionDenied
    done = StudentVoice.objects.filter(route=locked, kind__in=StudentVoice.ACKNOWLEDGEMENTS).exists()
    if locked.status != Route.Status.IN_FORCE or done:
        raise IllegalMove(
            _("This route cannot be acknowledged now: it is “%(state)s”, or it is acknowledged already.")
            % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    required = None if agrees else _("Say what you disagree with.")
    clean = _clean_text(text, required=required)
    kind = V.ACKNOWLEDGED if agrees else V.DISAGREED
    with acting_as(actor):
        voice = StudentVoice.objects.create(route=locked, kind=kind, text=clean, author=actor)
    if not agrees:
        _tell(
            _authors(locked) + _centre_heads(),
            route=locked,
            kind="route_student_disagrees",
            subject=gettext_noop("The student disagrees with part of the route"),
            body=gettext_noop(
                "The student acknowledged the route %(number)s and said what they disagree with. Read it on the "
                "route's page."
            ),
            context={"number": locked.registration_number},
            key=str(voice.pk),
        )
    return voice
