"""Who files, sees, reviews and assigns appeals (regulation §8).

The applicant side (the student and their legal representatives) files an appeal against a decision on their own
case, sees it and may withdraw it while it is open. The reviewer assigned to it takes it up and answers it; the
centre head sees every appeal and chooses (or changes) the reviewer. A reviewer holds the power to review (the
centre head or the administration) and is never the author of the decision appealed. Everyone else: 404.
"""

from inclusion_centre.accounts.grants import granted
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import Student
from students.permissions import is_applicant_side

from ..models import Appeal

REVIEWER_ROLES = (Role.CENTRE_HEAD, Role.ADMINISTRATION)


def may_review(user: User) -> bool:
    """The power to review appeals: the centre head or the administration (the regulation's "head of the centre or
    the university's management")."""
    return user.is_authenticated and user.is_active and any(user.has_role(role) for role in REVIEWER_ROLES)


def manages_appeals(user: User) -> bool:
    """The centre head: sees every appeal and assigns reviewers."""
    return user.is_authenticated and user.has_role(Role.CENTRE_HEAD)


def is_appellant_side(user: User, appeal: Appeal) -> bool:
    return user.is_authenticated and is_applicant_side(user, appeal.application)


def can_see_appeal(user: User, appeal: Appeal) -> bool:
    if not user.is_authenticated:
        return False
    return appeal.reviewer_id == user.pk or manages_appeals(user) or is_appellant_side(user, appeal)


def can_review_appeal(user: User, appeal: Appeal) -> bool:
    """The assigned reviewer, while the appeal is open, when they did not make the decision."""
    return (
        appeal.status in Appeal.OPEN
        and appeal.reviewer_id == user.pk
        and appeal.decided_by_id != user.pk
        and may_review(user)
    )


def can_withdraw_appeal(user: User, appeal: Appeal) -> bool:
    return appeal.status in Appeal.OPEN and is_appellant_side(user, appeal)


def can_assign_reviewer(user: User, appeal: Appeal) -> bool:
    return appeal.status in Appeal.OPEN and manages_appeals(user)


def is_student_or_representative(user: User) -> bool:
    """Has a "my appeals" page: a student, or the legal representative of at least one student."""
    if not user.is_authenticated:
        return False
    if hasattr(user, "student"):
        return True
    return granted(user, "students.act_for_student", Student.objects.all()).exists()
