"""Who asks, reads and answers consultations; who reads and edits the guidance notes; who keeps the training.

- A lecturer files consultations about the courses they teach and reads their own; the centre (the centre head and
  every specialist) reads every one. A specialist takes an open request that nobody has taken, and answers the ones
  they took; the centre head answers any. The lecturer withdraws their own open request; the centre head closes one
  with a reason. Students, representatives, the administration and everyone else see none (404).
- The guidance notes are read by the centre, the lecturers and the administration; the centre head edits them.
- The training of staff (events, attendance, the report of untrained lecturers) is kept by the centre.
"""

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role

from ..models import Consultation
from .requests import is_centre_worker

OPEN = Consultation.Status.REQUESTED


def is_lecturer(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.LECTURER)


def can_see_consultation(user: User, item: Consultation) -> bool:
    return is_centre_worker(user) or (user.is_authenticated and item.lecturer_id == user.pk)


def can_take_consultation(user: User, item: Consultation) -> bool:
    return item.status == OPEN and item.taken_by_id is None and user.is_authenticated and user.has_role(Role.SPECIALIST)


def can_answer_consultation(user: User, item: Consultation) -> bool:
    if item.status != OPEN or not user.is_authenticated:
        return False
    if user.has_role(Role.CENTRE_HEAD):
        return True
    return user.has_role(Role.SPECIALIST) and item.taken_by_id == user.pk


def can_withdraw_consultation(user: User, item: Consultation) -> bool:
    return item.status == OPEN and user.is_authenticated and item.lecturer_id == user.pk


def can_close_consultation(user: User, item: Consultation) -> bool:
    return item.status == OPEN and user.is_authenticated and user.has_role(Role.CENTRE_HEAD)


def can_read_guidance(user: User) -> bool:
    return user.is_authenticated and (
        is_centre_worker(user) or user.has_role(Role.LECTURER) or user.has_role(Role.ADMINISTRATION)
    )


def can_edit_guidance(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.CENTRE_HEAD)


def can_keep_training(user: User) -> bool:
    """The centre head and the specialists plan events, record attendance and read the training report."""
    return is_centre_worker(user)
