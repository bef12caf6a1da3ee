"""Writes of the exam arrangements (issue #22, item 1).

Sessions are entered one by one (the course's lecturer or the exam office) or imported from a timetable (CSV, XLSX
or .ics, parsed in routes/exam_import.py): an import is all or nothing. For each session the system proposes an
arrangement to every student whose route is in force and has exam measures; the centre confirms (or adjusts) and
books a room and an invigilator. Booking locks the room, the invigilator and the student rows, in that order, and
then counts what overlaps, so two bookings of the last seat or of the same invigilator at once give one success
and one refusal. Every state change goes through audit.workflow.move() (EXAM_ARRANGEMENT_ALLOWED).
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from audit.workflow import IllegalMove, move
from inclusion_centre.accounts.models import User
from inclusion_centre.history import acting_as
from students.models import AcademicTerm, Course, Student

from .. import permissions
from ..models import ExamArrangement, ExamSession, Room, Route, RouteSection
from ..workflow import EXAM_ARRANGEMENT_ALLOWED
from .exam_notices import tell_booked, tell_cancelled

EA = ExamArrangement.Status
IN_FORCE = (Route.Status.IN_FORCE, Route.Status.UNDER_REVIEW)
MIN_DURATION, MAX_DURATION = 10, 600


# --- Sessions -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    """One exam of a timetable, before it is saved: `line` names it in a refusal."""

    course: Course | None
    starts_at: datetime.datetime | None
    duration: int | None
    form: str
    location: str
    line: int = 0
    course_code: str = ""


def _term_of(day: datetime.date) -> AcademicTerm | None:
    return AcademicTerm.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on").first()


def _check_session(row: SessionRow) -> dict:
    problems = {}
    if row.course is None:
        problems["course"] = _("No course has the code “%(code)s”.") % {"code": row.course_code}
    if row.duration is None or not MIN_DURATION <= row.duration <= MAX_DURATION:
        problems["duration"] = _("Enter a duration from 10 to 600 minutes.")
    if row.form not in ExamSession.Form.values:
        problems["form"] = _("Choose written, oral or on a computer.")
    if row.starts_at is None:
        problems["starts_at"] = _("Enter the date and start time of the exam.")
    elif _term_of(timezone.localtime(row.starts_at).date()) is None:
        problems["starts_at"] = _("The date is in no term of the academic calendar.")
    if len(row.location) > 200:
        problems["location"] = _("Write at most %(max)d characters.") % {"max": 200}
    return problems


def _save_session(row: SessionRow, actor: User, *, skip_duplicate: bool = False) -> ExamSession | None:
    term = _term_of(timezone.localtime(row.starts_at).date())
    if not permissions.can_enter_sessions(actor, row.course.pk, term.pk):
        raise PermissionDenied
    if ExamSession.objects.filter(course=row.course, term=term, starts_at=row.starts_at).exists():
        if skip_duplicate:
            return None
        raise ValidationError(
            {"starts_at": _("This course already has an exam at this time.")}, code="duplicate_session"
        )
    with acting_as(actor):
        return ExamSession.objects.create(
            course=row.course,
            term=term,
            starts_at=row.starts_at,
            duration=row.duration,
            form=row.form,
            location=row.location.strip(),
            entered_by=actor,
        )


@transaction.atomic
def exam_session_add(*, actor: User, row: SessionRow) -> ExamSession:
    """One exam of a course. PermissionDenied unless the exam office or the course's lecturer in that term;
    ValidationError on the fields, or when the course already has an exam at that time."""
    problems = _check_session(row)
    if problems:
        raise ValidationError(problems, code="invalid_session")
    try:
        with transaction.atomic():
            return _save_session(row, actor)
    except IntegrityError as error:  # the unique constraint, when two people enter the same exam at once
        raise ValidationError({"starts_at": _("This course already has an exam at this time.")}) from error


@transaction.atomic
def exam_sessions_import(*, actor: User, rows: Iterable[SessionRow]) -> list[ExamSession]:
    """Save a whole timetable, or nothing: a ValidationError lists every refused line ("Line 4: …"). Lines that
    repeat an exam already entered are skipped, so the same file can be imported twice."""
    if not permissions.is_exam_office(actor):
        raise PermissionDenied
    problems, valid = [], []
    for row in rows:
        found = _check_session(row)
        if found:
            problems.extend(_("Line %(line)d: %(problem)s") % {"line": row.line, "problem": p} for p in found.values())
        else:
            valid.append(row)
    if problems:
        raise ValidationError({"file": problems}, code="invalid_timetable")
    if not valid:
        raise ValidationError({"file": _("The file has no exams in it.")}, code="empty_timetable")
    saved = [_save_session(row, actor, skip_duplicate=True) for row in valid]
    return [session for session in saved if session is not None]


# --- Proposals ----------------------------------------------------------------------------------------------


def exam_times(session: ExamSession, route: Route) -> tuple[datetime.datetime, datetime.datetime]:
    """The student's start and end: the standard duration plus the extra time (rounded up to a minute) plus breaks."""
    minutes = math.ceil(session.duration * (100 + route.exam_extra_time) / 100) + route.exam_rest_breaks
    return session.starts_at, session.starts_at + datetime.timedelta(minutes=minutes)


def _assistant(route: Route) -> str:
    if route.exam_reader and route.exam_scribe:
        return ExamArrangement.Assistant.READER_SCRIBE
    if route.exam_reader:
        return ExamArrangement.Assistant.READER
    if route.exam_scribe:
        return ExamArrangement.Assistant.SCRIBE
    return ExamArrangement.Assistant.NONE


def proposal_for(session: ExamSession, section: RouteSection) -> ExamArrangement:
    route = section.route
    starts_at, ends_at = exam_times(session, route)
    return ExamArrangement(
        session=session,
        section=section,
        student_id=route.application.student_id,
        starts_at=starts_at,
        ends_at=ends_at,
        separate_room=route.exam_separate_room,
        computer=route.exam_assistive_technology or session.form == ExamSession.Form.COMPUTER,
        oral=route.exam_oral,
        assistant=_assistant(route),
    )


def _sections_for(sessions: list[ExamSession]):
    pairs = {(s.course_id, s.term_id) for s in sessions}
    courses = {course for course, _term in pairs}
    terms = {term for _course, term in pairs}
    found = (
        RouteSection.objects.filter(
            course_id__in=courses,
            term_id__in=terms,
            removed_at__isnull=True,
            route__status__in=IN_FORCE,
        )
        .select_related("route__application")
        .order_by("pk")
    )
    by_pair: dict[tuple[int, int], list[RouteSection]] = {}
    for section in found:
        if (section.course_id, section.term_id) in pairs and section.route.has_exam_measures:
            by_pair.setdefault((section.course_id, section.term_id), []).append(section)
    return by_pair


@transaction.atomic
def arrangements_propose(*, actor: User | None, sessions: Iterable[ExamSession], batch_size: int = 1000) -> int:
    """Propose an arrangement for every student of each session whose route is in force with exam measures and who
    has none yet (a second run adds nothing). A few queries for any number of sessions; returns how many are new.
    `actor` None is the system (the management command); a person must be of the centre."""
    if actor is not None and not permissions.can_arrange(actor):
        raise PermissionDenied
    sessions = list(sessions)
    by_pair = _sections_for(sessions)
    have = set(
        ExamArrangement.objects.filter(session__in=sessions)
        .exclude(status=EA.CANCELLED)
        .values_list("session_id", "student_id")
    )
    new = []
    for session in sessions:
        for section in by_pair.get((session.course_id, session.term_id), []):
            proposal = proposal_for(session, section)
            if (session.pk, proposal.student_id) not in have:
                have.add((session.pk, proposal.student_id))
                new.append(proposal)
    with acting_as(actor):
        bulk_create_with_history(new, ExamArrangement, batch_size=batch_size, default_user=actor)
    return len(new)


# --- Confirming, booking, holding, cancelling ---------------------------------------------------------------


def _check_times(starts_at, ends_at) -> None:
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")}, code="times")
    if ends_at - starts_at > datetime.timedelta(hours=12):
        raise ValidationError({"ends_at": _("An exam lasts at most 12 hours.")}, code="times")


@transaction.atomic
def arrangement_confirm(
    *,
    item: ExamArrangement,
    actor: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    separate_room: bool,
    computer: bool,
    assistant: str,
    note: str = "",
) -> ExamArrangement:
    """The centre confirms the proposal, as it is or adjusted. PermissionDenied unless the centre."""
    if not permissions.can_arrange(actor):
        raise PermissionDenied
    _check_times(starts_at, ends_at)
    if assistant not in ExamArrangement.Assistant.values:
        raise ValidationError({"assistant": _("Choose an assistant from the list.")})

    def adjust(locked: ExamArrangement) -> None:
        locked.starts_at, locked.ends_at = starts_at, ends_at
        locked.separate_room, locked.computer, locked.assistant = separate_room, computer, assistant
        locked.note = note.strip()[:500]

    return move(
        instance=item, to_status=EA.CONFIRMED, allowed=EXAM_ARRANGEMENT_ALLOWED, actor=actor, before_save=adjust
    )


def _overlapping(starts_at, ends_at):
    return ExamArrangement.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


def _check_booking(locked: ExamArrangement, room: Room, invigilator: User) -> None:
    """Refuse a room that lacks what the student needs or is full, an invigilator busy in another room, or a
    student who sits another exam at the same time. Runs with the three rows locked."""
    if not room.is_active:
        raise ValidationError({"room": _("This room is no longer in use.")}, code="room")
    if locked.computer and not room.computer:
        raise ValidationError({"room": _("The student needs a computer: choose a room with one.")}, code="room")
    others = _overlapping(locked.starts_at, locked.ends_at).exclude(pk=locked.pk)
    if others.filter(room=room, status=EA.BOOKED).count() >= room.capacity:
        raise IllegalMove(
            _("Room %(room)s is full at this time (%(seats)d seats). Choose another room.")
            % {"room": room.name, "seats": room.capacity},
            code="room_full",
        )
    if others.filter(invigilator=invigilator, status=EA.BOOKED).exclude(room=room).exists():
        raise IllegalMove(
            _("%(name)s already invigilates another exam in another room at this time.")
            % {"name": invigilator.full_name},
            code="invigilator_busy",
        )
    if others.filter(student_id=locked.student_id).exclude(status__in=[EA.CANCELLED, EA.PROPOSED]).exists():
        raise IllegalMove(
            _("The student already has another exam at this time, after extra time. Change the times first."),
            code="student_busy",
        )


@transaction.atomic
def arrangement_book(*, item: ExamArrangement, actor: User, room: Room, invigilator: User) -> ExamArrangement:
    """Book a room and an invigilator for a confirmed arrangement, or change them on a booked one (the notices go
    again with a higher SEQUENCE). PermissionDenied unless the centre; IllegalMove on a double booking."""
    if not permissions.can_arrange(actor):
        raise PermissionDenied
    if not invigilator.is_active:
        raise ValidationError({"invigilator": _("Choose an active member of staff.")}, code="invigilator")
    room = Room.objects.select_for_update().get(pk=room.pk)
    User.objects.select_for_update().filter(pk=invigilator.pk).exists()
    Student.objects.select_for_update().filter(pk=item.student_id).exists()
    locked = ExamArrangement.objects.select_for_update().get(pk=item.pk)
    if locked.status not in {EA.CONFIRMED, EA.BOOKED}:
        raise IllegalMove(
            _("This cannot be done now: the item is “%(current)s”. Reload the page to see its current state.")
            % {"current": locked.get_status_display()},
            code="illegal_move",
        )
    _check_booking(locked, room, invigilator)

    def assign(obj: ExamArrangement) -> None:
        obj.room, obj.invigilator = room, invigilator
        obj.sequence += 1

    if locked.status == EA.CONFIRMED:
        booked = move(
            instance=locked, to_status=EA.BOOKED, allowed=EXAM_ARRANGEMENT_ALLOWED, actor=actor, before_save=assign
        )
    else:
        assign(locked)
        with acting_as(actor):
            locked.save()
        booked = locked
    with acting_as(actor):
        tell_booked(booked.pk)
    return booked


@transaction.atomic
def arrangement_hold(*, item: ExamArrangement, actor: User) -> ExamArrangement:
    """The exam took place as booked."""
    if not permissions.can_arrange(actor):
        raise PermissionDenied
    return move(instance=item, to_status=EA.HELD, allowed=EXAM_ARRANGEMENT_ALLOWED, actor=actor)


@transaction.atomic
def arrangement_cancel(*, item: ExamArrangement, actor: User, reason: str) -> ExamArrangement:
    """Cancel an arrangement not yet held, with a reason; if it was booked, everyone told gets a CANCEL."""
    if not permissions.can_arrange(actor):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the arrangement is cancelled.")}, code="reason_required")
    was_booked = []

    def bump(obj: ExamArrangement) -> None:
        was_booked.append(obj.room_id is not None)  # read under the lock: booked before (held ones cannot move)
        if obj.room_id is not None:
            obj.sequence += 1

    moved = move(
        instance=item,
        to_status=EA.CANCELLED,
        allowed=EXAM_ARRANGEMENT_ALLOWED,
        actor=actor,
        comment=reason,
        before_save=bump,
    )
    if was_booked[0]:
        with acting_as(actor):
            tell_cancelled(moved.pk)
    return moved
