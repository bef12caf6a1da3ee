"""The case page: an application (students) with its assessment, conclusion, route and meetings (routes).

Composed here from the two apps' selectors. The students app's own moves (submit, register, reject …) answer a
refused move with this page too: `PagesConfig.ready()` registers `case_context` with students.case_page.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.models import AccessLog
from audit.selectors import can_record_disclosure
from audit.services import log_access
from documents.forms import IncomingEntryForm
from inclusion_centre.accounts.models import User
from routes.selectors import case_section, case_status_changes, route_next_step, timeline_events
from students import permissions
from students import selectors as student_selectors
from students.case_page import TEMPLATE
from students.models import Application
from students.stages import label_stages


@login_required
@never_cache
@require_GET
def application_detail(request, public_id):
    application, full = student_selectors.application_for(request.user, public_id)
    if not full:
        return render(request, "students/referral_status.html", {"application": application})
    log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=application)
    return render(request, TEMPLATE, case_context(request.user, application))


def _next_step(application: Application, *, applicant_side: bool):
    if application.status == Application.Status.CONCLUDED:
        return route_next_step(application, applicant_side=applicant_side)  # a concluded case goes on with its route
    return student_selectors.next_step(application, applicant_side=applicant_side)


def _duplicates(user: User, application: Application, *, applicant_side: bool) -> dict:
    """The student's other open cases (for the applicant side and the centre only: a specialist or a lecturer
    learns nothing of cases not theirs), the duplicates settled into this case, and the case this one duplicates."""
    centre = permissions.can_register(user, application)
    other_open, merged_here, linked = [], [], []
    if applicant_side or centre:
        others = student_selectors.open_cases_of(application.student, exclude=application)
        if not applicant_side:
            others = permissions.visible_to_staff(others)
        other_open = list(others) if not application.is_final else []
        merged_here = list(application.duplicates.all())
        linked = [application.duplicate_of] if application.duplicate_of_id else []
    elif application.duplicate_of_id and permissions.can_view(user, application.duplicate_of):
        linked = [application.duplicate_of]
    return {
        "other_open_cases": other_open,
        "merged_here": merged_here,
        "linked_cases": linked,
        "can_settle_duplicate": centre and bool(student_selectors.merge_targets(application)),
    }


def case_context(user: User, application: Application) -> dict:
    """What the case page shows this user, who may see the application in full."""
    documents = list(application.documents.select_related("uploaded_by"))
    routes_section = case_section(user, application)
    timeline = student_selectors.case_timeline(
        application,
        documents,
        status_changes=case_status_changes(application)[0],
        more_events=timeline_events(application),
    )
    applicant_side = permissions.is_applicant_side(user, application)
    label_stages([application])
    duplicates = _duplicates(user, application, applicant_side=applicant_side)
    return {
        **duplicates,
        "routes_section": routes_section,
        "application": application,
        "documents": documents,
        "timeline": timeline,
        "next_step": _next_step(application, applicant_side=applicant_side),
        "consent": getattr(application, "consent", None),
        "registration_due": student_selectors.registration_due(application),
        "overdue": student_selectors.is_overdue(application),
        "applicant_side": applicant_side,
        "can_edit": permissions.can_edit(user, application),
        "can_withdraw": permissions.can_withdraw(user, application),
        "can_register": permissions.can_register(user, application)
        and application.status == Application.Status.SUBMITTED,
        "can_reject": permissions.can_register(user, application)
        and application.status in {Application.Status.SUBMITTED, Application.Status.REGISTERED},
        "can_upload": permissions.can_upload(user, application),
        "can_register_incoming": permissions.can_register_incoming(user, application),
        "incoming_form": IncomingEntryForm(),
        "can_download": permissions.can_download_documents(user, application),
        "can_record_disclosure": can_record_disclosure(user),
    }
