from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AccessLog
from audit.services import log_access
from students import selectors as application_selectors

from .. import permissions, selectors, services
from ..forms import AssessmentForm, AssignForm, ConclusionForm
from ..models import Assignment
from .common import INVALID
from .common import add_errors as _add_errors
from .common import post_data as _post
from .common import status_for as _status_for


def _to_case(application):
    return redirect("students:application_detail", public_id=application.public_id)


@login_required
@require_POST
def assign(request, public_id):
    application, full = application_selectors.application_for(request.user, public_id)
    if not full or not request.user.has_perm("routes.add_assignment"):
        raise Http404
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_add(
                application=application,
                specialist=form.cleaned_data["specialist"],
                area=form.cleaned_data["area"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The specialist is assigned and has been told."))
            return _to_case(application)
    else:
        status = INVALID
    return render(request, "routes/assign_failed.html", {"form": form, "application": application}, status=status)


@login_required
@require_POST
def unassign(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("application"), pk=pk)
    application, full = application_selectors.application_for(request.user, assignment.application.public_id)
    if not full or not request.user.has_perm("routes.add_assignment"):
        raise Http404
    try:
        services.assignment_end(assignment=assignment, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_case(application)
    messages.success(request, _("The specialist is unassigned and no longer has access to the case."))
    return _to_case(application)


def _save_assessment(request, item, form) -> tuple[int, object]:
    """Save the draft (and finish it when asked): (status, the redirect after success or None)."""
    if not form.is_valid():
        return INVALID, None
    data = form.cleaned_data
    try:
        services.assessment_save(
            assessment=item,
            actor=request.user,
            findings=data["findings"],
            strengths=data["strengths"],
            barriers=data["barriers"],
            adaptations=list(data["adaptations"]),
            free_texts=data["other_recommendations"].splitlines(),
        )
        if request.POST.get("action") == "finish":
            services.assessment_finish(assessment=item, actor=request.user)
            messages.success(request, _("The assessment is finished. The head of the centre has been told."))
            return 302, _to_case(item.assignment.application)
    except ValidationError as error:
        _add_errors(form, error)
        return _status_for(error), None
    messages.success(request, _("The draft is saved."))
    return 302, redirect("routes:assessment", pk=item.assignment_id)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def assessment(request, pk):
    item = selectors.assessment_for(request.user, pk)
    application = item.assignment.application
    editable = permissions.can_edit_assessment(request.user, item)
    if request.method == "POST" and not editable:
        raise Http404
    chosen = [r.adaptation_id for r in item.recommendations.all() if r.adaptation_id]
    initial = {
        "findings": item.findings,
        "strengths": item.strengths,
        "barriers": item.barriers,
        "adaptations": chosen,
        "other_recommendations": "\n".join(r.text for r in item.recommendations.all() if not r.adaptation_id),
    }
    form = AssessmentForm(_post(request), initial=initial)
    status = 200
    if request.method == "POST":
        status, done = _save_assessment(request, item, form)
        if done is not None:
            return done
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    context = {
        "assessment": item,
        "application": application,
        "form": form,
        "editable": editable,
        "groups": selectors.adaptations_by_group(include=set(chosen)),
        "chosen": {str(pk) for pk in (form["adaptations"].value() or [])},
    }
    return render(request, "routes/assessment.html", context, status=status)


@login_required
@require_POST
def conclusion_draft(request, public_id):
    application, full = application_selectors.application_for(request.user, public_id)
    if not full or not permissions.can_draft_conclusion(request.user, application):
        raise Http404
    try:
        conclusion = services.conclusion_draft(application=application, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_case(application)
    except PermissionDenied as denied:
        raise Http404 from denied
    return redirect("routes:conclusion", pk=conclusion.pk)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def conclusion(request, pk):
    item, working = selectors.conclusion_for(request.user, pk)
    editable = working and permissions.can_edit_conclusion(request.user, item)
    if request.method == "POST" and not editable:
        raise Http404
    form = None
    status = 200
    if editable:
        initial = {
            "analysis": item.analysis,
            "support_level": item.support_level,
            "keep_items": list(item.items.all()),
            "revision_reason": item.revision_reason,
        }
        form = ConclusionForm(_post(request), initial=initial, conclusion=item)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                services.conclusion_update(
                    conclusion=item,
                    actor=request.user,
                    analysis=data["analysis"],
                    support_level=data["support_level"],
                    revision_reason=data.get("revision_reason", ""),
                    keep_items=[i.pk for i in data["keep_items"]],
                )
                messages.success(request, _("The draft conclusion is saved."))
                return redirect("routes:conclusion", pk=pk)
            status = INVALID
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    context = {
        "conclusion": item,
        "application": item.application,
        "working": working,
        "editable": editable,
        "form": form,
        "can_sign": editable and permissions.is_centre_head(request.user),
        "sign_due": selectors.conclusion_sign_due(item) if working else None,
        "today": timezone.localdate(),
        "problems": [],
    }
    return render(request, "routes/conclusion.html", context, status=status)


@login_required
@require_POST
def conclusion_sign(request, pk):
    item, working = selectors.conclusion_for(request.user, pk)
    if not working or not permissions.is_centre_head(request.user):
        raise Http404
    try:
        services.conclusion_sign(conclusion=item, actor=request.user)
    except ValidationError as error:
        item, _working = selectors.conclusion_for(request.user, pk)
        editable = permissions.can_edit_conclusion(request.user, item)
        context = {
            "conclusion": item,
            "application": item.application,
            "working": True,
            "editable": editable,
            "form": ConclusionForm(
                initial={
                    "analysis": item.analysis,
                    "support_level": item.support_level,
                    "keep_items": list(item.items.all()),
                    "revision_reason": item.revision_reason,
                },
                conclusion=item,
            )
            if editable
            else None,
            "can_sign": editable,
            "problems": error.messages,
        }
        return render(request, "routes/conclusion.html", context, status=_status_for(error))
    messages.success(request, _("The conclusion is signed and registered. The student has been told."))
    return redirect("routes:conclusion", pk=pk)
