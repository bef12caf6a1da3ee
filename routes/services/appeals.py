"""Writes of the appeals (regulation §8): filing, the reviewer, the moves and the answer.

An appeal is filed by the applicant side against a decision on their own case (the rejection of the application, a
signed conclusion, an approved route), is due within `DEADLINE_WORKING_DAYS["answer_appeal"]` working days, and
goes to a reviewer who holds the power to review and did not make the decision (the first such centre head, else
the administration; the centre head may choose another). Every move goes through audit.workflow.move()
(APPEAL_ALLOWED); the reviewer is told when an appeal is given to them, the appellant of every move.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.models import StatusChange
from audit.services import record_status_change
from audit.workflow import IllegalMove, move
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify, notify_many
from inclusion_centre.history import acting_as
from inclusion_centre.workdays import add_working_days
from students.models import Application
from students.permissions import is_applicant_side

from ..models import Appeal, Conclusion, Route
from ..permissions import appeals as permissions
from ..workflow import APPEAL_ALLOWED

AP = Appeal.Status
TEXT_MAX_LENGTH = 4000
APPEALABLE_ROUTES = frozenset({Route.Status.IN_FORCE, Route.Status.UNDER_REVIEW})
REJECTED = frozenset({Application.Status.REJECTED, Application.Status.DUPLICATE})


def deadline_days() -> int:
    return settings.DEADLINE_WORKING_DAYS["answer_appeal"]


def rejection_author(application: Application) -> User | None:
    """Who rejected the application: the actor of its last move to rejected (or rejected as a duplicate)."""
    change = (
        StatusChange.objects.filter(
            content_type__app_label="students",
            content_type__model="application",
            object_id=application.pk,
            to_status__in=REJECTED,
        )
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    return change.actor if change is not None else None


def _decision(application: Application, subject: str, target) -> User | None:
    """The author of the decision appealed; ValidationError when it is not (or no longer) appealable."""
    problem = ValidationError({"subject": _("This decision cannot be appealed.")}, code="not_appealable")
    if subject == Appeal.Subject.REJECTION:
        if application.status not in REJECTED:
            raise problem
        return rejection_author(application)
    if target is None or target.application_id != application.pk:
        raise problem
    if subject == Appeal.Subject.CONCLUSION and target.status == Conclusion.Status.SIGNED:
        return target.signed_by
    if subject == Appeal.Subject.ROUTE and target.status in APPEALABLE_ROUTES:
        return target.approved_by
    raise problem


def default_reviewer(decided_by: User | None) -> User | None:
    """The first active centre head who did not make the decision, else the first such member of the
    administration; None when there is nobody (the centre head then assigns one)."""
    for role in permissions.REVIEWER_ROLES:
        people = User.objects.filter(groups__name=role.value, is_active=True).order_by("pk")
        if decided_by is not None:
            people = people.exclude(pk=decided_by.pk)
        found = people.first()
        if found is not None:
            return found
    return None


def _tell_reviewer(appeal: Appeal) -> None:
    if appeal.reviewer is None or not appeal.reviewer.is_active:
        return
    notify(
        recipient=appeal.reviewer,
        kind="appeal_assigned",
        subject=gettext_noop("An appeal is waiting for your review"),
        body=gettext_noop("An appeal (%(subject)s) is given to you to review; it is to be answered by %(due)s."),
        context={"subject": Appeal.Subject(appeal.subject).label, "due": appeal.due_on.strftime("%d.%m.%Y")},
        url=appeal.get_absolute_url(),
        dedup_key=f"appeal_assigned:{appeal.pk}:{appeal.reviewer_id}",
    )


@transaction.atomic
def appeal_file(
    *,
    actor: User,
    application: Application,
    subject: str,
    grounds: str,
    conclusion: Conclusion | None = None,
    route: Route | None = None,
) -> Appeal:
    """File an appeal against a decision on `application`. PermissionDenied unless the actor is the student or a
    legal representative; ValidationError when the decision is not appealable, an appeal against it is open, or
    the grounds are empty or too long."""
    locked = Application.objects.select_for_update().select_related("student").get(pk=application.pk)
    if not is_applicant_side(actor, locked):
        raise PermissionDenied
    grounds = grounds.strip()
    if not grounds:
        raise ValidationError({"grounds": _("Write the grounds of your appeal.")}, code="grounds_required")
    if len(grounds) > TEXT_MAX_LENGTH:
        raise ValidationError({"grounds": _("Write at most %(max)d characters.") % {"max": TEXT_MAX_LENGTH}})
    target = conclusion if subject == Appeal.Subject.CONCLUSION else route if subject == Appeal.Subject.ROUTE else None
    decided_by = _decision(locked, subject, target)
    same = Appeal.objects.filter(application=locked, subject=subject, status__in=Appeal.OPEN)
    if target is not None:
        same = same.filter(**{subject: target})
    if same.exists():
        raise ValidationError(
            {"subject": _("An appeal against this decision is already open: wait for its answer or withdraw it.")},
            code="already_open",
        )
    with acting_as(actor):
        appeal = Appeal.objects.create(
            application=locked,
            subject=subject,
            conclusion=target if subject == Appeal.Subject.CONCLUSION else None,
            route=target if subject == Appeal.Subject.ROUTE else None,
            decided_by=decided_by,
            grounds=grounds,
            filed_by=actor,
            due_on=add_working_days(timezone.localdate(), deadline_days()),
            reviewer=default_reviewer(decided_by),
        )
    record_status_change(obj=appeal, from_status="", to_status=AP.FILED, actor=actor, comment="")
    with acting_as(actor):
        _tell_reviewer(appeal)
    return appeal


@transaction.atomic
def appeal_assign(*, appeal: Appeal, actor: User, reviewer: User) -> Appeal:
    """Give an open appeal to `reviewer`. PermissionDenied unless the actor is the centre head; ValidationError when
    the reviewer made the decision, lacks the power to review, or the appeal is closed."""
    if not permissions.manages_appeals(actor):
        raise PermissionDenied
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.status not in Appeal.OPEN:
        raise IllegalMove(_("This appeal is closed: its reviewer can no longer change."), code="closed")
    if reviewer.pk == locked.decided_by_id:
        raise ValidationError(
            {
                "reviewer": _("%(name)s made the decision under appeal and cannot review it. Choose someone else.")
                % {"name": reviewer.full_name}
            },
            code="author",
        )
    if not permissions.may_review(reviewer):
        raise ValidationError(
            {"reviewer": _("Choose the centre head or a member of the administration.")}, code="no_power"
        )
    locked.reviewer = reviewer
    with acting_as(actor):
        locked.save(update_fields=["reviewer"])
        _tell_reviewer(locked)
    return locked


def _tell_appellant(appeal: Appeal, actor: User) -> None:
    body = gettext_noop("Your appeal (%(subject)s) is now “%(status)s”.")
    if appeal.status in Appeal.ANSWERED:
        body = gettext_noop("Your appeal (%(subject)s) is now “%(status)s”. The answer: %(answer)s")
    people = [appeal.application.student.user, appeal.filed_by]
    notify_many(
        recipients=[person for person in people if person.pk != actor.pk and person.is_active],
        kind="appeal_moved",
        subject=gettext_noop("Your appeal has an answer")
        if appeal.status in Appeal.ANSWERED
        else gettext_noop("Your appeal has changed"),
        body=body,
        context={
            "subject": Appeal.Subject(appeal.subject).label,
            "status": AP(appeal.status).label,
            "answer": appeal.answer,
        },
        url=appeal.get_absolute_url(),
        dedup_key=f"appeal_moved:{appeal.pk}:{appeal.status}",
    )


@transaction.atomic
def appeal_move(*, appeal: Appeal, actor: User, to_status: str, answer: str = "") -> Appeal:
    """Take an appeal up for review, uphold or dismiss it with a reasoned answer (the reviewer), or withdraw it (the
    appellant side); the appellant is told. PermissionDenied for anyone else; IllegalMove when the appeal is no
    longer in a state for it; ValidationError when an answer has no reasons, or the reviewer made the decision."""
    answer = answer.strip()
    if to_status == AP.WITHDRAWN:
        if not permissions.is_appellant_side(actor, appeal):
            raise PermissionDenied
    else:
        if appeal.reviewer_id != actor.pk or not permissions.may_review(actor):
            raise PermissionDenied
        if appeal.decided_by_id == actor.pk:
            raise ValidationError(
                _("You made the decision under appeal and cannot review it: the centre head gives it to someone else."),
                code="author",
            )
    if to_status in Appeal.ANSWERED and not answer:
        raise ValidationError(
            {"answer": _("Give the reasons of the answer: the appellant reads them.")}, code="reasons"
        )
    if len(answer) > TEXT_MAX_LENGTH:
        raise ValidationError({"answer": _("Write at most %(max)d characters.") % {"max": TEXT_MAX_LENGTH}})

    def fill(locked: Appeal) -> None:
        if to_status in Appeal.ANSWERED:
            locked.answer = answer
            locked.answered_by = actor
        if to_status not in Appeal.OPEN:
            locked.closed_at = timezone.now()

    moved = move(
        instance=appeal, to_status=to_status, allowed=APPEAL_ALLOWED, actor=actor, comment=answer, before_save=fill
    )
    moved = Appeal.objects.select_related("application__student__user", "filed_by").get(pk=moved.pk)
    with acting_as(actor):
        _tell_appellant(moved, actor)
    return moved
