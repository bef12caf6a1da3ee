"""What the case page shows of the routes app: the assessment, the conclusion, the route and
the meetings on the case, and their steps for the case timeline."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.models import StatusChange
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students import permissions as application_permissions
from students.models import Application, MseConclusion
from students.permissions import is_applicant_side
from students.selectors import assessment_due

from .. import permissions
from ..models import Area, Conclusion, PartnerLetter, Route, StudentVoice
from .appeals import appeal_events, appealable, case_appeals
from .assessment import case_assignments, case_conclusions
from .common import _case_rows
from .route import academic_years, case_changed_needs, case_routes, routes_on_case
from .voice import case_voices


def case_status_changes(application: Application) -> tuple[list[StatusChange], list[StatusChange]]:
    """The status changes of the case and of its routes (oldest first), in one query: (the case's, the routes')."""

    def read():
        # The content types' ids (cached per process), so that the index on (content type, object) serves both.
        types = ContentType.objects.get_for_models(Application, Route)
        case_type, route_type = types[Application].pk, types[Route].pk
        route_ids = [route.pk for route in case_routes(application)]
        own = Q(content_type_id=case_type, object_id=application.pk)
        routes = Q(content_type_id=route_type, object_id__in=route_ids)
        changes = list(StatusChange.objects.filter(own | routes if route_ids else own).select_related("actor"))
        return (
            [change for change in changes if change.content_type_id == case_type],
            [change for change in changes if change.content_type_id == route_type],
        )

    return _case_rows(application, "status_changes", read)


def timeline_events(application: Application) -> list[tuple]:
    """The assessment's and the conclusion's steps for the case timeline: (when, text, actor)."""
    events = []
    for assignment in case_assignments(application):
        area = assignment.get_area_display()
        events.append(
            (
                assignment.assigned_at,
                _("A specialist began assessing: %(area)s") % {"area": area},
                assignment.specialist,
            )
        )
        assessment = getattr(assignment, "assessment", None)
        if assessment is not None and assessment.finished_at:
            events.append((assessment.finished_at, _("The assessment was finished: %(area)s") % {"area": area}, None))
        if assignment.ended_at:
            events.append(
                (assignment.ended_at, _("A specialist stopped working on the case: %(area)s") % {"area": area}, None)
            )
    for conclusion in case_conclusions(application):
        if conclusion.status != Conclusion.Status.SIGNED:
            continue
        events.append(
            (
                conclusion.signed_at,
                _("The centre signed its conclusion %(number)s") % {"number": conclusion.registration_number},
                conclusion.signed_by,
            )
        )
    events.extend(_route_events(application))
    events.extend(appeal_events(application))
    return events


def _route_event_text(change, numbers: dict[int, str]) -> str:
    R = Route.Status
    if change.to_status == R.DRAFT:
        if not change.from_status:
            return _("A specialist began drafting the individual educational route")
        if change.from_status == R.IN_APPROVAL:
            return _("The administration returned the route to the specialists for changes")
        return _("The route went back to the specialists for changes")
    texts = {
        R.IN_AGREEMENT: _("The route was sent to the lecturers to agree their courses"),
        R.IN_APPROVAL: _("Every lecturer agreed the route; it went to the administration for approval"),
        R.IN_FORCE: _("The route %(number)s was approved and is in force")
        % {"number": numbers.get(change.object_id, "")},
        R.UNDER_REVIEW: _("The route is being revised"),
        R.SUPERSEDED: _("The route was replaced by a newer version"),
        R.COMPLETED: _("The route was completed"),
        R.CANCELLED: _("The route was cancelled"),
    }
    return texts[change.to_status]


def _route_events(application: Application) -> list[tuple]:
    numbers = {route.pk: route.registration_number for route in case_routes(application)}
    events = []
    if numbers:
        for change in case_status_changes(application)[1]:
            events.append((change.created_at, _route_event_text(change, numbers), change.actor))
    for report in case_changed_needs(application):
        events.append(
            (report.created_at, _("The centre was told that the student's needs changed"), report.reported_by)
        )
    return events + _voice_events(application)


def _voice_events(application: Application) -> list[tuple]:
    """The student's comments on draft routes and acknowledgements of approved ones (their text stays on the
    route page, for the centre)."""
    texts = {
        StudentVoice.Kind.COMMENT: _("The student commented on the draft route"),
        StudentVoice.Kind.ACKNOWLEDGED: _("The student acknowledged the route"),
        StudentVoice.Kind.DISAGREED: _("The student acknowledged the route and said what they disagree with"),
    }
    return [(voice.created_at, texts[voice.kind], voice.author) for voice in case_voices(application)]


def case_section(user: User, application: Application) -> dict:
    """What the case page shows of the assessment and the conclusion to this user."""
    assignments = case_assignments(application)
    conclusions = case_conclusions(application)
    read_assessments = permissions.can_read_assessments(user, application)
    signed = [c for c in conclusions if c.status == Conclusion.Status.SIGNED]
    mine = [a for a in assignments if a.specialist_id == user.pk and a.is_active]
    return {
        "assignments": [a for a in assignments if a.is_active] if read_assessments else [],
        "past_assignments": [a for a in assignments if not a.is_active] if read_assessments else [],
        "my_assignments": mine,
        "can_assign": permissions.can_assign(user, application),
        "specialists": User.objects.filter(groups__name=Role.SPECIALIST.value, is_active=True).order_by("full_name")
        if permissions.can_assign(user, application)
        else [],
        "read_assessments": read_assessments,
        "conclusions": conclusions if read_assessments else signed,
        "draft_conclusion": next((c for c in conclusions if c.status == Conclusion.Status.DRAFT), None)
        if read_assessments
        else None,
        "can_draft_conclusion": permissions.can_draft_conclusion(user, application),
        "assessment_due": assessment_due(application)
        if application.status in {Application.Status.REGISTERED, Application.Status.UNDER_ASSESSMENT}
        else None,
        "areas": Area.choices,
        **_route_part(user, application),
        **_appeal_part(user, application),
        **_letters_part(user, application),
    }


def _appeal_part(user: User, application: Application) -> dict:
    """The appeals block of the case page: the appeals this user may open, and whether they may file one."""
    appeals = case_appeals(application)
    applicant = is_applicant_side(user, application)
    head = permissions.manages_appeals(user)
    return {
        "appeals": [a for a in appeals if applicant or head or a.reviewer_id == user.pk],
        "can_appeal": applicant and bool(appealable(application)),
    }


def _letters_part(user: User, application: Application) -> dict:
    """The letters to external organisations: every one for the centre staff on the case, the sent ones for the
    applicant side, none (and no query) for anyone else."""
    from students import permissions as application_permissions

    from ..permissions.partners import can_write_letters
    from .partners import case_letters

    can_write = can_write_letters(user, application)
    if can_write:
        letters = case_letters(application)
    elif application_permissions.is_applicant_side(user, application):
        letters = [letter for letter in case_letters(application) if letter.status != PartnerLetter.Status.DRAFT]
    else:
        letters = []
    return {"partner_letters": letters, "can_write_letters": can_write}


def _mse_of(application: Application):
    """The student's MSE conclusion, read with the case (students.selectors); None when none is recorded."""
    try:
        return application.student.mse
    except MseConclusion.DoesNotExist:
        return None


def _route_part(user: User, application: Application) -> dict:
    """The route block of the case page: the versions this user may open and what they may do."""
    from ..forms import RouteStartForm
    from .meeting import meetings_on_case

    can_draft = permissions.can_draft_route(user, application)
    routes = routes_on_case(user, application)
    working = permissions.is_route_author(user, application)
    student_side = application_permissions.is_applicant_side(user, application)
    drafts = [route for route in case_routes(application) if route.status == Route.Status.DRAFT]
    return {
        "draft_for_comment": drafts[0] if drafts and student_side else None,
        "can_record_mse": working,
        "mse": _mse_of(application) if working else None,
        "routes": routes,
        "can_draft_route": can_draft and not routes,
        "route_start_form": RouteStartForm(years=academic_years()) if can_draft and not routes else None,
        "can_report_changed_needs": permissions.can_report_changed_needs(user, application),
        "can_close_case": permissions.can_close_case(user, application),
        "meetings": meetings_on_case(user, application),
        "changed_needs": case_changed_needs(application) if working else [],
    }
