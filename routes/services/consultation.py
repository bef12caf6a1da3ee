"""Writes of the consultations for lecturers, the guidance notes and the training of staff.

A lecturer files a question about a course they teach (optionally about a student of theirs with a route); it is due
within settings.DEADLINE_WORKING_DAYS["answer_consultation"] working days. A specialist takes it, then answers it
through audit.workflow.move() (CONSULTATION_ALLOWED); the lecturer is told. A training event is planned, then held
(TRAINING_ALLOWED) and its attendance recorded with each attendee's certificate number.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.workflow import IllegalMove, move
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify, notify_many
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from inclusion_centre.workdays import add_working_days
from students.models import Course, Student

from .. import permissions
from ..models import Adaptation, Consultation, GuidanceNote, TrainingAttendance, TrainingEvent
from ..selectors.consultation import lecturer_courses, lecturer_students
from ..workflow import CONSULTATION_ALLOWED, TRAINING_ALLOWED

CS = Consultation.Status
TE = TrainingEvent.Status
QUESTION_MAX_LENGTH = 4000
ANSWER_MAX_LENGTH = 8000
REASON_MAX_LENGTH = 2000


def _too_long(limit: int) -> str:
    return _("Write at most %(max)d characters.") % {"max": limit}


@transaction.atomic
def consultation_request(*, actor: User, course: Course, question: str, student: Student | None = None) -> Consultation:
    """File the lecturer's question about `course` (one they teach), optionally about `student` (one of theirs with
    a route). PermissionDenied unless the actor is a lecturer; ValidationError on the fields."""
    if not permissions.is_lecturer(actor):
        raise PermissionDenied
    question = question.strip()
    problems = {}
    if not lecturer_courses(actor).filter(pk=course.pk).exists():
        problems["course"] = _("Choose one of the courses you teach.")
    if student is not None and not lecturer_students(actor).filter(pk=student.pk).exists():
        problems["student"] = _("Choose one of your students with a route.")
    if not question:
        problems["question"] = _("Write your question.")
    elif len(question) > QUESTION_MAX_LENGTH:
        problems["question"] = _too_long(QUESTION_MAX_LENGTH)
    if problems:
        raise ValidationError(problems, code="invalid_consultation")
    days = settings.DEADLINE_WORKING_DAYS["answer_consultation"]
    with acting_as(actor):
        item = Consultation.objects.create(
            lecturer=actor,
            course=course,
            student=student,
            question=question,
            due_on=add_working_days(timezone.localdate(), days),
        )
        heads = User.objects.filter(groups__name=Role.CENTRE_HEAD, is_active=True)
        notify_many(
            recipients=list(heads),
            kind="consultation_new",
            subject=gettext_noop("A lecturer asks the centre for a consultation"),
            body=gettext_noop("A consultation about %(course)s is waiting; it is to be answered by %(due)s."),
            context={"course": str(course), "due": item.due_on.strftime("%d.%m.%Y")},
            url=item.get_absolute_url(),
            dedup_key=f"consultation_new:{item.pk}",
        )
    return item


def _locked(item: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def consultation_take(*, item: Consultation, actor: User) -> Consultation:
    """A specialist takes an open request nobody has taken. PermissionDenied for anyone else; IllegalMove when it
    was answered, closed or taken by someone else meanwhile."""
    if not permissions.is_centre_worker(actor):
        raise PermissionDenied
    locked = _locked(item)
    if not permissions.can_take_consultation(actor, locked):
        raise IllegalMove(
            _("This request was answered, closed or taken by someone else. Reload the page to see who has it."),
            code="taken",
        )
    locked.taken_by = actor
    with acting_as(actor):
        locked.save(update_fields=["taken_by"])
    return locked


@transaction.atomic
def consultation_answer(*, item: Consultation, actor: User, answer: str) -> Consultation:
    """Record the centre's answer and tell the lecturer. PermissionDenied unless the actor took the request (or is
    the centre head); ValidationError without an answer; IllegalMove when it is no longer waiting."""
    if not permissions.is_centre_worker(actor):
        raise PermissionDenied
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")}, code="answer_required")
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError({"answer": _too_long(ANSWER_MAX_LENGTH)}, code="too_long")

    def fill(locked: Consultation) -> None:
        if not actor.has_role(Role.CENTRE_HEAD) and locked.taken_by_id != actor.pk:
            raise PermissionDenied  # taken over by someone else since the page was read
        locked.answer = answer
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.taken_by = locked.taken_by or actor

    moved = move(instance=item, to_status=CS.ANSWERED, allowed=CONSULTATION_ALLOWED, actor=actor, before_save=fill)
    with acting_as(actor):
        notify(
            recipient=item.lecturer,
            kind="consultation_answered",
            subject=gettext_noop("The centre answered your consultation request"),
            body=gettext_noop("The centre answered your question about %(course)s. Open the request to read it."),
            context={"course": str(item.course)},
            url=item.get_absolute_url(),
            dedup_key=f"consultation_answered:{item.pk}",
        )
    return moved


@transaction.atomic
def consultation_close(*, item: Consultation, actor: User, reason: str = "") -> Consultation:
    """The lecturer withdraws their open request, or the centre head closes it with a reason (the lecturer is
    told). PermissionDenied for anyone else; IllegalMove when it is no longer waiting."""
    own = item.lecturer_id == actor.pk
    if not own and not actor.has_role(Role.CENTRE_HEAD):
        raise PermissionDenied
    reason = reason.strip()
    if not own and not reason:
        raise ValidationError({"reason": _("Say why the request is closed.")}, code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _too_long(REASON_MAX_LENGTH)}, code="too_long")

    def fill(locked: Consultation) -> None:
        locked.closed_reason = reason

    moved = move(
        instance=item, to_status=CS.CLOSED, allowed=CONSULTATION_ALLOWED, actor=actor, comment=reason, before_save=fill
    )
    if not own:
        with acting_as(actor):
            notify(
                recipient=item.lecturer,
                kind="consultation_closed",
                subject=gettext_noop("Your consultation request was closed"),
                body=gettext_noop("The centre closed your request about %(course)s. Reason: %(reason)s"),
                context={"course": str(item.course), "reason": reason},
                url=item.get_absolute_url(),
                dedup_key=f"consultation_closed:{item.pk}",
            )
    return moved


# --- Guidance notes -----------------------------------------------------------------------------------------


@transaction.atomic
def guidance_note_save(*, adaptation: Adaptation, actor: User, texts: dict[str, str]) -> GuidanceNote:
    """Write the guidance note of `adaptation` (created on first save): `texts` holds title_<lang> and body_<lang>
    for kk, ru, en, ky; the Kazakh ones are required. PermissionDenied unless the centre head."""
    if not permissions.can_edit_guidance(actor):
        raise PermissionDenied
    texts = {key: (value or "").strip() for key, value in texts.items()}
    problems = {}
    if not texts.get("title_kk"):
        problems["title_kk"] = _("Write the title in Kazakh.")
    if not texts.get("body_kk"):
        problems["body_kk"] = _("Write the text in Kazakh.")
    if problems:
        raise ValidationError(problems, code="required")
    note = GuidanceNote.objects.select_for_update().filter(adaptation=adaptation).first() or GuidanceNote(
        adaptation=adaptation
    )
    for language in ("kk", "ru", "en", "ky"):
        setattr(note, f"title_{language}", texts.get(f"title_{language}", "")[:200])
        setattr(note, f"body_{language}", texts.get(f"body_{language}", ""))
    note.updated_by = actor
    with acting_as(actor):
        note.save()
    return note


# --- Training of staff ------------------------------------------------------------------------------------

HOURS_MAX = 500
TRAINING_YEARS_BACK = 10


def _check_event(*, title: str, held_on: datetime.date, hours: int, organiser: str) -> None:
    problems = {}
    if not title:
        problems["title"] = _("Write the title.")
    if not organiser:
        problems["organiser"] = _("Write who organises it.")
    if not 1 <= hours <= HOURS_MAX:
        problems["hours"] = _("Enter a number of hours from 1 to %(max)d.") % {"max": HOURS_MAX}
    today = timezone.localdate()
    if abs((held_on - today).days) > TRAINING_YEARS_BACK * 366:
        problems["held_on"] = _("Enter a date within ten years of today.")
    if problems:
        raise ValidationError(problems, code="invalid_event")


@transaction.atomic
def training_event_plan(
    *, actor: User, title: str, kind: str, held_on: datetime.date, hours: int, organiser: str
) -> TrainingEvent:
    """Record a seminar or course. PermissionDenied unless centre staff; ValidationError on the fields."""
    if not permissions.can_keep_training(actor):
        raise PermissionDenied
    title, organiser = title.strip(), organiser.strip()
    _check_event(title=title, held_on=held_on, hours=hours, organiser=organiser)
    with acting_as(actor):
        return TrainingEvent.objects.create(
            title=title, kind=kind, held_on=held_on, hours=hours, organiser=organiser, created_by=actor
        )


@transaction.atomic
def training_event_move(*, event: TrainingEvent, actor: User, to_status: str, comment: str = "") -> TrainingEvent:
    """Mark a planned event held (not before its date) or cancelled. PermissionDenied unless centre staff;
    IllegalMove when it is no longer planned; ValidationError for an event held in the future."""
    if not permissions.can_keep_training(actor):
        raise PermissionDenied
    if to_status == TE.HELD and event.held_on > timezone.localdate():
        raise ValidationError(
            {"to_status": _("An event cannot be marked held before its date.")}, code="held_in_future"
        )
    if len(comment) > REASON_MAX_LENGTH:
        raise ValidationError({"comment": _too_long(REASON_MAX_LENGTH)}, code="too_long")
    return move(instance=event, to_status=to_status, allowed=TRAINING_ALLOWED, actor=actor, comment=comment.strip())


@transaction.atomic
def training_attendance_add(
    *, event: TrainingEvent, actor: User, attendee: User, certificate_number: str = ""
) -> TrainingAttendance:
    """Record that `attendee` (a member of staff) attended a held event, with their certificate's number.
    PermissionDenied unless centre staff; IllegalMove unless the event is held; ValidationError when the person is
    not staff, is already recorded, or the certificate number is taken."""
    if not permissions.can_keep_training(actor):
        raise PermissionDenied
    locked = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    if locked.status != TE.HELD:
        raise IllegalMove(_("Attendance is recorded once the event is held."), code="not_held")
    certificate_number = certificate_number.strip()
    problems = {}
    staff_roles = {Role.LECTURER, Role.SPECIALIST, Role.CENTRE_HEAD, Role.ADMINISTRATION}
    if not attendee.is_active or not set(attendee.roles) & staff_roles:
        problems["attendee"] = _("Choose a member of staff.")
    elif locked.attendances.filter(user=attendee).exists():
        problems["attendee"] = _("This person is already recorded as attending.")
    if certificate_number and TrainingAttendance.objects.filter(certificate_number=certificate_number).exists():
        problems["certificate_number"] = _("This certificate number is already recorded.")
    if problems:
        raise ValidationError(problems, code="invalid_attendance")
    try:
        with transaction.atomic(), acting_as(actor):
            return TrainingAttendance.objects.create(
                event=locked, user=attendee, certificate_number=certificate_number, recorded_by=actor
            )
    except IntegrityError as error:  # a second writer at the same moment
        raise ValidationError(
            {"certificate_number": _("This certificate number is already recorded.")}, code="duplicate"
        ) from error


@transaction.atomic
def training_attendance_remove(*, attendance: TrainingAttendance, actor: User) -> None:
    """Remove an attendance recorded by mistake (the history keeps it). PermissionDenied unless centre staff."""
    if not permissions.can_keep_training(actor):
        raise PermissionDenied
    with acting_as(actor):
        attendance.delete()
