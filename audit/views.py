"""The audit pages: history of any record (centre head, auditor), the access log (auditor), and "who has opened my
file" (student, representative). All read-only: nothing here has a form that writes."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from inclusion_centre import spreadsheet

from . import selectors
from .filters import AccessLogFilter
from .forms import HistoryLookupForm, HistoryReasonForm
from .models import AccessLog
from .services import log_access
from .view_helpers import INVALID, filtered, page_of, query_without_page


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
    return render(
        request, "audit/my_file.html", {"page": page, "several_students": accesses.several_students, "query": ""}
    )
