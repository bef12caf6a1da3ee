"""Pages of the individual educational route. Each finds the route through a selector that answers 404 to anyone
who may not see it, checks the action is theirs, calls one service, and shows the outcome."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from audit.models import AccessLog
from audit.services import log_access
from students import selectors as application_selectors

from .. import permissions, selectors, services
from ..forms import (
    AgreementForm,
    ChangedNeedsForm,
    MeasureForm,
    ReviewForm,
    RevisionForm,
    RevisionReasonForm,
    RouteGeneralForm,
    RouteStartForm,
    SectionAddForm,
    SectionForm,
)
from ..models import Agreement, Route
from ..selectors.consultation import route_guidance
from .common import CONFLICT, INVALID, ReasonTexts, part_write, reason_page
from .common import add_errors as _add_errors
from .common import post_data as _post
from .common import status_for as _status_for

WORKING = permissions.RouteAccess.WORKING


def _working_route(request, pk) -> Route:
    item, access = selectors.route_for(request.user, pk)
    if access != WORKING:
        raise Http404
    return item


# --- Starting a route ---------------------------------------------------------------------------------------


@login_required
@require_POST
def route_draft(request, public_id):
    application, full = application_selectors.application_for(request.user, public_id)
    if not full or not permissions.can_draft_route(request.user, application):
        raise Http404
    form = RouteStartForm(request.POST, years=selectors.academic_years())
    status = INVALID
    if form.is_valid():
        try:
            item = services.route_draft(
                application=application,
                actor=request.user,
                academic_year=form.cleaned_data["academic_year"],
                term=form.cleaned_data["term"],
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The draft route is ready, filled in from the conclusion. Check every part."))
            return redirect("routes:route_edit", pk=item.pk)
    return render(request, "routes/route_start.html", {"form": form, "application": application}, status=status)


# --- Reading ------------------------------------------------------------------------------------------------


def _section_rows(user, item: Route, access: str, answer_forms: dict) -> list[dict]:
    """Each section the user may read with its valid agreement, the answer form when the answer is theirs to give,
    and the earlier (withdrawn) agreements for those who follow the agreement."""
    current = selectors.current_agreements(item)
    asked = {a.section_id for a in item.agreements.all()}
    rows = []
    for section in selectors.visible_sections(item, user, access):
        agreement = current.get(section.pk)
        can_answer = permissions.can_answer_agreement(user, item, section, agreement)
        # Back in draft, a section asked before and not answered is not waiting for anyone: say so, with no date.
        paused = (
            item.status == Route.Status.DRAFT
            and section.pk in asked
            and (agreement is None or agreement.status == Agreement.Status.PENDING)
        )
        rows.append(
            {
                "section": section,
                "agreement": None if paused else agreement,
                "paused": paused,
                "form": answer_forms.get(agreement.pk, AgreementForm()) if can_answer else None,
                "earlier": [
                    a
                    for a in item.agreements.all()
                    if a.section_id == section.pk and a.status == Agreement.Status.WITHDRAWN
                ]
                if access in {WORKING, permissions.RouteAccess.LECTURER}
                else [],
            }
        )
    return rows


def _route_context(request, item: Route, access: str, **overrides) -> dict:
    user = request.user
    rows = _section_rows(user, item, access, overrides.pop("answer_forms", {}))
    working = access == WORKING
    context = {
        "route": item,
        "application": item.application,
        "access": access,
        "working": working,
        "rows": rows,
        "timeline": [(change, Route.Status(change.to_status).label) for change in selectors.route_timeline(item)],
        "show_comments": access != permissions.RouteAccess.LECTURER,
        "approval_due": selectors.approval_due(item) if item.status == Route.Status.IN_APPROVAL else None,
        "can_edit": working and permissions.can_edit_route(user, item),
        "can_withdraw": working and item.status == Route.Status.IN_AGREEMENT,
        "can_cancel": working and permissions.can_cancel_route(user, item),
        "can_review": working and permissions.can_review_route(user, item),
        "can_approve": access == permissions.RouteAccess.ADMINISTRATION
        and item.status == Route.Status.IN_APPROVAL
        and user.has_perm("routes.approve_route"),
        "reviews": list(item.reviews.select_related("reviewed_by")) if working else [],
        "can_download": permissions.can_download_route(user, item),
        "can_see_support": permissions.support_access(user, item, access) is not None,
        "meeting_decisions": selectors.route_decisions(item),
        "team_decision": selectors.team_decision_on(item)
        if item.status == Route.Status.IN_APPROVAL and access in {WORKING, permissions.RouteAccess.ADMINISTRATION}
        else None,
        "approval_needs_protocol": settings.ROUTE_APPROVAL_NEEDS_PROTOCOL,
        "problems": [],
        "delivery_shortfalls": selectors.route_shortfalls(item) if working else [],
        # The lecturer reads, next to each section they agree, the guidance on the adaptations recommended.
        "guidance": route_guidance(item) if access == permissions.RouteAccess.LECTURER else [],
        **_voice_context(item, working),
    }
    context["mse_review"] = selectors.mse_review_due(item, context["reviews"]) if working else None
    context.update(overrides)
    return context


def _voice_context(item: Route, working: bool) -> dict:
    """The student's voice on the route page: every word for the centre; for the lecturers and the
    administration only whether the approved route was acknowledged (one query)."""
    voices = selectors.route_voices(item)
    return {
        "student_voices": voices if working else [],
        "student_acknowledgement": selectors.acknowledgement_of(voices),
        "show_voice_text": working,
        "approved_states": Route.APPROVED,
    }


@login_required
@never_cache
@require_GET
def route(request, pk):
    item, access = selectors.route_for(request.user, pk)
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    if access == permissions.RouteAccess.APPLICANT:
        return render(
            request,
            "routes/route_student.html",
            {
                "route": item,
                "application": item.application,
                "sections": selectors.visible_sections(item, request.user, access),
                "can_see_support": permissions.support_access(request.user, item, access) is not None,
                "student_acknowledgement": selectors.acknowledgement_of(selectors.route_voices(item)),
            },
        )
    return render(request, "routes/route_detail.html", _route_context(request, item, access))


# --- The editor ---------------------------------------------------------------------------------------------


def _general_initial(item: Route) -> dict:
    return {
        "revision": item.revision,
        "goals": item.goals,
        "support_level": item.support_level,
        "tutor": item.tutor_id,
        "timetable": item.timetable,
        "methods": item.methods,
        "first_review_on": item.first_review_on,
        "second_review_on": item.second_review_on,
        "revision_reason": item.revision_reason,
        **{name: getattr(item, name) for name in services.EXAM_FIELDS},
    }


def _section_form(item: Route, section, data=None) -> SectionForm:
    return SectionForm(
        data,
        prefix=f"s{section.pk}",
        initial={
            "revision": item.revision,
            "content_adaptation": section.content_adaptation,
            "methods": section.methods,
            "assessment_forms": section.assessment_forms,
        },
    )


def _terms(item: Route):
    from students.models import AcademicTerm

    if item.term_id:
        return [item.term]
    return list(AcademicTerm.objects.filter(academic_year=item.academic_year).order_by("starts_on"))


def _general_form(item: Route, data=None) -> RouteGeneralForm:
    return RouteGeneralForm(data, initial=_general_initial(item), route=item)


def _remove_form(item: Route, section) -> RevisionReasonForm:
    return RevisionReasonForm(prefix=f"remove{section.pk}", initial={"revision": item.revision})


def _section_row(item: Route, section, form=None, remove_form=None) -> dict:
    return {
        "section": section,
        "form": form or _section_form(item, section),
        "remove_form": remove_form or _remove_form(item, section),
    }


def _render_editor(request, item: Route, status: int = 200, **bound):
    """The editor with fresh forms, except the one just submitted (`bound`), which keeps its input and errors."""
    sections = [s for s in item.sections.all() if s.is_active]
    bound_sections = bound.get("sections", {})
    bound_removals = bound.get("remove", {})
    context = {
        "route": item,
        "application": item.application,
        "general": bound.get("general") or _general_form(item),
        "sections": [_section_row(item, s, bound_sections.get(s.pk), bound_removals.get(s.pk)) for s in sections],
        "removed": [s for s in item.sections.all() if not s.is_active],
        "add_form": bound.get("add") or SectionAddForm(initial={"revision": item.revision}, terms=_terms(item)),
        "measure_form": bound.get("measure") or MeasureForm(),
        "send_form": RevisionForm(initial={"revision": item.revision}),
        "missing_courses": selectors.courses_without_lecturer(item),
        "problems": bound.get("problems", []),
    }
    return render(request, "routes/route_edit.html", context, status=status)


# Each part of the editor (the general part, each course section) saves on its own: with htmx the answer is that
# part alone, so what is typed in the other parts stays on the page; without JavaScript, the whole page as before.
# A saved part raises the route's revision: the event tells the page, which gives every other form the new one
# (the save just made is the only change since the page was drawn, or the service would have refused it).
REVISION_EVENT = "route-revision"


def _part_response(request, template: str, context: dict, *, status: int, saved: Route | None = None):
    response = render(request, template, {"editable": True, "saved": saved is not None, **context}, status=status)
    if saved is not None:
        trigger_client_event(response, REVISION_EVENT, {"revision": saved.revision})
    return response


def _general_part(request, item: Route, status: int, form=None, saved: Route | None = None):
    route = saved or item
    context = {"route": route, "general": form or _general_form(route)}
    return _part_response(request, "routes/_route_general.html", context, status=status, saved=saved)


def _section_part(request, item: Route, section, status: int, form=None, saved: Route | None = None):
    route = saved or item
    context = {"route": route, "row": _section_row(route, section, form)}
    return _part_response(request, "routes/_route_section.html", context, status=status, saved=saved)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def route_edit(request, pk):
    item = _working_route(request, pk)
    if not permissions.can_edit_route(request.user, item):
        if request.method != "POST":
            return redirect("routes:route", pk=pk)
        problem = _("Only a draft route can be changed; reload to see its state.")
        if request.htmx:  # the part keeps what was typed, with the reason
            form = _general_form(item, request.POST)
            form.is_valid()
            form.add_error(None, problem)
            return _general_part(request, item, CONFLICT, form)
        context = _route_context(request, item, WORKING, problems=[problem])
        return render(request, "routes/route_detail.html", context, status=CONFLICT)
    if request.method == "GET":
        return _render_editor(request, item)
    form = _general_form(item, request.POST)
    status, saved = INVALID, None
    if form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        try:
            saved = services.route_update(route=item, actor=request.user, revision=revision, **data)
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
    if request.htmx:
        if saved is not None:
            return _general_part(request, item, 200, saved=saved)
        return _general_part(request, item, status, form)
    if saved is None:
        return _render_editor(request, item, status, general=form)
    messages.success(request, _("The general part of the route is saved."))
    return redirect("routes:route_edit", pk=pk)


def _editor_section(item: Route, section_pk: int):
    for section in item.sections.all():
        if section.pk == section_pk and section.is_active:
            return section
    raise Http404


@login_required
@require_POST
def section_update(request, pk, section_pk):
    item = _working_route(request, pk)
    section = _editor_section(item, section_pk)
    form = _section_form(item, section, request.POST)
    status, saved = INVALID, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            section = services.section_update(
                section=section,
                actor=request.user,
                revision=data["revision"],
                content_adaptation=data["content_adaptation"],
                methods=data["methods"],
                assessment_forms=data["assessment_forms"],
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
        else:
            item.refresh_from_db(fields=["revision", "updated_at"])
            saved = item
    if request.htmx:
        if saved is not None:
            return _section_part(request, item, section, 200, saved=saved)
        return _section_part(request, item, section, status, form)
    if saved is None:
        return _render_editor(request, item, status, sections={section.pk: form})
    messages.success(request, _("The section “%(course)s” is saved.") % {"course": section.course})
    return redirect(f"{reverse('routes:route_edit', args=[pk])}#section-{section.pk}")


@login_required
@require_POST
def section_add(request, pk):
    item = _working_route(request, pk)
    form = SectionAddForm(request.POST, terms=_terms(item))
    if form.is_valid():
        data = form.cleaned_data
        try:
            section = services.section_add(
                route=item,
                actor=request.user,
                revision=data["revision"],
                course=data["course"],
                term=data["term"],
                lecturer=data["lecturer"],
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            _add_errors(form, error)
            return _render_editor(request, item, _status_for(error), add=form)
        messages.success(request, _("The section “%(course)s” is added.") % {"course": section.course})
        return redirect("routes:route_edit", pk=pk)
    return _render_editor(request, item, INVALID, add=form)


@login_required
@require_POST
def section_remove(request, pk, section_pk):
    item = _working_route(request, pk)
    section = _editor_section(item, section_pk)
    form = RevisionReasonForm(request.POST, prefix=f"remove{section.pk}")
    if form.is_valid():
        try:
            services.section_remove(
                section=section,
                actor=request.user,
                revision=form.cleaned_data["revision"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            _add_errors(form, error)
            return _render_editor(request, item, _status_for(error), remove={section.pk: form})
        messages.success(request, _("The section “%(course)s” is removed.") % {"course": section.course})
        return redirect("routes:route_edit", pk=pk)
    return _render_editor(request, item, INVALID, remove={section.pk: form})


def _measures_response(request, item: Route, status: int, form: MeasureForm | None):
    form = MeasureForm() if form is None else form
    if request.htmx:
        item = _working_route(request, item.pk)  # fresh rows
        return render(
            request, "routes/_measures.html", {"route": item, "measure_form": form, "editable": True}, status=status
        )
    if status == 200:
        return redirect(f"{reverse('routes:route_edit', args=[item.pk])}#measures")
    return _render_editor(request, item, status, measure=form)


@login_required
@require_POST
def measure_add(request, pk):
    item = _working_route(request, pk)
    return part_write(
        request,
        partial(services.measure_add, route=item, actor=request.user),
        partial(_measures_response, request, item),
        form=MeasureForm(request.POST),
        success=_("The support measure is added."),
    )


@login_required
@require_POST
def measure_remove(request, pk, measure_pk):
    item = _working_route(request, pk)
    measure = next((m for m in item.measures.all() if m.pk == measure_pk), None)
    if measure is None:
        raise Http404
    return part_write(
        request,
        partial(services.measure_remove, measure=measure, actor=request.user),
        partial(_measures_response, request, item),
        refused=MeasureForm,
    )


@login_required
@require_POST
def route_send(request, pk):
    item = _working_route(request, pk)
    form = RevisionForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else -1
    try:
        services.route_send_for_agreement(route=item, actor=request.user, revision=revision)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        item = _working_route(request, pk)
        if item.status == Route.Status.DRAFT:
            return _render_editor(request, item, _status_for(error), problems=error.messages)
        return render(
            request,
            "routes/route_detail.html",
            _route_context(request, item, WORKING, problems=error.messages),
            status=_status_for(error),
        )
    messages.success(request, _("The route is sent to the lecturers for agreement. They have been told."))
    return redirect("routes:route", pk=pk)


# --- Answers and decisions ----------------------------------------------------------------------------------


@login_required
@require_POST
def agreement_answer(request, pk):
    item, access, agreement = selectors.agreement_for(request.user, pk)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_answer(
                agreement=agreement,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("Your answer is recorded. The specialists have been told."))
            return redirect("routes:route", pk=item.pk)
    else:
        status = INVALID
    item, access = selectors.route_for(request.user, agreement.route_id)
    return render(
        request,
        "routes/route_detail.html",
        _route_context(request, item, access, answer_forms={pk: form}, problems=form.non_field_errors()),
        status=status,
    )


@login_required
@require_POST
def route_approve(request, pk):
    item, access = selectors.route_for(request.user, pk)
    if access != permissions.RouteAccess.ADMINISTRATION:
        raise Http404
    try:
        services.route_approve(route=item, actor=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        item, access = selectors.route_for(request.user, pk)
        return render(
            request,
            "routes/route_detail.html",
            _route_context(request, item, access, problems=error.messages),
            status=_status_for(error),
        )
    messages.success(request, _("The route is approved, registered and in force. Everyone concerned has been told."))
    return redirect("routes:route", pk=pk)


RETURN = ReasonTexts(
    title=gettext_lazy("Return the route"),
    intro=gettext_lazy("The route goes back to the specialists as a draft. Say what must change."),
    button=gettext_lazy("Return the route"),
    success=gettext_lazy("The route is returned to the specialists."),
)
WITHDRAW = ReasonTexts(
    title=gettext_lazy("Take the route back to change it"),
    intro=gettext_lazy(
        "The route goes back to draft. When you send it again, lecturers are asked again only about "
        "sections that changed."
    ),
    button=gettext_lazy("Take back"),
    success=gettext_lazy("The route is back in draft."),
)
CANCEL = ReasonTexts(
    title=gettext_lazy("Cancel the route"),
    intro=gettext_lazy("A cancelled route cannot be used again. The student and the lecturers keep what was agreed."),
    button=gettext_lazy("Cancel the route"),
    success=gettext_lazy("The route is cancelled."),
)
CLOSE = ReasonTexts(
    title=gettext_lazy("Close the case"),
    intro=gettext_lazy(
        "Close the case when the student graduates, leaves, or no longer needs support. Routes in force "
        "are completed; routes being prepared are cancelled."
    ),
    button=gettext_lazy("Close the case"),
    success=gettext_lazy("The case is closed. The student has been told."),
)


def _route_decision(texts: ReasonTexts, service, allowed, *, access: str = WORKING, back: str = "routes:route"):
    """A page that asks why, then moves the route with `service(route=, actor=, reason=)`: for those with
    `access` to the route when `allowed(user, route)`, 404 for everyone else."""

    @login_required
    @never_cache
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        item, their_access = selectors.route_for(request.user, pk)
        if their_access != access or not allowed(request.user, item):
            raise Http404
        action = partial(service, route=item, actor=request.user)
        return reason_page(request, texts, item=item, action=action, back=reverse(back, args=[item.pk]))

    return view


route_return = _route_decision(
    RETURN,
    services.route_return,
    lambda user, item: item.status == Route.Status.IN_APPROVAL,
    access=permissions.RouteAccess.ADMINISTRATION,
)
route_withdraw = _route_decision(
    WITHDRAW,
    services.route_withdraw_from_agreement,
    lambda user, item: item.status == Route.Status.IN_AGREEMENT,
    back="routes:route_edit",
)
route_cancel = _route_decision(CANCEL, services.route_cancel, permissions.can_cancel_route)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def route_review(request, pk):
    item = _working_route(request, pk)
    if not permissions.can_review_route(request.user, item):
        raise Http404
    reports = list(item.application.changed_needs.filter(review__isnull=True).select_related("reported_by"))
    mse_review = selectors.mse_review_due(item, list(item.reviews.all()))
    initial = {"reason": "mse_lapsed" if mse_review else "changed_needs" if reports else "scheduled"}
    form = ReviewForm(_post(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                review = services.route_review(route=item, actor=request.user, **form.cleaned_data)
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                _add_errors(form, error)
                status = _status_for(error)
            else:
                if review.outcome == "revise":
                    messages.success(request, _("A new version of the route is drafted. Change what the review found."))
                    return redirect("routes:route_edit", pk=Route.objects.get(previous=item).pk)
                messages.success(request, _("The review is recorded."))
                return redirect("routes:route", pk=pk)
        else:
            status = INVALID
    context = {"form": form, "route": item, "application": item.application, "reports": reports}
    context["mse_review"] = mse_review
    context["delivery_shortfalls"] = selectors.route_shortfalls(item)
    return render(request, "routes/route_review.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def changed_needs(request, public_id):
    application, full = application_selectors.application_for(request.user, public_id)
    if not full or not permissions.can_report_changed_needs(request.user, application):
        raise Http404
    form = ChangedNeedsForm(_post(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.changed_needs_report(
                    application=application, actor=request.user, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                _add_errors(form, error)
                status = _status_for(error)
            else:
                messages.success(request, _("Thank you. The centre has your message and will review your route."))
                return redirect("students:application_detail", public_id=public_id)
        else:
            status = INVALID
    return render(request, "routes/changed_needs.html", {"form": form, "application": application}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_close(request, public_id):
    application, full = application_selectors.application_for(request.user, public_id)
    if not full or not permissions.can_close_case(request.user, application):
        raise Http404
    return reason_page(
        request,
        CLOSE,
        item=application,
        action=partial(services.case_close, application=application, actor=request.user),
        back=reverse("students:application_detail", args=[application.public_id]),
    )


# --- Lists --------------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def agreements(request):
    if not request.user.has_role("lecturer"):
        raise Http404
    page = Paginator(selectors.agreements_awaiting(request.user), 25).get_page(request.GET.get("page"))
    answered = list(selectors.agreements_answered(request.user)[:10])
    context = {"page": page, "answered": answered, "today": timezone.localdate()}
    return render(request, "routes/agreements.html", context)


@login_required
@never_cache
@require_GET
def approvals(request):
    page = Paginator(selectors.approval_queue(request.user), 25).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.approval_due = selectors.approval_due(item)
    return render(request, "routes/approvals.html", {"page": page, "today": timezone.localdate()})
