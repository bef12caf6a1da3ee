"""A person's work list: everything waiting on them, with filters, order by due date and pages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..forms.work import WorkFilterForm
from ..selectors.work import has_work_list, work_counts, work_of
from .common import INVALID

PER_PAGE = 25


@login_required
@never_cache
@require_GET
def work(request):
    """Staff only: students and representatives follow their cases on their own pages (404 for them)."""
    if not has_work_list(request.user):
        raise Http404
    today = timezone.localdate()
    items = work_of(request.user, today=today)
    form = WorkFilterForm(request.GET)  # every field is optional: no filter is a valid filter
    valid = form.is_valid()
    shown = form.apply(items, today) if valid else []
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    total, overdue = work_counts(items, today)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "total": total,
        "overdue": overdue,
        "query": query.urlencode(),
    }
    return render(request, "routes/work.html", context, status=200 if valid else INVALID)
