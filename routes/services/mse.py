"""The medical-social expertise (MSE) conclusion's validity (regulation §2.3, §10 e).

The centre (its head, the specialists assigned to the student's case) records the date the MSE conclusion must be
re-examined by, and the disability group it sets. `remind_mse_expiry` (the daily beat task and
`manage.py remind_mse_expiry`) reminds the student and the centre once, MSE_NOTICE_DAYS before that date, and the
day after it marks the conclusion lapsed: the student and the centre are told, and every route in force of the
student waits for a review (the centre's work list, "mse_lapsed", until a review with the reason "the MSE
conclusion lapsed" is recorded or a new date is). A second run the same day finds nothing to do.

The model lives with the student (students.MseConclusion); its writes live here because who may record it (the
specialists assigned to a case) and what a lapse does (a review of the route) belong to the routes app.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import record_status_change
from audit.workflow import IllegalMove, move
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.history import acting_as
from students.models import Application, MseConclusion, Student
from students.workflow import MSE_ALLOWED

from .. import permissions
from ..models import Assignment
from .route import _centre_heads

M = MseConclusion.Status
# The reminder comes this many days before the re-examination date.
MSE_NOTICE_DAYS = 30
# A re-examination date further back than this is a typing mistake, not a lapsed conclusion.
MSE_PAST_DAYS = 366


def _check_date(valid_until: datetime.date | None) -> None:
    today = timezone.localdate()
    if valid_until is None:
        raise ValidationError({"valid_until": _("Enter the re-examination date.")}, code="required")
    if valid_until < today - datetime.timedelta(days=MSE_PAST_DAYS):
        raise ValidationError(
            {"valid_until": _("This date is more than a year ago. Check it, or record the new conclusion's date.")},
            code="too_old",
        )


@transaction.atomic
def mse_record(
    *, application: Application, actor: User, valid_until: datetime.date, disability_group: str
) -> MseConclusion:
    """Record or change the student's MSE conclusion: its re-examination date and disability group. A new date
    makes a reminded or lapsed conclusion valid again (its reminder comes again before the new date).
    PermissionDenied unless the actor is the centre head or a specialist assigned to the case."""
    if not permissions.is_route_author(actor, application):
        raise PermissionDenied
    _check_date(valid_until)
    if disability_group not in Application.DisabilityGroup.values:
        raise ValidationError({"disability_group": _("Choose a disability group from the list.")}, code="invalid")
    student = Student.objects.select_for_update().get(pk=application.student_id)
    current = MseConclusion.objects.select_for_update().filter(student=student).first()
    with acting_as(actor):
        if current is None:
            current = MseConclusion.objects.create(
                student=student, valid_until=valid_until, disability_group=disability_group, recorded_by=actor
            )
            record_status_change(obj=current, from_status="", to_status=M.VALID, actor=actor)
            return current
        renewed = valid_until != current.valid_until
        current.disability_group, current.recorded_by = disability_group, actor
        current.save(update_fields=["disability_group", "recorded_by", "updated_at"])
    if renewed and current.status != M.VALID:

        def renew(row):
            row.valid_until, row.reminded_at, row.lapsed_at = valid_until, None, None

        return move(instance=current, to_status=M.VALID, allowed=MSE_ALLOWED, actor=actor, before_save=renew)
    if renewed:
        with acting_as(actor):
            current.valid_until = valid_until
            current.save(update_fields=["valid_until", "updated_at"])
    return current


def _centre_of(student: Student) -> list[User]:
    """The centre heads and the specialists assigned to any open case of the student."""
    people = {user.pk: user for user in _centre_heads()}
    assigned = Assignment.objects.filter(application__student=student, ended_at__isnull=True).select_related(
        "specialist"
    )
    for assignment in assigned:
        if assignment.specialist.is_active:
            people[assignment.specialist_id] = assignment.specialist
    return list(people.values())


def _tell(record: MseConclusion, *, kind: str, student_text: str, centre_text: str) -> None:
    student = record.student
    context = {"date": record.valid_until.strftime("%d.%m.%Y"), "name": student.user.full_name}
    key = f"{kind}:{record.pk}:{record.valid_until:%Y%m%d}"
    application = student.applications.order_by("-created_at").only("public_id").first()
    url = reverse("routes:mse", args=[application.public_id]) if application else ""
    subject = gettext_noop("The medical-social expertise conclusion needs re-examination")
    notify(
        recipient=student.user,
        kind=kind,
        subject=subject,
        body=student_text,
        context=context,
        dedup_key=f"{key}:{student.user_id}",
    )
    for person in _centre_of(student):
        notify(
            recipient=person,
            kind=kind,
            subject=subject,
            body=centre_text,
            url=url,
            context=context,
            dedup_key=f"{key}:{person.pk}",
        )


def _remind(record: MseConclusion, actor: User | None) -> bool:
    try:
        moved = move(
            instance=record,
            to_status=M.REMINDED,
            allowed=MSE_ALLOWED,
            actor=actor,
            before_save=lambda row: setattr(row, "reminded_at", timezone.now()),
        )
    except IllegalMove:
        return False  # renewed or lapsed meanwhile
    _tell(
        moved,
        kind="mse_expiring",
        student_text=gettext_noop(
            "Your medical-social expertise conclusion is valid until %(date)s. Please have it re-examined and "
            "bring the new conclusion to the centre, so your support continues."
        ),
        centre_text=gettext_noop(
            "The medical-social expertise conclusion of %(name)s is valid until %(date)s. Remind the student and "
            "record the new date when it comes."
        ),
    )
    return True


def _lapse(record: MseConclusion, actor: User | None) -> bool:
    try:
        moved = move(
            instance=record,
            to_status=M.LAPSED,
            allowed=MSE_ALLOWED,
            actor=actor,
            before_save=lambda row: setattr(row, "lapsed_at", timezone.now()),
        )
    except IllegalMove:
        return False
    _tell(
        moved,
        kind="mse_lapsed",
        student_text=gettext_noop(
            "Your medical-social expertise conclusion was valid until %(date)s. The centre will review your route; "
            "please bring the new conclusion."
        ),
        centre_text=gettext_noop(
            "The medical-social expertise conclusion of %(name)s lapsed after %(date)s. Review the route in force."
        ),
    )
    return True


def remind_mse_expiry(*, as_of: datetime.date | None = None, actor: User | None = None) -> tuple[int, int]:
    """Remind the conclusions whose date is within MSE_NOTICE_DAYS of `as_of` (today by default), once, and mark
    lapsed those whose date is before `as_of`. One transaction per conclusion. Returns (reminded, lapsed)."""
    as_of = as_of or timezone.localdate()
    lapsing = MseConclusion.objects.filter(status__in=[M.VALID, M.REMINDED], valid_until__lt=as_of)
    lapsed = 0
    for record in lapsing.select_related("student__user").order_by("pk"):
        with transaction.atomic():
            lapsed += _lapse(record, actor)
    horizon = as_of + datetime.timedelta(days=MSE_NOTICE_DAYS)
    due = MseConclusion.objects.filter(status=M.VALID, valid_until__gte=as_of, valid_until__lte=horizon)
    reminded = 0
    for record in due.select_related("student__user").order_by("pk"):
        with transaction.atomic():
            reminded += _remind(record, actor)
    return reminded, lapsed
