"""Who keeps the register of external organisations and writes letters to them about a case.

The register: the centre (its head and every specialist). A case's letters: written and read by the centre staff
working on the case (the head, the specialists assigned to it); the student and their legal representatives read
the letters sent about their own case. Lecturers, the administration and everyone else see none (404).
"""

from inclusion_centre.accounts.models import User
from students.models import Application

from ..models import PartnerLetter
from .requests import is_centre_worker
from .route import is_route_author


def can_keep_register(user: User) -> bool:
    return is_centre_worker(user)


def can_write_letters(user: User, application: Application) -> bool:
    """The centre staff working on a submitted case that is not anonymised."""
    return (
        is_centre_worker(user)
        and application.anonymised_at is None
        and not application.is_unsubmitted
        and is_route_author(user, application)
    )


def can_read_letter(user: User, letter: PartnerLetter) -> bool:
    from students import permissions as application_permissions

    if not user.is_authenticated:
        return False
    if is_centre_worker(user) and is_route_author(user, letter.application):
        return True
    return letter.status != PartnerLetter.Status.DRAFT and application_permissions.is_applicant_side(
        user, letter.application
    )
