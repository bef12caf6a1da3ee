"""The end-of-term delivery surveys: the respondent's list and the survey they answer; the centre head's list of
every survey. The centre reads a survey from its list or from the route's "delivery fell short" banner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessLog
from audit.services import log_access

from .. import permissions, selectors, services
from ..forms import SurveyForm
from ..forms.delivery import question_hint, question_text
from ..models import DeliverySurvey
from .common import CONFLICT, INVALID, add_errors, post_data, status_for


@login_required
@never_cache
@require_GET
def delivery_surveys(request):
    status = request.GET.get("status", "")
    found = selectors.surveys_for(request.user, status)
    if found is None:
        raise Http404
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status if status in selectors.SURVEY_STATES else "",
        "states": DeliverySurvey.Status.choices,
        "all_surveys": permissions.sees_all_surveys(request.user),
    }
    return render(request, "routes/delivery/surveys.html", context)


def _answer(request, item: DeliverySurvey, form: SurveyForm) -> int | None:
    """None after the answers are saved, else the status to answer with."""
    if not form.is_valid():
        return INVALID
    try:
        services.survey_answer(survey=item, actor=request.user, answers=form.answers())
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        add_errors(form, error)
        return status_for(error)
    return None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def delivery_survey(request, pk):
    item = selectors.survey_for(request.user, pk)
    can_answer = permissions.can_answer_survey(request.user, item)
    if request.method == "POST" and item.respondent_id != request.user.pk:
        raise Http404
    form = SurveyForm(post_data(request), questions=item.questions) if can_answer else None
    status = 200
    if request.method == "POST":
        if form is None:
            closed = _("This survey is closed: it is “%(current)s”.")
            messages.error(request, closed % {"current": item.get_status_display()})
            status = CONFLICT
        else:
            status = _answer(request, item, form)
            if status is None:
                messages.success(request, _("Thank you: your answers are sent to the centre."))
                return redirect("routes:delivery_survey", pk=item.pk)
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item.route)
    rows = [(q, question_text(q), question_hint(q)) for q in item.questions]
    context = {
        "survey": item,
        "form": form,
        "rows": rows,
        "respondent": item.respondent_id == request.user.pk,
        "student": item.route.application.student,
    }
    return render(request, "routes/delivery/survey.html", context, status=status)
