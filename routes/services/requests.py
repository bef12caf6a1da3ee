"""Writes of the service requests and of the equipment the centre lends.

A request is filed by the student or by the centre on their behalf, lands in its kind's queue with a deadline in
working days, and moves through audit.workflow.move() (SERVICE_REQUEST_ALLOWED); the student, and whoever filed it,
are told of every move. Lending locks the item's row, so two members of staff lending the same item at once cannot
both succeed; the database's unique constraint on open loans is the second guard.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.workflow import IllegalMove, move
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify, notify_many
from inclusion_centre.history import acting_as
from inclusion_centre.workdays import add_working_days
from students.models import Course, Student

from .. import permissions
from ..models import Equipment, EquipmentLoan, ServiceKind, ServiceQueue, ServiceRequest
from ..workflow import SERVICE_REQUEST_ALLOWED

SR = ServiceRequest.Status
DETAILS_MAX_LENGTH = 2000
LOAN_MAX_DAYS = 366
# A kind whose queue row is missing (it never is after the migration) gets the model's default.
DEFAULT_DEADLINE_DAYS = 3


def _check_request(*, student: Student, course: Course | None, needed_on: datetime.date | None, details: str) -> None:
    problems = {}
    if needed_on is not None and needed_on < timezone.localdate():
        problems["needed_on"] = _("The date cannot be in the past.")
    if course is not None and not student.enrolments.filter(course=course).exists():
        problems["course"] = _("Choose one of the student's courses.")
    if len(details) > DETAILS_MAX_LENGTH:
        problems["details"] = _("Write at most %(max)d characters.") % {"max": DETAILS_MAX_LENGTH}
    if problems:
        raise ValidationError(problems, code="invalid_request")


@transaction.atomic
def service_request_create(
    *,
    actor: User,
    student: Student,
    kind: str,
    course: Course | None = None,
    needed_on: datetime.date | None = None,
    details: str = "",
) -> ServiceRequest:
    """File a request of `kind` for `student`, due within the queue's working days; tells the queue's owner.
    PermissionDenied unless the actor is the student or centre staff; ValidationError on the fields."""
    if actor.pk != student.user_id and not permissions.is_centre_worker(actor):
        raise PermissionDenied
    details = details.strip()
    _check_request(student=student, course=course, needed_on=needed_on, details=details)
    queue = ServiceQueue.objects.select_related("owner").filter(kind=kind).first()
    days = queue.deadline_days if queue is not None else DEFAULT_DEADLINE_DAYS
    with acting_as(actor):
        item = ServiceRequest.objects.create(
            student=student,
            kind=kind,
            course=course,
            needed_on=needed_on,
            details=details,
            requested_by=actor,
            due_on=add_working_days(timezone.localdate(), days),
        )
        if queue is not None and queue.owner is not None and queue.owner.is_active:
            notify(
                recipient=queue.owner,
                kind="service_request_new",
                subject=gettext_noop("A new service request is waiting"),
                body=gettext_noop("A new request (%(kind)s) is in your queue; it is to be answered by %(due)s."),
                context={"kind": ServiceKind(item.kind).label, "due": item.due_on.strftime("%d.%m.%Y")},
                url=item.get_absolute_url(),
                dedup_key=f"service_request_new:{item.pk}:{queue.owner.pk}",
            )
    return item


def _tell_requester(item: ServiceRequest, actor: User) -> None:
    recipients = [item.student.user, item.requested_by]
    body = gettext_noop("Your request (%(kind)s) is now “%(status)s”.")
    if item.status == SR.SCHEDULED:
        body = gettext_noop("Your request (%(kind)s) is now “%(status)s”: %(date)s.")
    elif item.status == SR.REFUSED:
        body = gettext_noop("Your request (%(kind)s) is now “%(status)s”. Reason: %(reason)s")
    notify_many(
        recipients=[person for person in recipients if person.pk != actor.pk and person.is_active],
        kind="service_request_moved",
        subject=gettext_noop("Your service request has changed"),
        body=body,
        context={
            "kind": ServiceKind(item.kind).label,
            "status": SR(item.status).label,
            "date": item.scheduled_for.strftime("%d.%m.%Y") if item.scheduled_for else "",
            "reason": item.refusal_reason,
        },
        url=item.get_absolute_url(),
        dedup_key=f"service_request_moved:{item.pk}:{item.status}",
    )


@transaction.atomic
def service_request_move(
    *,
    item: ServiceRequest,
    actor: User,
    to_status: str,
    reason: str = "",
    scheduled_for: datetime.date | None = None,
) -> ServiceRequest:
    """Move a request (accept, schedule for a date, mark provided, refuse with a reason) and tell the requester.
    PermissionDenied unless the actor answers this kind's queue; IllegalMove when the request is no longer in a
    state for it; ValidationError when a refusal has no reason or a schedule no date (or one in the past)."""
    owner_id = ServiceQueue.objects.filter(kind=item.kind).values_list("owner_id", flat=True).first()
    if not permissions.can_answer_request(actor, item, owner_id):
        raise PermissionDenied
    reason = reason.strip()
    if to_status == SR.REFUSED and not reason:
        raise ValidationError({"reason": _("Say why the request is refused.")}, code="reason_required")
    if len(reason) > DETAILS_MAX_LENGTH:
        raise ValidationError({"reason": _("Write at most %(max)d characters.") % {"max": DETAILS_MAX_LENGTH}})
    if to_status == SR.SCHEDULED:
        if scheduled_for is None:
            raise ValidationError({"scheduled_for": _("Enter the date it is scheduled for.")}, code="date_required")
        if scheduled_for < timezone.localdate():
            raise ValidationError({"scheduled_for": _("The date cannot be in the past.")}, code="date_past")

    def fill(locked: ServiceRequest) -> None:
        if to_status == SR.REFUSED:
            locked.refusal_reason = reason
        if to_status == SR.SCHEDULED:
            locked.scheduled_for = scheduled_for

    moved = move(
        instance=item,
        to_status=to_status,
        allowed=SERVICE_REQUEST_ALLOWED,
        actor=actor,
        comment=reason,
        before_save=fill,
    )
    moved = ServiceRequest.objects.select_related("student__user", "requested_by").get(pk=moved.pk)
    with acting_as(actor):
        _tell_requester(moved, actor)
    return moved


# --- Equipment ----------------------------------------------------------------------------------------------


def _on_loan_error() -> IllegalMove:
    return IllegalMove(
        _("This item is already on loan. Reload the page to see who has it; it can be lent again once returned."),
        code="on_loan",
    )


@transaction.atomic
def equipment_lend(*, equipment: Equipment, actor: User, borrower: Student, due_on: datetime.date) -> EquipmentLoan:
    """Lend `equipment` to `borrower` until `due_on`. PermissionDenied unless centre staff; IllegalMove when the
    item is on loan (also when another lender took it a moment ago) or needs repair; ValidationError on the date."""
    if not permissions.is_centre_worker(actor):
        raise PermissionDenied
    today = timezone.localdate()
    if due_on < today or due_on > today + datetime.timedelta(days=LOAN_MAX_DAYS):
        raise ValidationError(
            {"due_on": _("Enter a return date from today to %(days)d days ahead.") % {"days": LOAN_MAX_DAYS}},
            code="due_on",
        )
    locked = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if locked.condition == Equipment.Condition.REPAIR:
        raise IllegalMove(_("This item needs repair and cannot be lent."), code="needs_repair")
    if EquipmentLoan.objects.filter(equipment=locked, returned_on__isnull=True).exists():
        raise _on_loan_error()
    try:
        with transaction.atomic(), acting_as(actor):
            return EquipmentLoan.objects.create(
                equipment=locked, borrower=borrower, lent_by=actor, lent_on=today, due_on=due_on
            )
    except IntegrityError as error:  # the constraint, should a writer ever skip the lock
        raise _on_loan_error() from error


@transaction.atomic
def equipment_return(*, loan: EquipmentLoan, actor: User, condition: str | None = None) -> EquipmentLoan:
    """Record that the item came back (today), and its condition if given. PermissionDenied unless centre staff;
    IllegalMove when the loan was already closed."""
    if not permissions.is_centre_worker(actor):
        raise PermissionDenied
    locked = EquipmentLoan.objects.select_for_update().select_related("equipment").get(pk=loan.pk)
    if locked.returned_on is not None:
        raise IllegalMove(_("This loan is already closed: the item was returned."), code="returned")
    locked.returned_on = timezone.localdate()
    locked.returned_to = actor
    with acting_as(actor):
        locked.save()
        if condition and condition != locked.equipment.condition:
            locked.equipment.condition = condition
            locked.equipment.save()
    return locked


def send_overdue_loan_reminders(*, today: datetime.date | None = None) -> int:
    """Remind each borrower of every loan past its return date; once a day per loan (a second run sends nothing).
    Returns how many reminders were new."""
    today = today or timezone.localdate()
    sent = 0
    overdue = EquipmentLoan.objects.filter(returned_on__isnull=True, due_on__lt=today).select_related(
        "equipment", "borrower__user"
    )
    for loan in overdue.iterator(chunk_size=200):
        user = loan.borrower.user
        if not user.is_active:
            continue
        with transaction.atomic():
            before = user.notifications.filter(dedup_key=_reminder_key(loan, today, user)).exists()
            notify(
                recipient=user,
                kind="loan_overdue",
                subject=gettext_noop("Please return the borrowed equipment"),
                body=gettext_noop(
                    "%(item)s (inventory number %(number)s) was due back on %(due)s. Please bring it to the centre."
                ),
                context={
                    "item": loan.equipment.name,
                    "number": loan.equipment.inventory_number,
                    "due": loan.due_on.strftime("%d.%m.%Y"),
                },
                dedup_key=_reminder_key(loan, today, user),
            )
        sent += not before
    return sent


def _reminder_key(loan: EquipmentLoan, today: datetime.date, user: User) -> str:
    return f"loan_overdue:{loan.pk}:{today.isoformat()}:{user.pk}"
