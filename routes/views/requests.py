"""Service requests and assistive equipment: the student's own requests with the form to ask for a service, the
centre's queue, a request's page with the centre's answers, and the inventory with its loans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessLog
from audit.services import log_access
from audit.view_helpers import page_of, query_without_page

from .. import services
from ..forms.requests import (
    EquipmentFilterForm,
    LendForm,
    QueueFilterForm,
    ReturnForm,
    ServiceRequestForm,
    ServiceRequestMoveForm,
)
from ..models import ServiceKind, ServiceRequest
from ..permissions import requests as permissions
from ..selectors import requests as selectors
from ..workflow import SERVICE_REQUEST_ALLOWED
from .common import INVALID, add_errors, post_data, status_for

PER_PAGE = 20
SR = ServiceRequest.Status


def _centre_only(user) -> None:
    if not permissions.is_centre_worker(user):
        raise Http404


def _call(form, write) -> int | None:
    """Call `write()` for a valid form: None after a success, else the status to answer with (errors on the form)."""
    if not form.is_valid():
        return INVALID
    try:
        write()
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        add_errors(form, error)
        return status_for(error)
    return None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_requests(request):
    """The student's own requests and the form to ask for a service."""
    student = permissions.own_student(request.user)
    if student is None:
        raise Http404
    courses = selectors.student_courses(student)
    form = ServiceRequestForm(post_data(request), courses=courses)
    status = 200
    if request.method == "POST":
        by_pk = {course.pk: course for course in courses}

        def write():
            data = form.cleaned_data
            services.service_request_create(
                actor=request.user,
                student=student,
                kind=data["kind"],
                course=by_pk.get(data["course"]),
                needed_on=data["needed_on"],
                details=data["details"],
            )

        status = _call(form, write)
        if status is None:
            messages.success(request, _("Your request is sent to the centre."))
            return redirect("routes:service_requests")
    page = page_of(request, selectors.own_requests(student), PER_PAGE)
    items = selectors.mark_overdue(list(page))
    context = {"form": form, "page": page, "items": items}
    return render(request, "routes/requests/mine.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_new(request):
    """The centre files a request on a student's behalf."""
    _centre_only(request.user)
    form = ServiceRequestForm(post_data(request), on_behalf=True)
    status = 200
    if request.method == "POST":
        created = []

        def write():
            data = form.cleaned_data
            created.append(
                services.service_request_create(
                    actor=request.user,
                    student=data["student_id"],
                    kind=data["kind"],
                    needed_on=data["needed_on"],
                    details=data["details"],
                )
            )

        status = _call(form, write)
        if status is None:
            messages.success(request, _("The request is filed."))
            return redirect("routes:service_request", pk=created[0].pk)
    return render(request, "routes/requests/new.html", {"form": form}, status=status)


@login_required
@never_cache
@require_GET
def request_queue(request):
    """The centre's queue: every kind's open and overdue counts, and the requests the filter selects."""
    _centre_only(request.user)
    today = timezone.localdate()
    form = QueueFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.request_queue(
        kind=filters.get("kind", ""),
        status=filters.get("status", ""),
        overdue=filters.get("overdue", False),
        today=today,
    )
    page = page_of(request, found, PER_PAGE)
    items = selectors.mark_overdue(list(page), today)
    counts = selectors.queue_counts(today)
    queues = selectors.queues()
    kinds = [
        {
            "value": value,
            "label": label,
            "owner": getattr(queues.get(value), "owner", None),
            "days": getattr(queues.get(value), "deadline_days", None),
            **counts.get(value, {"open": 0, "overdue": 0}),
        }
        for value, label in ServiceKind.choices
    ]
    context = {"form": form, "page": page, "items": items, "kinds": kinds, "query": query_without_page(request)}
    return render(request, "routes/requests/queue.html", context, status=200 if form.is_valid() else INVALID)


def _answers(item: ServiceRequest) -> list[tuple[str, str]]:
    return [(value, label) for value, label in SR.choices if value in SERVICE_REQUEST_ALLOWED.get(item.status, ())]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    """A request: what was asked, its timeline, and the centre's answers for whoever answers this queue."""
    item = selectors.request_for(request.user, pk)
    queue = selectors.queues().get(item.kind)
    can_answer = permissions.is_centre_worker(request.user) and permissions.can_answer_request(
        request.user, item, getattr(queue, "owner_id", None)
    )
    if request.method == "POST" and not can_answer:
        raise Http404
    form = ServiceRequestMoveForm(post_data(request), choices=_answers(item)) if can_answer else None
    status = 200
    if request.method == "POST":

        def write():
            data = form.cleaned_data
            services.service_request_move(
                item=item,
                actor=request.user,
                to_status=data["to_status"],
                reason=data["reason"],
                scheduled_for=data["scheduled_for"],
            )

        status = _call(form, write)
        if status is None:
            messages.success(request, _("The answer is recorded and the student is told."))
            return redirect("routes:service_request", pk=item.pk)
    if request.user.pk != item.student.user_id:
        log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    selectors.mark_overdue([item])
    context = {
        "item": item,
        "queue": queue,
        "form": form,
        "timeline": selectors.request_timeline(item),
        "centre": permissions.is_centre_worker(request.user),
    }
    return render(request, "routes/requests/detail.html", context, status=status)


# --- Equipment ----------------------------------------------------------------------------------------------

LOANS_SHOWN = 50


@login_required
@never_cache
@require_GET
def equipment(request):
    """The inventory with each item's open loan, the overdue loans and the latest returns."""
    _centre_only(request.user)
    today = timezone.localdate()
    form = EquipmentFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = page_of(
        request, selectors.equipment_list(kind=filters.get("kind", ""), available=filters.get("available", "")), 25
    )
    items = list(page)
    for thing in items:
        thing.loan = thing.open_loans[0] if thing.open_loans else None
        thing.overdue = thing.loan is not None and thing.loan.due_on < today
    context = {
        "form": form,
        "page": page,
        "items": items,
        "query": query_without_page(request),
        "overdue": list(selectors.loans(which="overdue", today=today)[:LOANS_SHOWN]),
        "returned": list(selectors.loans(which="returned")[:LOANS_SHOWN]),
    }
    return render(request, "routes/requests/equipment.html", context, status=200 if form.is_valid() else INVALID)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def equipment_lend(request, pk):
    _centre_only(request.user)
    item = selectors.equipment_for(pk)
    form = LendForm(post_data(request))
    status = 200
    if request.method == "POST":

        def write():
            data = form.cleaned_data
            services.equipment_lend(
                equipment=item, actor=request.user, borrower=data["student_id"], due_on=data["due_on"]
            )

        status = _call(form, write)
        if status is None:
            messages.success(request, _("The item is lent."))
            return redirect("routes:equipment")
    return render(request, "routes/requests/lend.html", {"item": item, "form": form}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def loan_return(request, pk):
    _centre_only(request.user)
    loan = selectors.open_loan_for(pk)
    form = ReturnForm(post_data(request), initial={"condition": loan.equipment.condition})
    status = 200
    if request.method == "POST":
        status = _call(
            form,
            lambda: services.equipment_return(loan=loan, actor=request.user, condition=form.cleaned_data["condition"]),
        )
        if status is None:
            messages.success(request, _("The return is recorded."))
            return redirect("routes:equipment")
    return render(request, "routes/requests/return.html", {"loan": loan, "form": form}, status=status)
