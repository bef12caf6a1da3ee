"""The "Support delivered" page of a route: its measures with the sessions given under each, and the form the
centre logs a session with."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.models import AccessLog
from audit.services import log_access

from .. import permissions, selectors, services
from ..forms import SupportSessionForm
from .common import INVALID, add_errors, post_data, status_for


def _write(request, form: SupportSessionForm, write) -> int | None:
    """Call `write` (a service, with the actor bound) with the form's input: None after a success, else the status
    to answer with."""
    if not form.is_valid():
        return INVALID
    data = form.cleaned_data
    try:
        write(
            actor=request.user,
            held_on=data["held_on"],
            minutes=data["minutes"],
            notes=data["notes"],
            attended=data["attended"],
        )
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        add_errors(form, error)
        return status_for(error)
    return None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def support(request, pk):
    item, access = selectors.route_for(request.user, pk)
    seen = permissions.support_access(request.user, item, access)
    if seen is None:
        raise Http404
    can_record = seen == permissions.SupportAccess.FULL and permissions.can_record_support(request.user, item)
    if request.method == "POST" and not can_record:
        raise Http404
    measures = selectors.support_measures(item, seen)
    form = SupportSessionForm(post_data(request), measures=measures) if can_record else None
    status = 200
    if request.method == "POST":
        measure = next((m for m in measures if form.is_valid() and m.pk == form.cleaned_data["measure"]), None)
        status = _write(request, form, partial(services.support_session_log, measure=measure))
        if status is None:
            messages.success(request, _("The session is recorded."))
            return redirect("routes:support", pk=item.pk)
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    if can_record:  # which of the rows this user may still correct (no query: the rows are loaded)
        for measure in measures:
            for session in measure.shown_sessions:
                session.correctable = permissions.can_correct_support(request.user, session, item)
    context = {
        "route": item,
        "application": item.application,
        "measures": measures,
        "full": seen == permissions.SupportAccess.FULL,
        "form": form,
        "shown": selectors.SESSIONS_SHOWN,
    }
    return render(request, "routes/support.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def support_correct(request, pk, session_pk):
    """Who recorded a session corrects it, within the week; anyone else gets 404."""
    item, access = selectors.route_for(request.user, pk)
    if permissions.support_access(request.user, item, access) != permissions.SupportAccess.FULL:
        raise Http404
    session = selectors.support_session_for(item, session_pk)
    if not permissions.can_correct_support(request.user, session, item):
        raise Http404
    initial = {
        "held_on": session.held_on,
        "minutes": session.minutes,
        "attended": "yes" if session.attended else "no",
        "notes": session.notes,
    }
    form = SupportSessionForm(post_data(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = _write(request, form, partial(services.support_session_correct, session=session))
        if status is None:
            messages.success(request, _("The session is corrected."))
            return redirect("routes:support", pk=item.pk)
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    context = {"route": item, "session": session, "form": form, "correction_days": permissions.CORRECTION_DAYS}
    return render(request, "routes/support_correct.html", context, status=status)
