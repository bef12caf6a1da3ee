"""Reads of the appeals: each already filtered to what the user may see, with what a page shows joined in."""

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import StatusChange
from inclusion_centre.accounts.grants import granted
from inclusion_centre.accounts.models import User
from students.models import Application, Student

from ..models import Appeal, Conclusion, Route
from ..permissions import appeals as permissions
from .assessment import case_conclusions
from .common import _case_rows
from .route import case_routes

RELATED = (
    "application__student__user",
    "conclusion",
    "route",
    "filed_by",
    "reviewer",
    "decided_by",
    "answered_by",
)
APPEALABLE_ROUTES = frozenset({Route.Status.IN_FORCE, Route.Status.UNDER_REVIEW})


def mark_overdue(items, today: datetime.date | None = None):
    """Set `is_overdue` on each loaded appeal (no query); returns the same items."""
    today = today or timezone.localdate()
    for item in items:
        item.is_overdue = item.status in Appeal.OPEN and item.due_on < today
    return items


def own_appeals(user: User) -> QuerySet[Appeal]:
    """The appeals on the cases of the student `user` is, or of the students they represent, newest first."""
    represented = granted(user, "students.act_for_student", Student.objects.all()).values("pk")
    return (
        Appeal.objects.filter(Q(application__student__user=user) | Q(application__student__in=represented))
        .select_related(*RELATED)
        .order_by("-filed_at", "-pk")
    )


def review_queue(
    user: User, *, status: str = "", overdue: bool = False, today: datetime.date | None = None
) -> QuerySet[Appeal]:
    """The appeals given to `user` to review (every appeal for the centre head), the earliest deadline first."""
    today = today or timezone.localdate()
    items = Appeal.objects.select_related(*RELATED)
    if not permissions.manages_appeals(user):
        items = items.filter(reviewer=user)
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.filter(status__in=Appeal.OPEN, due_on__lt=today)
    return items.order_by("due_on", "pk")


def has_queue(user: User) -> bool:
    return permissions.may_review(user)


def appeal_for(user: User, pk: int) -> Appeal:
    """The appeal `pk` when `user` may see it; Http404 otherwise (also for one that does not exist)."""
    item = Appeal.objects.select_related(*RELATED).filter(pk=pk).first()
    if item is None or not permissions.can_see_appeal(user, item):
        raise Http404
    return item


def appeal_timeline(appeal: Appeal) -> list[StatusChange]:
    labels = dict(Appeal.Status.choices)
    changes = list(
        StatusChange.objects.filter(content_type__app_label="routes", content_type__model="appeal", object_id=appeal.pk)
        .select_related("actor")
        .order_by("pk")
    )
    for change in changes:
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes


def reviewers(exclude: int | None) -> list[User]:
    """Who may be given an appeal: the active centre heads and administration, but not the decision's author."""
    people = User.objects.filter(groups__name__in=[role.value for role in permissions.REVIEWER_ROLES], is_active=True)
    if exclude is not None:
        people = people.exclude(pk=exclude)
    return list(people.distinct().order_by("full_name", "pk"))


def case_appeals(application: Application) -> list[Appeal]:
    """The case's appeals, oldest first, read once per request (the case page's section and its timeline)."""
    return _case_rows(
        application,
        "appeals",
        lambda: list(
            Appeal.objects.filter(application=application)
            .select_related("filed_by", "answered_by", "reviewer", "conclusion", "route")
            .order_by("filed_at", "pk")
        ),
    )


def appeal_events(application: Application) -> list[tuple]:
    """The appeals' steps for the case timeline: (when, text, actor)."""
    events = []
    for appeal in case_appeals(application):
        subject = appeal.get_subject_display()
        events.append((appeal.filed_at, _("An appeal was filed: %(subject)s") % {"subject": subject}, appeal.filed_by))
        if appeal.closed_at is not None:
            texts = {
                Appeal.Status.UPHELD: _("The appeal was upheld: %(subject)s"),
                Appeal.Status.DISMISSED: _("The appeal was dismissed: %(subject)s"),
                Appeal.Status.WITHDRAWN: _("The appeal was withdrawn: %(subject)s"),
            }
            actor = appeal.answered_by if appeal.status in Appeal.ANSWERED else None
            events.append((appeal.closed_at, texts[appeal.status] % {"subject": subject}, actor))
    return events


def appealable(application: Application) -> list[tuple[str, str]]:
    """The decisions of the case its applicant side may appeal, as (choice value, label): "rejection",
    "conclusion:<pk>", "route:<pk>". Reads what the case page has already read."""
    choices = []
    if application.status in {Application.Status.REJECTED, Application.Status.DUPLICATE}:
        choices.append(("rejection", str(Appeal.Subject.REJECTION.label)))
    for conclusion in case_conclusions(application):
        if conclusion.status == Conclusion.Status.SIGNED:
            label = f"{Appeal.Subject.CONCLUSION.label} {conclusion.registration_number}"
            choices.append((f"conclusion:{conclusion.pk}", label))
    for route in case_routes(application):
        if route.status in APPEALABLE_ROUTES:
            choices.append((f"route:{route.pk}", f"{Appeal.Subject.ROUTE.label} {route.registration_number}"))
    return choices
