"""Reads of the consultations, the guidance notes and the training of staff: each already filtered to what the user
may see, with what a page shows joined in, so no list makes a query per row."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import StatusChange
from inclusion_centre.accounts.grants import granted
from inclusion_centre.accounts.models import User
from students.models import Course, Faculty, Student

from .. import permissions
from ..models import (
    Adaptation,
    ConclusionItem,
    Consultation,
    GuidanceNote,
    Route,
    RouteSection,
    TrainingAttendance,
    TrainingEvent,
)

CS = Consultation.Status
# The route versions a lecturer works under: a question may name a student whose route they were asked to agree.
LIVE_ROUTES = (
    Route.Status.IN_AGREEMENT,
    Route.Status.IN_APPROVAL,
    Route.Status.IN_FORCE,
    Route.Status.UNDER_REVIEW,
)
IN_FORCE = (Route.Status.IN_FORCE, Route.Status.UNDER_REVIEW)


def lecturer_courses(user: User) -> QuerySet[Course]:
    """The courses `user` teaches (in any term)."""
    return Course.objects.filter(teaching_assignments__lecturer=user).distinct().order_by("code", "pk")


def lecturer_students(user: User) -> QuerySet[Student]:
    """The students whose live route `user` may read (asked to agree a section of it: the view_route grant)."""
    routes = granted(user, "routes.view_route", Route.objects.filter(status__in=LIVE_ROUTES))
    return (
        Student.objects.filter(applications__routes__in=routes)
        .select_related("user")
        .distinct()
        .order_by("user__full_name", "pk")
    )


def mark_overdue(items, today: datetime.date | None = None):
    """Set `is_overdue` on each loaded request (no query); returns the same items."""
    today = today or timezone.localdate()
    for item in items:
        item.is_overdue = item.status == CS.REQUESTED and item.due_on < today
    return items


_JOINED = ("lecturer", "course", "student__user", "taken_by", "answered_by")


def own_consultations(user: User) -> QuerySet[Consultation]:
    return Consultation.objects.filter(lecturer=user).select_related(*_JOINED).order_by("-requested_at", "-pk")


def consultation_queue(*, status: str = "", mine: bool = False, user: User | None = None) -> QuerySet[Consultation]:
    """The centre's queue: every request (in `status` when given, the open ones by default; only those taken by
    `user` with `mine`), the oldest deadline first. Only for centre staff: the view checks is_centre_worker."""
    items = Consultation.objects.select_related(*_JOINED).filter(status=status or CS.REQUESTED)
    if mine and user is not None:
        items = items.filter(taken_by=user)
    return items.order_by("due_on", "pk")


def consultation_for(user: User, pk: int) -> Consultation:
    item = Consultation.objects.select_related(*_JOINED).filter(pk=pk).first()
    if item is None or not permissions.can_see_consultation(user, item):
        raise Http404
    return item


def consultation_timeline(item: Consultation) -> list:
    labels = dict(CS.choices)
    changes = list(
        StatusChange.objects.filter(
            content_type__app_label="routes", content_type__model="consultation", object_id=item.pk
        )
        .select_related("actor")
        .order_by("pk")
    )
    for change in changes:
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes


def open_for_centre_worker(user: User):
    """Open requests the specialist may answer (taken by them or by nobody), for the work list; one query."""
    return (
        Consultation.objects.filter(status=CS.REQUESTED)
        .filter(Q(taken_by__isnull=True) | Q(taken_by=user))
        .select_related("lecturer", "course")
    )


# --- Guidance notes -----------------------------------------------------------------------------------------


def guidance_library() -> list[Adaptation]:
    """Every adaptation in use with its note (or None) as `note`, in the catalogue's order; two queries."""
    adaptations = list(Adaptation.objects.filter(is_active=True).order_by("group", "order", "code"))
    notes = {note.adaptation_id: note for note in GuidanceNote.objects.filter(adaptation__in=adaptations)}
    for adaptation in adaptations:
        adaptation.note = notes.get(adaptation.pk)
    return adaptations


def adaptation_for(pk: int) -> Adaptation:
    adaptation = Adaptation.objects.filter(pk=pk).first()
    if adaptation is None:
        raise Http404
    adaptation.note = GuidanceNote.objects.select_related("updated_by").filter(adaptation=adaptation).first()
    return adaptation


def route_guidance(route: Route) -> list[GuidanceNote]:
    """The guidance notes of the adaptations the route's conclusion recommends, for the lecturers' sections; one
    query."""
    items = ConclusionItem.objects.filter(conclusion_id=route.conclusion_id, adaptation__isnull=False)
    return list(
        GuidanceNote.objects.filter(adaptation__in=items.values("adaptation"))
        .select_related("adaptation")
        .order_by("adaptation__group", "adaptation__order", "adaptation__code")
    )


# --- Training of staff ------------------------------------------------------------------------------------


def training_events(*, status: str = "") -> QuerySet[TrainingEvent]:
    events = TrainingEvent.objects.annotate(attendees=Count("attendances"))
    if status:
        events = events.filter(status=status)
    return events.order_by("-held_on", "-pk")


def training_event_for(pk: int) -> TrainingEvent:
    event = TrainingEvent.objects.select_related("created_by").filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def attendances_of(event: TrainingEvent) -> list[TrainingAttendance]:
    return list(event.attendances.select_related("user", "recorded_by").order_by("user__full_name", "pk"))


@dataclass
class UntrainedRow:
    faculty: Faculty | None
    lecturer: User
    students: int


def untrained_lecturers(
    *, years: int | None = None, faculty: Faculty | None = None, today: datetime.date | None = None
) -> list[UntrainedRow]:
    """Per faculty (of the students' programmes), the lecturers of course sections of routes in force who attended
    no held training event in the last `years` years (settings.TRAINING_VALID_YEARS); with how many such students
    they teach. Three queries, whatever the number of rows."""
    today = today or timezone.localdate()
    years = years or settings.TRAINING_VALID_YEARS
    since = today - datetime.timedelta(days=round(365.25 * years))
    trained = TrainingAttendance.objects.filter(
        user=OuterRef("lecturer"), event__status=TrainingEvent.Status.HELD, event__held_on__gte=since
    )
    sections = RouteSection.objects.filter(removed_at__isnull=True, route__status__in=IN_FORCE).filter(~Exists(trained))
    if faculty is not None:
        sections = sections.filter(route__application__student__programme__faculty=faculty)
    rows = (
        sections.values("route__application__student__programme__faculty", "lecturer")
        .annotate(students=Count("route__application__student", distinct=True))
        .order_by()
    )
    rows = list(rows)
    faculties = Faculty.objects.in_bulk(
        {row["route__application__student__programme__faculty"] for row in rows} - {None}
    )
    lecturers = User.objects.in_bulk({row["lecturer"] for row in rows})
    result = [
        UntrainedRow(
            faculty=faculties.get(row["route__application__student__programme__faculty"]),
            lecturer=lecturers[row["lecturer"]],
            students=row["students"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (r.faculty.name if r.faculty else "", r.lecturer.full_name, r.lecturer.pk))
