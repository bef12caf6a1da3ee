"""What every page of the routes app does the same way: read a POST, turn a refused service call into 409 or 422,
ask for the reason of a decision, add or remove a row with htmx."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from audit.view_helpers import CONFLICT, INVALID, add_errors, post_data, status_for

from ..forms import ReasonForm

__all__ = ["CONFLICT", "INVALID", "add_errors", "post_data", "status_for"]  # shared with students (audit)


def unbound_with_errors(form_class, error: ValidationError, **kwargs):
    """An empty form that carries a service's refusal, for a POST that submitted nothing to bind (a remove
    button). add_error needs the state cleaning leaves (errors and cleaned_data): an unbound form has neither."""
    form = form_class(**kwargs)
    form.full_clean()
    form.cleaned_data = {}
    add_errors(form, error)
    return form


@dataclass(frozen=True)
class ReasonTexts:
    """What a reason page says: its title and introduction, the button, and the message after the decision."""

    title: str
    intro: str
    button: str
    success: str


def reason_page(request, texts: ReasonTexts, *, item, action, back: str, done: str | None = None):
    """A page with one reason field for a decision that must be explained (return, withdraw, cancel, close,
    correct): `action(reason=...)` calls the service; after it the user goes to `done` (else `back`)."""
    form = ReasonForm(post_data(request))
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                action(reason=form.cleaned_data["reason"])
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                add_errors(form, error)
                status = status_for(error)
            else:
                messages.success(request, texts.success)
                return redirect(done or back)
    context = {
        "form": form,
        "title": texts.title,
        "intro": texts.intro,
        "button": texts.button,
        "back": back,
        "item": item,
    }
    return render(request, "routes/reason_form.html", context, status=status)


def part_write(request, write, respond, *, form=None, refused=None, success: str = ""):
    """An htmx add or remove button: `write(**form.cleaned_data)` (or `write()` without a form), then
    `respond(status, form)` renders the changed part (htmx) or the page; `form` is None after a success. A remove
    that is refused shows its message on an empty form made by `refused` (a form class or a partial of one)."""
    if form is not None and not form.is_valid():
        return respond(INVALID, form)
    try:
        if form is None:
            write()
        else:
            write(**form.cleaned_data)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        if form is None:
            return respond(status_for(error), unbound_with_errors(refused, error))
        add_errors(form, error)
        return respond(status_for(error), form)
    if success and not request.htmx:
        messages.success(request, success)
    return respond(200, None)


def form_write(form, write) -> int | None:
    """Call `write()` for a valid form: None after a success, else the status to answer with (the errors put on the
    form). A refusal by permission answers 404."""
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
