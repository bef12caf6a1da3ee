"""Reads of the service requests and of the equipment: each already filtered to what the user may see, with what a
page shows joined in, so no list makes a query per row."""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import StatusChange
from students.models import Course

from .. import permissions
from ..models import Equipment, EquipmentLoan, ServiceQueue, ServiceRequest


def _overdue_q(today: datetime.date) -> Q:
    return Q(status__in=ServiceRequest.OPEN, due_on__lt=today)


def mark_overdue(items, today: datetime.date | None = None):
    """Set `is_overdue` on each loaded request (no query); returns the same items."""
    today = today or timezone.localdate()
    for item in items:
        item.is_overdue = item.status in ServiceRequest.OPEN and item.due_on < today
    return items


def own_requests(student) -> QuerySet[ServiceRequest]:
    """The student's own requests, newest first."""
    return ServiceRequest.objects.filter(student=student).select_related("course").order_by("-requested_at", "-pk")


def request_queue(
    *, kind: str = "", status: str = "", overdue: bool = False, today: datetime.date | None = None
) -> QuerySet[ServiceRequest]:
    """The centre's queue: every request (of `kind` and in `status` when given; only the overdue ones with
    `overdue`), the oldest deadline first. Only for centre staff: the view checks is_centre_worker."""
    today = today or timezone.localdate()
    items = ServiceRequest.objects.select_related("student__user", "course", "requested_by")
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.filter(_overdue_q(today))
    return items.order_by("due_on", "pk")


def queues() -> dict[str, ServiceQueue]:
    """Each kind's queue with its owner, by kind."""
    return {queue.kind: queue for queue in ServiceQueue.objects.select_related("owner")}


def request_for(user, pk: int) -> ServiceRequest:
    """The request `pk` when `user` may see it; Http404 otherwise (also for a request that does not exist)."""
    item = ServiceRequest.objects.select_related("student__user", "course", "requested_by").filter(pk=pk).first()
    if item is None or not permissions.can_see_request(user, item):
        raise Http404
    return item


def equipment_list(*, kind: str = "", available: str = "") -> QuerySet[Equipment]:
    """The inventory, each item with `open_loans` (its one open loan, or none) loaded with the borrower; `available`
    "yes" keeps the items on the shelf, "no" those on loan."""
    items = Equipment.objects.prefetch_related(
        Prefetch(
            "loans",
            queryset=EquipmentLoan.objects.filter(returned_on__isnull=True).select_related("borrower__user"),
            to_attr="open_loans",
        )
    )
    if kind:
        items = items.filter(kind=kind)
    # Exists, not a join: "no open loan" must keep the items that were never lent.
    on_loan = Exists(EquipmentLoan.objects.filter(equipment=OuterRef("pk"), returned_on__isnull=True))
    if available == "yes":
        items = items.filter(~on_loan)
    elif available == "no":
        items = items.filter(on_loan)
    return items.order_by("kind", "inventory_number")


def loans(*, which: str = "open", today: datetime.date | None = None) -> QuerySet[EquipmentLoan]:
    """Loans `which` = "open", "overdue" or "returned", with the item and the borrower."""
    today = today or timezone.localdate()
    items = EquipmentLoan.objects.select_related("equipment", "borrower__user", "lent_by", "returned_to")
    if which == "returned":
        return items.filter(returned_on__isnull=False).order_by("-returned_on", "-pk")
    items = items.filter(returned_on__isnull=True)
    if which == "overdue":
        items = items.filter(due_on__lt=today)
    return items.order_by("due_on", "pk")


def equipment_for(pk: int) -> Equipment:
    item = Equipment.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def open_loan_for(pk: int) -> EquipmentLoan:
    loan = EquipmentLoan.objects.select_related("equipment").filter(pk=pk).first()
    if loan is None:
        raise Http404
    return loan


def request_timeline(item: ServiceRequest) -> list:
    """The request's moves, oldest first, with who made each and `to_label` (the state's name)."""
    labels = dict(ServiceRequest.Status.choices)
    changes = list(
        StatusChange.objects.filter(
            content_type__app_label="routes", content_type__model="servicerequest", object_id=item.pk
        )
        .select_related("actor")
        .order_by("pk")
    )
    for change in changes:
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes


def queue_counts(today: datetime.date | None = None) -> dict[str, dict[str, int]]:
    """For each kind, how many requests are open and how many of them overdue, in one query."""
    today = today or timezone.localdate()
    rows = (
        ServiceRequest.objects.filter(status__in=ServiceRequest.OPEN)
        .values("kind")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    return {row["kind"]: {"open": row["open"], "overdue": row["overdue"]} for row in rows}


def student_courses(student) -> list:
    """The courses the student is enrolled in, for the request form."""
    return list(Course.objects.filter(enrolments__student=student).distinct().order_by("pk"))
