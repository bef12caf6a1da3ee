"""The student's page of their route (regulation §4.4): the draft to comment on, the approved route to
acknowledge; and the centre's page of the student's MSE conclusion (§2.3). Each answers 404 to anyone who may not
write there, and changes nothing for them."""

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
from students import selectors as application_selectors
from students.models import MseConclusion

from .. import permissions, selectors, services
from ..forms import AcknowledgeForm, MseForm, VoiceCommentForm
from ..models import Route
from .common import INVALID, add_errors, post_data, status_for


def _voice_form(item: Route, acknowledged: bool, user, data=None):
    if permissions.can_comment_on_draft(user, item):
        return VoiceCommentForm(data)
    if permissions.can_acknowledge_route(user, item, acknowledged):
        return AcknowledgeForm(data)
    return None


def _save_voice(request, item: Route, form) -> None:
    if isinstance(form, VoiceCommentForm):
        services.voice_comment(route=item, actor=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Thank you. The centre has your comment and will read it before going on."))
        return
    agrees = form.cleaned_data["answer"] == AcknowledgeForm.AGREE
    services.voice_acknowledge(route=item, actor=request.user, agrees=agrees, text=form.cleaned_data["text"])
    messages.success(request, _("Thank you. Your answer is recorded on the route."))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def route_voice(request, pk):
    item = selectors.voice_route_for(request.user, pk)
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    voices = selectors.route_voices(item)
    acknowledgement = selectors.acknowledgement_of(voices)
    form = _voice_form(item, acknowledgement is not None, request.user, post_data(request))
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        status = INVALID
        if form.is_valid():
            try:
                _save_voice(request, item, form)
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                add_errors(form, error)
                status = status_for(error)
            else:
                return redirect("routes:route_voice", pk=pk)
    context = {
        "route": item,
        "application": item.application,
        "voices": voices,
        "acknowledgement": acknowledgement,
        "form": form,
        "sections": [section for section in item.sections.all() if section.is_active],
    }
    return render(request, "routes/route_voice.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def mse(request, public_id):
    application, full = application_selectors.application_for(request.user, public_id)
    if not full or not permissions.is_route_author(request.user, application):
        raise Http404
    try:
        current = application.student.mse
    except MseConclusion.DoesNotExist:
        current = None
    initial = {"valid_until": current.valid_until, "disability_group": current.disability_group} if current else {}
    if current is None:
        initial = {"disability_group": application.disability_group}
    form = MseForm(post_data(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                services.mse_record(application=application, actor=request.user, **form.cleaned_data)
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                add_errors(form, error)
                status = status_for(error)
            else:
                messages.success(request, _("The MSE conclusion's date is recorded."))
                return redirect("students:application_detail", public_id=public_id)
    context = {"form": form, "application": application, "current": current}
    return render(request, "routes/mse.html", context, status=status)
