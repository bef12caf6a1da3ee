"""The audit pages: history of any record (centre head, auditor), the access log (auditor), and "who has opened my
file" (student, representative). All read-only: nothing here has a form that writes."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from inclusion_centre import spreadsheet

from . import selectors
from .filters import AccessLogFilter
from .forms import DisclosureFilterForm, DisclosureForm, HistoryLookupForm, HistoryReasonForm, student_model
from .models import AccessLog, Disclosure
from .services import disclosure_record as record_disclosure
from .services import log_access
from .view_helpers import INVALID, add_errors, filtered, page_of, post_data, query_without_page, status_for


@login_required
@require_GET
def index(request):
    """The auditor's and the centre head's way in: open the history of a record by type and number."""
    may_history = selectors.can_view_history(request.user)
    if not (may_history or selectors.can_view_access_log(request.user)):
        raise Http404
    form = HistoryLookupForm(request.GET or None) if may_history else None
    if form is not None and form.is_valid():
        app_label, model_name = form.cleaned_data["record_type"].split(".")
        return redirect("audit:history", app_label, model_name, form.cleaned_data["record_id"])
    context = {"form": form, "may_access_log": selectors.can_view_access_log(request.user)}
    return render(request, "audit/index.html", context, status=INVALID if form is not None and form.errors else 200)


@login_required
@require_GET
def history(request, app_label, model_name, pk):
    """What changed, by whom and when; health fields masked unless the reader gives a reason (logged as such)."""
    form = HistoryReasonForm(request.GET)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    found = selectors.history_of(
        request.user,
        app_label=app_label,
        model_name=model_name,
        pk=pk,
        page_number=request.GET.get("page"),
        reason=reason,
    )
    # Reading a record's history is reading the record: the student sees it among who opened their file.
    action = AccessLog.Action.VIEW_HISTORY_HEALTH if found.unmasked else AccessLog.Action.VIEW_HISTORY
    log_access(request=request, action=action, obj=found.latest.instance, reason=reason if found.unmasked else "")
    context = {"history": found, "page": found.page, "form": form, "query": query_without_page(request)}
    return render(request, "audit/history.html", context, status=INVALID if form.errors else 200)


def _filtered_log(request) -> tuple[AccessLogFilter, object]:
    return filtered(request, AccessLogFilter, selectors.access_log_for(request.user))


@login_required
@require_GET
def access_log(request):
    applied, results = _filtered_log(request)
    context = {
        "filter": applied,
        "page": page_of(request, results, selectors.ACCESS_LOG_PER_PAGE),
        "query": query_without_page(request),
        "may_history": selectors.can_view_history(request.user),
    }
    return render(request, "audit/access_log.html", context, status=200 if applied.is_valid() else INVALID)


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def access_log_export(request):
    """The filtered access log as CSV (UTF-8 with BOM, for spreadsheets). The export itself is logged."""
    applied, results = _filtered_log(request)
    if not applied.is_valid():
        return access_log(request)
    log_access(request=request, action=AccessLog.Action.EXPORT)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff" + writer.writerow(
            [
                _("When"),
                _("Who"),
                _("E-mail address"),
                _("Roles at the time"),
                _("What they did"),
                _("Type of record"),
                _("Record number"),
                _("Whose file"),
                _("Address"),
                _("IP address"),
            ]
        )
        for entry in results.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    spreadsheet.cell(timezone.localtime(entry.created_at).isoformat(timespec="seconds")),
                    spreadsheet.cell(entry.user.full_name if entry.user else ""),
                    spreadsheet.cell(entry.user.email if entry.user else ""),
                    spreadsheet.cell(", ".join(str(label) for label in entry.role_labels)),
                    spreadsheet.cell(entry.get_action_display()),
                    spreadsheet.cell(entry.object_type_label),
                    spreadsheet.cell(entry.object_id),
                    spreadsheet.cell(entry.student.user.full_name if entry.student else ""),
                    spreadsheet.cell(entry.path),
                    spreadsheet.cell(entry.ip_address),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-log-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def my_file(request):
    """Who has opened my file: staff names, their roles and when, never their addresses."""
    accesses = selectors.accesses_to_my_file(request.user)
    page = page_of(request, accesses.entries, selectors.ACCESS_LOG_PER_PAGE)
    context = {
        "page": page,
        "several_students": accesses.several_students,
        "query": "",
        "disclosures": accesses.disclosures,
    }
    return render(request, "audit/my_file.html", context)


# --- The register of disclosures (regulation §10.3) -------------------------------------------------------------

DISCLOSURES_PER_PAGE = 25


def _disclosure_filters(request) -> tuple[DisclosureFilterForm, object]:
    form = DisclosureFilterForm(request.GET)
    if not form.is_valid():
        return form, Disclosure.objects.none()
    data = form.cleaned_data
    found = selectors.disclosures(
        ground=data["ground"], recipient=data["recipient"].strip(), since=data["since"], until=data["until"]
    )
    return form, found


@login_required
@never_cache
@require_GET
def disclosures(request):
    """The register of disclosures, filtered, newest first (the centre head, the administration, the auditor)."""
    if not selectors.can_view_disclosures(request.user):
        raise Http404
    form, found = _disclosure_filters(request)
    page = page_of(request, found, DISCLOSURES_PER_PAGE)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_record": selectors.can_record_disclosure(request.user),
    }
    return render(request, "audit/disclosures.html", context, status=200 if form.is_valid() else INVALID)


@login_required
@never_cache
@require_GET
def disclosures_export(request):
    """The filtered register as an XLSX workbook; every cell passes through inclusion_centre.spreadsheet."""
    if not selectors.can_view_disclosures(request.user):
        raise Http404
    form, found = _disclosure_filters(request)
    if not form.is_valid():
        page = page_of(request, found, DISCLOSURES_PER_PAGE)
        context = {"form": form, "page": page, "query": "", "can_record": False}
        return render(request, "audit/disclosures.html", context, status=INVALID)
    from openpyxl import Workbook

    log_access(request=request, action=AccessLog.Action.EXPORT)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Register of disclosures"))[:31]
    sheet.append(
        spreadsheet.row(
            [
                _("Disclosed on"),
                _("Student"),
                _("Recipient"),
                _("What data was disclosed"),
                _("Details of the data"),
                _("Legal ground"),
                _("The ground in words"),
                _("Recorded by"),
            ]
        )
    )
    for item in found.iterator(chunk_size=2000):
        sheet.append(
            spreadsheet.row(
                [
                    item.disclosed_on,
                    item.student.user.full_name,
                    item.recipient,
                    "; ".join(item.category_labels),
                    item.details,
                    item.get_ground_display(),
                    item.ground_text,
                    item.recorded_by.full_name,
                ]
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="disclosures-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def disclosure_new(request):
    """Centre staff record a disclosure; `?student=<id>` (from the case page) fills in the student."""
    if not selectors.can_record_disclosure(request.user):
        raise Http404
    initial = {"disclosed_on": timezone.localdate()}
    student_pk = request.GET.get("student", "")
    if request.method == "GET" and student_pk.isdigit():
        student = student_model().objects.select_related("user").filter(pk=int(student_pk)).first()
        if student is not None:
            initial["student_id"] = student.external_id or student.user.email
    form = DisclosureForm(post_data(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_disclosure(
                    actor=request.user,
                    student=data["student_id"],
                    recipient=data["recipient"],
                    categories=data["categories"],
                    details=data["details"],
                    ground=data["ground"],
                    ground_text=data["ground_text"],
                    disclosed_on=data["disclosed_on"],
                )
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                add_errors(form, error)
                status = status_for(error)
            else:
                messages.success(request, _("The disclosure is recorded in the register."))
                target = "audit:disclosures" if selectors.can_view_disclosures(request.user) else "home"
                return redirect(target)
    return render(request, "audit/disclosure_new.html", {"form": form}, status=status)
