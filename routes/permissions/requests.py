"""Who sees and who answers service requests, and who lends equipment.

A student sees their own requests and files new ones; the centre (the centre head and every specialist) sees all of
them and files on a student's behalf; the owner of a kind's queue and the centre head answer them. Lecturers, the
administration and everyone else see none (404).
"""

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role

from ..models import ServiceRequest


def is_centre_worker(user: User) -> bool:
    """The centre head or a centre specialist: sees every request and the equipment, lends and takes back."""
    return user.is_authenticated and (user.has_role(Role.CENTRE_HEAD) or user.has_role(Role.SPECIALIST))


def own_student(user: User):
    """The user's own Student record, or None (staff, representatives, anyone else)."""
    if not user.is_authenticated:
        return None
    try:
        return user.student
    except User.student.RelatedObjectDoesNotExist:
        return None


def can_see_request(user: User, item: ServiceRequest) -> bool:
    return is_centre_worker(user) or (user.is_authenticated and item.student.user_id == user.pk)


def can_answer_request(user: User, item: ServiceRequest, owner_id: int | None) -> bool:
    """The centre head, or the specialist who owns the kind's queue (any specialist while it has no owner), while
    the request is not finished."""
    if item.status in {ServiceRequest.Status.PROVIDED, ServiceRequest.Status.REFUSED}:
        return False
    if user.has_role(Role.CENTRE_HEAD):
        return True
    return user.has_role(Role.SPECIALIST) and owner_id in {None, user.pk}
