"""The letters of accommodations: the lecturer's list and the letter they acknowledge; the centre head's list of
every letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessLog
from audit.services import log_access
from audit.workflow import IllegalMove

from .. import permissions, selectors, services
from ..models import AccommodationLetter
from .common import CONFLICT


@login_required
@never_cache
@require_GET
def letters(request):
    status = request.GET.get("status", "")
    found = selectors.letters_for(request.user, status)
    if found is None:
        raise Http404
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status if status in selectors.LETTER_STATES else "",
        "states": AccommodationLetter.Status.choices,
        "all_letters": permissions.sees_all_letters(request.user),
    }
    return render(request, "routes/letters.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def letter(request, pk):
    item = selectors.letter_for(request.user, pk)
    can_acknowledge = permissions.can_acknowledge_letter(request.user, item)
    status = 200
    if request.method == "POST":
        if item.lecturer_id != request.user.pk:
            raise Http404
        try:
            services.letter_acknowledge(letter=item, actor=request.user)
        except PermissionDenied as denied:
            raise Http404 from denied
        except IllegalMove as refused:
            messages.error(request, refused.message)
            status = CONFLICT
        else:
            messages.success(request, _("Thank you: the letter is acknowledged."))
            return redirect("routes:letter", pk=item.pk)
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item.route)
    context = {"letter": item, "can_acknowledge": can_acknowledge, "student": item.route.application.student}
    return render(request, "routes/letter.html", context, status=status)
