"""Exam arrangements: the sessions (entered by the course's lecturer or the exam office, or imported from a
timetable), a session's arrangements with the centre's proposal button, an arrangement with the centre's
confirm / book / held / cancel forms, and the exam office's day view (printable PDF, XLSX)."""

import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessLog
from audit.services import log_access
from audit.view_helpers import page_of, query_without_page
from inclusion_centre import spreadsheet

from .. import permissions, services
from ..exam_import import read_timetable
from ..forms.exams import BookForm, ConfirmForm, DayForm, SessionForm, TimetableForm
from ..models import ExamArrangement
from ..selectors import exams as selectors
from .common import INVALID, ReasonTexts, add_errors, post_data, reason_page, status_for

PER_PAGE = 25
EA = ExamArrangement.Status


def _write(form, write) -> int | None:
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
def exam_sessions(request):
    """The sessions the user may see, and the form to enter one (the exam office, or a lecturer for their course)."""
    user = request.user
    courses = selectors.session_courses(user)
    may_enter = permissions.is_exam_office(user) or (not permissions.sees_all_exams(user) and courses.exists())
    if not (permissions.sees_all_exams(user) or may_enter):
        raise Http404
    form = SessionForm(post_data(request), courses=courses) if may_enter else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404

        def write():
            data = form.cleaned_data
            row = services.SessionRow(
                course=data["course"],
                starts_at=form.starts_at,
                duration=data["duration"],
                form=data["form"],
                location=data["location"],
            )
            services.exam_session_add(actor=user, row=row)

        status = _write(form, write)
        if status is None:
            messages.success(request, _("The exam is entered."))
            return redirect("routes:exam_sessions")
    page = page_of(request, selectors.visible_sessions(user), PER_PAGE)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "may_import": permissions.is_exam_office(user),
    }
    return render(request, "routes/exams/sessions.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def exam_sessions_import(request):
    """The exam office imports a timetable (CSV, XLSX or .ics): all of it, or nothing with every bad line named."""
    if not permissions.is_exam_office(request.user):
        raise Http404
    bound = request.method == "POST"  # an empty POST is still a submission: "Choose a file."
    form = TimetableForm(request.POST if bound else None, request.FILES if bound else None)
    status = 200
    if request.method == "POST":
        created = []

        def write():
            upload = form.cleaned_data["file"]
            rows = read_timetable(upload.name, upload.read())
            created.extend(services.exam_sessions_import(actor=request.user, rows=rows))

        status = _write(form, write)
        if status is None:
            messages.success(request, _("%(count)d exams are imported.") % {"count": len(created)})
            return redirect("routes:exam_sessions")
    return render(request, "routes/exams/import.html", {"form": form}, status=status)


@login_required
@never_cache
@require_GET
def exam_session(request, pk):
    """A session and its arrangements (times, room, assistant); the centre proposes them from here."""
    session = selectors.session_for(request.user, pk)
    page = page_of(request, selectors.session_arrangements(session), PER_PAGE)
    context = {
        "session": session,
        "page": page,
        "query": query_without_page(request),
        "can_arrange": permissions.can_arrange(request.user),
    }
    return render(request, "routes/exams/session.html", context)


@login_required
@never_cache
@require_POST
def exam_session_propose(request, pk):
    session = selectors.session_for(request.user, pk)
    if not permissions.can_arrange(request.user):
        raise Http404
    count = services.arrangements_propose(actor=request.user, sessions=[session])
    messages.success(request, _("%(count)d new arrangements are proposed.") % {"count": count})
    return redirect("routes:exam_session", pk=session.pk)


def _confirm_form(item: ExamArrangement, data=None) -> ConfirmForm:
    return ConfirmForm(
        data,
        prefix="confirm",
        initial={
            "start": timezone.localtime(item.starts_at).time(),
            "end": timezone.localtime(item.ends_at).time(),
            "separate_room": item.separate_room,
            "computer": item.computer,
            "assistant": item.assistant,
            "note": item.note,
        },
    )


def _book_form(item: ExamArrangement, data=None) -> BookForm:
    return BookForm(
        data,
        prefix="book",
        rooms=selectors.rooms(),
        invigilators=selectors.invigilators(),
        initial={"room": item.room_id, "invigilator": item.invigilator_id},
    )


def _arrangement_page(request, item: ExamArrangement, status: int = 200, **bound):
    can_arrange = permissions.can_arrange(request.user)
    context = {
        "item": item,
        "can_arrange": can_arrange,
        "confirm_form": (bound.get("confirm") or _confirm_form(item))
        if can_arrange and item.status == EA.PROPOSED
        else None,
        "book_form": (bound.get("book") or _book_form(item))
        if can_arrange and item.status in {EA.CONFIRMED, EA.BOOKED}
        else None,
        "can_hold": can_arrange and item.status == EA.BOOKED,
        "can_cancel": can_arrange and item.status in ExamArrangement.ACTIVE,
    }
    return render(request, "routes/exams/arrangement.html", context, status=status)


@login_required
@never_cache
@require_GET
def exam_arrangement(request, pk):
    item = selectors.arrangement_for(request.user, pk)
    if request.user.pk != item.student.user_id:  # a student's exam needs, read by staff: logged
        log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    return _arrangement_page(request, item)


def _centre_arrangement(request, pk) -> ExamArrangement:
    item = selectors.arrangement_for(request.user, pk)
    if not permissions.can_arrange(request.user):
        raise Http404
    return item


@login_required
@never_cache
@require_POST
def exam_arrangement_confirm(request, pk):
    item = _centre_arrangement(request, pk)
    form = _confirm_form(item, request.POST)

    def write():
        data = form.cleaned_data
        starts_at, ends_at = form.times(timezone.localtime(item.session.starts_at).date())
        services.arrangement_confirm(
            item=item,
            actor=request.user,
            starts_at=starts_at,
            ends_at=ends_at,
            separate_room=data["separate_room"],
            computer=data["computer"],
            assistant=data["assistant"],
            note=data["note"],
        )

    status = _write(form, write)
    if status is not None:
        return _arrangement_page(request, item, status, confirm=form)
    messages.success(request, _("The arrangement is confirmed."))
    return redirect("routes:exam_arrangement", pk=item.pk)


@login_required
@never_cache
@require_POST
def exam_arrangement_book(request, pk):
    item = _centre_arrangement(request, pk)
    form = _book_form(item, request.POST)

    def write():
        data = form.cleaned_data
        services.arrangement_book(item=item, actor=request.user, room=data["room"], invigilator=data["invigilator"])

    status = _write(form, write)
    if status is not None:
        return _arrangement_page(request, item, status, book=form)
    messages.success(
        request, _("The room and the invigilator are booked; the student, lecturer and invigilator are told.")
    )
    return redirect("routes:exam_arrangement", pk=item.pk)


@login_required
@never_cache
@require_POST
def exam_arrangement_hold(request, pk):
    item = _centre_arrangement(request, pk)
    try:
        services.arrangement_hold(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("routes:exam_arrangement", pk=item.pk)
    messages.success(request, _("The exam is recorded as held."))
    return redirect("routes:exam_arrangement", pk=item.pk)


CANCEL_TEXTS = ReasonTexts(
    title=_("Cancel the exam arrangement"),
    intro=_("Everyone who was told of the booking gets a cancellation with the calendar entry."),
    button=_("Cancel the arrangement"),
    success=_("The arrangement is cancelled."),
)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def exam_arrangement_cancel(request, pk):
    item = _centre_arrangement(request, pk)
    back = item.get_absolute_url()

    def action(*, reason):
        services.arrangement_cancel(item=item, actor=request.user, reason=reason)

    return reason_page(request, CANCEL_TEXTS, item=item, action=action, back=back)


# --- The day view -------------------------------------------------------------------------------------------


def _day(request) -> tuple[DayForm, datetime.date | None]:
    form = DayForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data.get("day") or timezone.localdate()


def _day_viewer(user) -> None:
    if not (permissions.sees_all_exams(user) or user.has_role("lecturer")):
        raise Http404


@login_required
@never_cache
@require_GET
def exam_day(request):
    """Every arranged exam of a day, by room and time: times, rooms and assistants, never the reasons."""
    _day_viewer(request.user)
    form, day = _day(request)
    if day is None:
        return render(request, "routes/exams/day.html", {"form": form, "page": None}, status=INVALID)
    page = page_of(request, selectors.day_arrangements(request.user, day), PER_PAGE)
    context = {"form": form, "day": day, "page": page, "query": query_without_page(request)}
    return render(request, "routes/exams/day.html", context)


def _day_rows(user, day: datetime.date) -> list[list]:
    rows = []
    for item in selectors.day_arrangements(user, day):
        rows.append(
            [
                item.room.name if item.room_id else "—",
                timezone.localtime(item.starts_at).strftime("%H:%M"),
                timezone.localtime(item.ends_at).strftime("%H:%M"),
                f"{item.session.course.code} {item.session.course}",
                item.student.user.full_name,
                str(item.get_assistant_display()) if item.assistant else "—",
                item.invigilator.full_name if item.invigilator_id else "—",
                str(item.get_status_display()),
            ]
        )
    return rows


def _day_columns() -> list[str]:
    return [
        _("Room"),
        _("Start"),
        _("End"),
        _("Course"),
        _("Student"),
        _("Assistant"),
        _("Invigilator"),
        _("State"),
    ]


@login_required
@never_cache
@require_GET
def exam_day_xlsx(request):
    from openpyxl import Workbook

    _day_viewer(request.user)
    _form, day = _day(request)
    if day is None:
        raise Http404
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = day.isoformat()
    sheet.append(spreadsheet.row(_day_columns()))
    for row in _day_rows(request.user, day):
        sheet.append(spreadsheet.row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="exams-{day.isoformat()}.xlsx"'
    return response


@login_required
@never_cache
@require_GET
def exam_day_pdf(request):
    from documents.rendering import common_context, html_to_pdf

    _day_viewer(request.user)
    _form, day = _day(request)
    if day is None:
        raise Http404
    language = translation.get_language()
    context = {
        **common_context(language),
        "title": _("Exam arrangements of %(day)s") % {"day": day.strftime("%d.%m.%Y")},
        "columns": _day_columns(),
        "rows": _day_rows(request.user, day),
    }
    pdf = html_to_pdf(render_to_string("documents/pdf/exam_day.html", context))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="exams-{day.isoformat()}.pdf"'
    return response
