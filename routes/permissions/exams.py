"""Who enters exam sessions, who arranges and books, who sees which arrangements.

- The exam office enters and imports every course's sessions and sees every arrangement — times, rooms and
  assistants, never the route or its reasons.
- A lecturer enters the sessions of the courses they teach in the term, and sees the arrangements of those only.
- The centre (the centre head and every specialist) proposes, confirms, books, marks held and cancels.
- A student sees their own arrangements; an invigilator the ones they invigilate. Everyone else: 404.
"""

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import TeachingAssignment

from ..models import ExamArrangement, ExamSession
from .requests import is_centre_worker


def is_exam_office(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.EXAM_OFFICE)


def can_arrange(user: User) -> bool:
    """Proposes, confirms, books, cancels: the centre."""
    return is_centre_worker(user)


def sees_all_exams(user: User) -> bool:
    return is_centre_worker(user) or is_exam_office(user)


def teaches(user: User, course_id: int, term_id: int) -> bool:
    return (
        user.is_authenticated
        and user.has_role(Role.LECTURER)
        and TeachingAssignment.objects.filter(lecturer=user, course_id=course_id, term_id=term_id).exists()
    )


def can_enter_sessions(user: User, course_id: int, term_id: int) -> bool:
    return is_exam_office(user) or teaches(user, course_id, term_id)


def can_see_session(user: User, session: ExamSession) -> bool:
    return sees_all_exams(user) or teaches(user, session.course_id, session.term_id)


def can_see_arrangement(user: User, item: ExamArrangement) -> bool:
    if not user.is_authenticated:
        return False
    if sees_all_exams(user) or item.invigilator_id == user.pk or item.student.user_id == user.pk:
        return True
    return teaches(user, item.session.course_id, item.session.term_id)
