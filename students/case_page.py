"""The case page shows an application with what the apps above students hold about it (assessment, conclusion,
route, meetings), so it is composed at the top (inclusion_centre/pages/case.py), which registers here how to build
its context. This app's views answer a refused move with that page through `render_case_page`."""

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render

TEMPLATE = "students/application_detail.html"

_builder: list[Callable] = []


def register_context(builder: Callable) -> None:
    """`builder(user, application) -> dict` makes the case page's context (called from an AppConfig.ready())."""
    _builder[:] = [builder]


def render_case_page(
    request, application, *, problems: list[str], status: int, extra: dict | None = None
) -> HttpResponse:
    """The case page of `application` for the requesting user, with `problems` listed at its top (and `extra`
    context: a bound form whose messages stand next to its fields)."""
    if not _builder:
        raise LookupError("No case page is registered: is inclusion_centre.pages in INSTALLED_APPS?")
    context = _builder[0](request.user, application)
    context["problems"] = problems
    context.update(extra or {})
    return render(request, TEMPLATE, context, status=status)
