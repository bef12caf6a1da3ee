"""What every app's views do the same way with a submitted form and a refused service call: read a POST, answer 409
or 422, and show a service's ValidationError on the form. It lives in audit, the lowest app that knows move()'s
IllegalMove, so that students and routes share it."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator

from audit.workflow import IllegalMove

INVALID, CONFLICT = 422, 409


def post_data(request):
    """The submitted data, or None on GET (`request.POST or None` would treat an empty POST as no POST)."""
    return request.POST if request.method == "POST" else None


def status_for(error: ValidationError) -> int:
    """409 when the object is not in a state for the move (someone acted first), 422 when the input is wrong."""
    return CONFLICT if isinstance(error, IllegalMove) else INVALID


def add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def filtered(request, filter_class, queryset) -> tuple:
    """The list filter bound to the query string, and what it selects: nothing while the query is invalid (the
    page then answers 422 with the filter's messages)."""
    applied = filter_class(request.GET, queryset=queryset)
    return applied, (applied.qs if applied.is_valid() else queryset.none())


def page_of(request, results, per_page: int) -> Page:
    """The page of `results` the query string's `page` asks for (the last for a number past the end)."""
    return Paginator(results, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The query string without its page number, for the pagination links of a filtered list."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
