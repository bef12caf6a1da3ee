"""Who reads and acknowledges a letter of accommodations.

The lecturer it is addressed to reads it and acknowledges it while it waits; the centre head (who sees every route)
follows every letter. Nobody else sees it: the letter names a student's accommodations, never their health reasons.
"""

from inclusion_centre.accounts.models import User

from ..models import AccommodationLetter


def sees_all_letters(user: User) -> bool:
    return user.has_perm("routes.manage_route")


def can_read_letter(user: User, letter: AccommodationLetter) -> bool:
    return letter.lecturer_id == user.pk or sees_all_letters(user)


def can_acknowledge_letter(user: User, letter: AccommodationLetter) -> bool:
    return letter.lecturer_id == user.pk and letter.status == AccommodationLetter.Status.SENT
