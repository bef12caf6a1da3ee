"""Reads of the exam sessions and arrangements, each filtered to what the user may see (routes/permissions/exams.py)
with what the page shows joined in. Nothing here reads the route: the exam office and the lecturers see times,
rooms and assistants, never the measures' reasons."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import Course, TeachingAssignment

from .. import permissions
from ..models import ExamArrangement, ExamSession, Room

ARRANGEMENT_JOINS = ("session__course", "student__user", "room", "invigilator", "section__lecturer")


def _taught(user: User) -> QuerySet:
    return TeachingAssignment.objects.filter(lecturer=user).values_list("course_id", "term_id")


def _lecturer_q(user: User, prefix: str = "") -> Q:
    pairs = list(_taught(user))
    q = Q(pk__in=[])
    for course_id, term_id in pairs:
        q |= Q(**{f"{prefix}course_id": course_id, f"{prefix}term_id": term_id})
    return q


def visible_sessions(user: User) -> QuerySet[ExamSession]:
    """The sessions the user may see, soonest first, with how many arrangements are active."""
    items = ExamSession.objects.select_related("course", "term").annotate(
        arranged=Count("arrangements", filter=~Q(arrangements__status=ExamArrangement.Status.CANCELLED))
    )
    if not permissions.sees_all_exams(user):
        items = items.filter(_lecturer_q(user))
    return items.order_by("starts_at", "pk")


def session_for(user: User, pk: int) -> ExamSession:
    item = ExamSession.objects.select_related("course", "term").filter(pk=pk).first()
    if item is None or not permissions.can_see_session(user, item):
        raise Http404
    return item


def session_arrangements(session: ExamSession) -> QuerySet[ExamArrangement]:
    return session.arrangements.select_related(*ARRANGEMENT_JOINS).order_by("starts_at", "pk")


def arrangement_for(user: User, pk: int) -> ExamArrangement:
    item = ExamArrangement.objects.select_related(*ARRANGEMENT_JOINS, "session__term").filter(pk=pk).first()
    if item is None or not permissions.can_see_arrangement(user, item):
        raise Http404
    return item


def day_arrangements(user: User, day: datetime.date) -> QuerySet[ExamArrangement]:
    """Every arranged (confirmed, booked or held) exam starting on `day` the user may see, by room and time: all of
    them for the centre and the exam office, the lecturer's own courses' for a lecturer, none for anyone else."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    items = ExamArrangement.objects.filter(
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
        status__in=[ExamArrangement.Status.CONFIRMED, ExamArrangement.Status.BOOKED, ExamArrangement.Status.HELD],
    ).select_related(*ARRANGEMENT_JOINS)
    if not permissions.sees_all_exams(user):
        if not (user.is_authenticated and user.has_role(Role.LECTURER)):
            return items.none()
        items = items.filter(_lecturer_q(user, "session__"))
    return items.order_by("room__name", "starts_at", "pk")


def rooms() -> QuerySet[Room]:
    return Room.objects.filter(is_active=True).order_by("name")


def invigilators() -> QuerySet[User]:
    """Who may invigilate: active centre specialists and the exam office's staff."""
    roles = [Role.SPECIALIST.value, Role.EXAM_OFFICE.value, Role.CENTRE_HEAD.value]
    return User.objects.filter(groups__name__in=roles, is_active=True).distinct().order_by("full_name")


def session_courses(user: User) -> QuerySet[Course]:
    """The courses the user may enter sessions for: every course for the exam office, the taught ones otherwise."""
    if permissions.is_exam_office(user):
        return Course.objects.order_by("code")
    return Course.objects.filter(pk__in=[course for course, _term in _taught(user)]).order_by("code")
