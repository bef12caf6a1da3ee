"""What every page of the routes app does the same way: read a POST, turn a refused service call into 409 or 422."""

from django.core.exceptions import ValidationError

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


def unbound_with_errors(form_class, error: ValidationError, **kwargs):
    """An empty form that carries a service's refusal, for a POST that submitted nothing to bind (a remove
    button). add_error needs the state cleaning leaves (errors and cleaned_data): an unbound form has neither."""
    form = form_class(**kwargs)
    form.full_clean()
    form.cleaned_data = {}
    add_errors(form, error)
    return form
