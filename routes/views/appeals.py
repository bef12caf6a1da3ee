"""Appeals (regulation §8): the applicant side's own appeals and the form to file one from the case page, the
reviewer's queue, and an appeal's page with the reviewer's answer, the appellant's withdrawal and the centre head's
choice of reviewer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessLog
from audit.services import log_access
from audit.view_helpers import page_of, query_without_page
from inclusion_centre.accounts.models import User
from students import selectors as student_selectors
from students.permissions import is_applicant_side

from .. import services
from ..forms.appeals import AppealAssignForm, AppealForm, AppealMoveForm, AppealQueueFilterForm
from ..models import Appeal, Conclusion, Route
from ..permissions import appeals as permissions
from ..selectors import appeals as selectors
from ..workflow import APPEAL_ALLOWED
from .common import INVALID, add_errors, post_data, status_for

PER_PAGE = 20
AP = Appeal.Status


def _call(form, write) -> int | None:
    """Call `write()` for a valid form: None after a success, else the status to answer with (errors on the form)."""
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


@login_required
@never_cache
@require_GET
def my_appeals(request):
    """The appeals of the student the user is, or represents."""
    if not permissions.is_student_or_representative(request.user):
        raise Http404
    page = page_of(request, selectors.own_appeals(request.user), PER_PAGE)
    items = selectors.mark_overdue(list(page))
    return render(request, "routes/appeals/mine.html", {"page": page, "items": items})


def _targets(application, value: str):
    """(subject, conclusion, route) of a decision choice such as "conclusion:12"."""
    kind, _sep, pk = value.partition(":")
    if kind == Appeal.Subject.CONCLUSION:
        return kind, Conclusion.objects.filter(pk=pk, application=application).first(), None
    if kind == Appeal.Subject.ROUTE:
        return kind, None, Route.objects.filter(pk=pk, application=application).first()
    return kind, None, None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def appeal_new(request, public_id):
    """File an appeal against a decision on the case (the applicant side only)."""
    application, full = student_selectors.application_for(request.user, public_id)
    if not full or not is_applicant_side(request.user, application):
        raise Http404
    choices = selectors.appealable(application)
    form = AppealForm(post_data(request), choices=choices)
    status = 200
    if request.method == "POST":
        created = []

        def write():
            subject, conclusion, route = _targets(application, form.cleaned_data["decision"])
            created.append(
                services.appeal_file(
                    actor=request.user,
                    application=application,
                    subject=subject,
                    conclusion=conclusion,
                    route=route,
                    grounds=form.cleaned_data["grounds"],
                )
            )

        status = _call(form, write)
        if status is None:
            messages.success(request, _("Your appeal is filed. You will be told of the answer."))
            return redirect("routes:appeal", pk=created[0].pk)
    context = {"form": form, "application": application, "choices": choices}
    return render(request, "routes/appeals/new.html", context, status=status)


@login_required
@never_cache
@require_GET
def appeal_queue(request):
    """The reviewer's queue (every appeal for the centre head), the earliest deadline first."""
    if not selectors.has_queue(request.user):
        raise Http404
    today = timezone.localdate()
    form = AppealQueueFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.review_queue(
        request.user, status=filters.get("status", ""), overdue=filters.get("overdue", False), today=today
    )
    page = page_of(request, found, PER_PAGE)
    items = selectors.mark_overdue(list(page), today)
    context = {"form": form, "page": page, "items": items, "query": query_without_page(request)}
    return render(request, "routes/appeals/queue.html", context, status=200 if form.is_valid() else INVALID)


def _answers(user: User, appeal: Appeal) -> list[tuple[str, str]]:
    """The moves this user may make on the appeal now: the reviewer's, or the appellant's withdrawal."""
    allowed = APPEAL_ALLOWED.get(appeal.status, set())
    mine = set()
    if permissions.can_review_appeal(user, appeal):
        mine |= allowed - {AP.WITHDRAWN}
    if permissions.can_withdraw_appeal(user, appeal):
        mine |= allowed & {AP.WITHDRAWN}
    return [(value, label) for value, label in AP.choices if value in mine]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def appeal_detail(request, pk):
    """An appeal: the decision, the grounds, its timeline and the answer; the form of the moves this user may make."""
    appeal = selectors.appeal_for(request.user, pk)
    choices = _answers(request.user, appeal)
    if request.method == "POST" and not choices:
        raise Http404
    form = AppealMoveForm(post_data(request), choices=choices) if choices else None
    status = 200
    if request.method == "POST":

        def write():
            data = form.cleaned_data
            services.appeal_move(appeal=appeal, actor=request.user, to_status=data["to_status"], answer=data["answer"])

        status = _call(form, write)
        if status is None:
            messages.success(request, _("Recorded; the appellant is told."))
            return redirect("routes:appeal", pk=appeal.pk)
    if not permissions.is_appellant_side(request.user, appeal):
        log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=appeal.application)
    selectors.mark_overdue([appeal])
    can_assign = permissions.can_assign_reviewer(request.user, appeal)
    context = {
        "appeal": appeal,
        "form": form,
        "timeline": selectors.appeal_timeline(appeal),
        "assign_form": AppealAssignForm(people=selectors.reviewers(appeal.decided_by_id)) if can_assign else None,
        "appellant_side": permissions.is_appellant_side(request.user, appeal),
        "queue": selectors.has_queue(request.user),
    }
    return render(request, "routes/appeals/detail.html", context, status=status)


@login_required
@never_cache
@require_POST
def appeal_assign(request, pk):
    """The centre head gives the appeal to another reviewer (never the author of the decision)."""
    appeal = selectors.appeal_for(request.user, pk)
    if not permissions.can_assign_reviewer(request.user, appeal):
        raise Http404
    people = selectors.reviewers(None)
    form = AppealAssignForm(request.POST, people=people)
    by_pk = {person.pk: person for person in people}
    status = _call(
        form,
        lambda: services.appeal_assign(
            appeal=appeal, actor=request.user, reviewer=by_pk[form.cleaned_data["reviewer"]]
        ),
    )
    if status is None:
        messages.success(request, _("The reviewer is changed and told."))
        return redirect("routes:appeal", pk=appeal.pk)
    selectors.mark_overdue([appeal])
    context = {
        "appeal": appeal,
        "form": None,
        "timeline": selectors.appeal_timeline(appeal),
        "assign_form": form,
        "appellant_side": False,
        "queue": True,
    }
    return render(request, "routes/appeals/detail.html", context, status=status)
