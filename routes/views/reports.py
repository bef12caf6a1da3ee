"""The centre head's dashboard and the reports, with XLSX and CSV export."""

import io

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.models import AccessLog
from audit.services import log_access
from inclusion_centre import figure_cache, spreadsheet
from students.models import AcademicTerm, Faculty

from .. import reports
from ..deadlines import dashboard_steps

# The dashboard lists the longest overdue steps only: a list of thousands helps no one and costs every page view.
OVERDUE_SHOWN = 20


@login_required
@never_cache
@require_GET
def dashboard(request):
    if not reports.can_see_dashboard(request.user):
        raise Http404
    today = timezone.localdate()
    figures = figure_cache.cached_fragment(
        "dashboard",
        (today.isoformat(),),
        lambda: render_to_string("routes/_dashboard_figures.html", _dashboard_figures(today)),
    )
    return render(request, "routes/dashboard.html", {"figures": mark_safe(figures), "today": today})


def _dashboard_figures(today) -> dict:
    term = reports.last_term(today)
    since, until = (term.starts_on, min(term.ends_on, today)) if term else (today.replace(month=1, day=1), today)
    workload, people = reports.dashboard_people()
    tables = [
        *reports.cases_and_routes_by_state(),
        workload,
        reports.median_days(since, until),
    ]
    overdue, reviews = dashboard_steps(today, limit=OVERDUE_SHOWN, people=people)
    # Support delivered in the last term surveyed: what its surveys said, and the routes that fell short.
    ended = reports.last_surveyed_term()
    delivery, short_routes, short_count = [], [], 0
    if ended is not None:
        delivery = reports.delivery_tables(reports.case_students(), ended)
        short_routes, short_count = reports.routes_short_of(ended)
    return {
        "charts": [(table, reports.chart_rows(table)) for table in tables],
        "delivery": [(table, []) for table in delivery],
        "ended_term": ended,
        "short_routes": short_routes,
        "short_count": short_count,
        "overdue": overdue,
        "overdue_shown": OVERDUE_SHOWN,
        "reviews": reviews,
        "term": term,
        "since": since,
        "until": until,
    }


class ReportFilterForm(forms.Form):
    term = forms.ModelChoiceField(
        queryset=AcademicTerm.objects.all(), required=False, label=_("Term"), empty_label=_("All terms")
    )
    faculty = forms.ModelChoiceField(
        queryset=Faculty.objects.all(), required=False, label=_("Faculty"), empty_label=_("All faculties")
    )
    format = forms.ChoiceField(
        choices=[("", "HTML"), ("xlsx", "XLSX"), ("csv", "CSV")], required=False, widget=forms.HiddenInput
    )


@login_required
@never_cache
@require_GET
def report(request):
    if not reports.can_see_reports(request.user):
        raise Http404
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        fields = figure_cache.filter_fields("report-filters", form, "routes/_report_filter_fields.html")
        return render(request, "routes/reports.html", {"form": form, "filter_fields": fields}, status=422)
    filters = reports.ReportFilters(term=form.cleaned_data["term"], faculty=form.cleaned_data["faculty"])
    small_groups = reports.sees_small_groups(request.user)

    def tables():
        found = reports.report_tables(filters)
        return found if small_groups else reports.suppress_small_groups(found)

    export = form.cleaned_data["format"]
    if export:
        log_access(request=request, action=AccessLog.Action.EXPORT)
        return _xlsx(tables()) if export == "xlsx" else _csv(tables())

    def figures() -> str:
        charts = [(table, reports.chart_rows(table) if table.chart else []) for table in tables()]
        return render_to_string("routes/_report_figures.html", {"charts": charts})

    parts = (filters.term and filters.term.pk, filters.faculty and filters.faculty.pk, small_groups)
    query = request.GET.urlencode()
    context = {
        "form": form,
        "figures": mark_safe(figure_cache.cached_fragment("report", parts, figures)),
        "filter_fields": figure_cache.filter_fields("report-filters", form, "routes/_report_filter_fields.html"),
        "small_groups": small_groups,
        "threshold": settings.REPORT_MIN_GROUP_SIZE,
        "query": query,
    }
    return render(request, "routes/reports.html", context)


def _export_name(extension: str) -> str:
    return f"inclusion-report-{timezone.localdate().isoformat()}.{extension}"


def _csv(tables) -> HttpResponse:
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer)
    for table in tables:
        writer.writerow([str(table.title)])
        writer.writerow([str(column) for column in table.columns])
        writer.writerows(
            [[value if isinstance(value, int | float) else str(value) for value in row] for row in table.rows]
        )
        writer.writerow([])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


def _xlsx(tables) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=str(table.title)[:31].replace("/", "-"))
        sheet.append(spreadsheet.row(str(column) for column in table.columns))
        for row in table.rows:
            sheet.append(spreadsheet.row(value if isinstance(value, int | float) else str(value) for value in row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("xlsx")}"'
    return response
