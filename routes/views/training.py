"""Training of staff: the events with the form to plan one, an event's page (mark it held or cancelled, record
attendance and certificate numbers), and the report of lecturers of students with routes who had no training."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.view_helpers import page_of
from inclusion_centre import spreadsheet

from .. import services
from ..forms.consultation import AttendanceForm, TrainingEventForm, TrainingMoveForm, UntrainedFilterForm
from ..models import TrainingAttendance, TrainingEvent
from ..permissions.consultation import can_keep_training
from ..selectors import consultation as selectors
from .common import INVALID, form_write, post_data

PER_PAGE = 20


def _centre_only(user) -> None:
    if not can_keep_training(user):
        raise Http404


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def training(request):
    """The events, newest first, with how many attended; the form to record a new one."""
    _centre_only(request.user)
    form = TrainingEventForm(post_data(request))
    status = 200
    if request.method == "POST":
        created = []

        def write():
            created.append(services.training_event_plan(actor=request.user, **form.cleaned_data))

        status = form_write(form, write)
        if status is None:
            messages.success(request, _("The training event is recorded."))
            return redirect("routes:training_event", pk=created[0].pk)
    page = page_of(request, selectors.training_events(), PER_PAGE)
    return render(request, "routes/training/list.html", {"form": form, "page": page}, status=status)


def _event_page(request, event, *, status=200, move_form=None, attend_form=None):
    context = {
        "event": event,
        "attendances": selectors.attendances_of(event),
        "move_form": move_form or TrainingMoveForm(),
        "attend_form": attend_form or AttendanceForm(),
        "can_move": event.status == TrainingEvent.Status.PLANNED,
        "can_attend": event.status == TrainingEvent.Status.HELD,
    }
    return render(request, "routes/training/event.html", context, status=status)


@login_required
@never_cache
@require_GET
def training_event(request, pk):
    """An event: its details, marking it held or cancelled, and its attendance."""
    _centre_only(request.user)
    return _event_page(request, selectors.training_event_for(pk))


@login_required
@require_POST
def training_event_move(request, pk):
    _centre_only(request.user)
    event = selectors.training_event_for(pk)
    form = TrainingMoveForm(request.POST)
    status = form_write(
        form, lambda: services.training_event_move(event=event, actor=request.user, **form.cleaned_data)
    )
    if status is None:
        messages.success(request, _("Saved."))
        return redirect("routes:training_event", pk=event.pk)
    return _event_page(request, event, status=status, move_form=form)


@login_required
@require_POST
def training_attend(request, pk):
    _centre_only(request.user)
    event = selectors.training_event_for(pk)
    form = AttendanceForm(request.POST)
    status = form_write(
        form, lambda: services.training_attendance_add(event=event, actor=request.user, **form.cleaned_data)
    )
    if status is None:
        messages.success(request, _("The attendee is recorded."))
        return redirect("routes:training_event", pk=event.pk)
    return _event_page(request, event, status=status, attend_form=form)


@login_required
@require_POST
def training_attendance_remove(request, pk):
    _centre_only(request.user)
    attendance = TrainingAttendance.objects.filter(pk=pk).first()
    if attendance is None:
        raise Http404
    services.training_attendance_remove(attendance=attendance, actor=request.user)
    messages.success(request, _("The attendance is removed."))
    return redirect("routes:training_event", pk=attendance.event_id)


@login_required
@never_cache
@require_GET
def training_report(request):
    """Per faculty, lecturers of students with routes in force with no training in the last N years; XLSX too."""
    _centre_only(request.user)
    form = UntrainedFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "rows": [], "years": settings.TRAINING_VALID_YEARS}
        return render(request, "routes/training/report.html", context, status=INVALID)
    years = form.cleaned_data["years"] or settings.TRAINING_VALID_YEARS
    rows = selectors.untrained_lecturers(years=years, faculty=form.cleaned_data["faculty"])
    if form.cleaned_data["export"] == "xlsx":
        return _xlsx(rows, years)
    return render(request, "routes/training/report.html", {"form": form, "rows": rows, "years": years})


def _xlsx(rows, years: int) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Untrained lecturers"))[:31]
    sheet.append(spreadsheet.row([_("Faculty"), _("Lecturer"), _("E-mail"), _("Students with routes")]))
    for row in rows:
        faculty = row.faculty.name if row.faculty else str(_("No faculty"))
        sheet.append(spreadsheet.row([faculty, row.lecturer.full_name, row.lecturer.email, row.students]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"untrained-lecturers-{years}y-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
