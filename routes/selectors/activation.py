"""Reads of per-term activation: the letters of accommodations a lecturer acknowledges."""

from django.db.models import QuerySet
from django.http import Http404

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role

from ..models import AccommodationLetter, SupportMeasure
from ..permissions.activation import can_read_letter, sees_all_letters

LETTER_STATES = tuple(AccommodationLetter.Status.values)


def _letters() -> QuerySet:
    return AccommodationLetter.objects.select_related(
        "section__course", "section__term", "lecturer", "route__application__student__user"
    )


def letters_for(user: User, status: str = "") -> QuerySet | None:
    """The letters `user` may list, newest first: their own, or every letter for the centre head; None for anyone
    else (the page answers 404). `status` narrows to one state."""
    if sees_all_letters(user):
        letters = _letters()
    elif user.has_role(Role.LECTURER):
        letters = _letters().filter(lecturer=user)
    else:
        return None
    if status in LETTER_STATES:
        letters = letters.filter(status=status)
    return letters.order_by("-sent_at", "-pk")


def letter_for(user: User, pk: int) -> AccommodationLetter:
    """The letter, with what its page shows (the section, the route's general arrangements and its measures);
    Http404 unless `user` may read it."""
    letter = _letters().select_related("route").filter(pk=pk).first()
    if letter is None or not can_read_letter(user, letter):
        raise Http404
    letter.measures = list(SupportMeasure.objects.filter(route_id=letter.route_id).order_by("order", "pk"))
    return letter
