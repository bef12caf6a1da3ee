"""Reads for the assessment and conclusion pages, filtered to what the user may see."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students import permissions as application_permissions
from students.models import Application
from students.selectors import assessment_due

from . import permissions
from .models import Adaptation, Area, Assessment, Assignment, Conclusion, ConclusionItem, Recommendation


def timeline_events(application: Application) -> list[tuple]:
    """The assessment's and the conclusion's steps for the case timeline: (when, text, actor)."""
    events = []
    for assignment in Assignment.objects.filter(application=application).select_related("specialist", "assessment"):
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
    for conclusion in Conclusion.objects.filter(
        application=application, status=Conclusion.Status.SIGNED
    ).select_related("signed_by"):
        events.append(
            (
                conclusion.signed_at,
                _("The centre signed its conclusion %(number)s") % {"number": conclusion.registration_number},
                conclusion.signed_by,
            )
        )
    return events


def case_section(user: User, application: Application) -> dict:
    """What the case page shows of the assessment and the conclusion to this user."""
    assignments = list(
        Assignment.objects.filter(application=application)
        .select_related("specialist", "assessment")
        .prefetch_related(
            Prefetch("assessment__recommendations", queryset=Recommendation.objects.select_related("adaptation"))
        )
    )
    conclusions = list(Conclusion.objects.filter(application=application).select_related("signed_by"))
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
    }


def assessment_for(user: User, pk: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("assignment__application__student__user", "assignment__specialist")
        .prefetch_related(Prefetch("recommendations", queryset=Recommendation.objects.select_related("adaptation")))
        .filter(assignment__pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404
    application = assessment.assignment.application
    if not permissions.can_read_assessments(user, application):
        raise Http404
    return assessment


def conclusion_for(user: User, pk: int) -> tuple[Conclusion, bool]:
    """The conclusion and whether the user sees the working version (drafts, sources); 404 otherwise.

    The student and their representatives read signed conclusions; the centre head and the assigned
    specialists read every version and where each recommendation came from.
    """
    conclusion = (
        Conclusion.objects.select_related("application__student__user", "signed_by", "drafted_by")
        .prefetch_related(
            "specialists",
            Prefetch(
                "items",
                queryset=ConclusionItem.objects.select_related("adaptation").prefetch_related(
                    Prefetch(
                        "sources",
                        queryset=Recommendation.objects.select_related("assessment__assignment__specialist"),
                    )
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if conclusion is None:
        raise Http404
    application = conclusion.application
    if permissions.can_read_assessments(user, application):
        return conclusion, True
    if conclusion.status == Conclusion.Status.SIGNED and application_permissions.is_applicant_side(user, application):
        return conclusion, False
    raise Http404


def adaptations_by_group(include: set[int] | None = None) -> list[tuple[str, list[Adaptation]]]:
    """The catalogue in its groups: entries in use, plus retired ones already chosen (they stay readable)."""
    include = include or set()
    groups: dict[str, list[Adaptation]] = {}
    for adaptation in Adaptation.objects.all():
        if adaptation.is_active or adaptation.pk in include:
            groups.setdefault(adaptation.get_group_display(), []).append(adaptation)
    return list(groups.items())


def assignments_of(user: User) -> QuerySet:
    """A specialist's active assignments, for their home page."""
    return (
        Assignment.objects.filter(specialist=user, ended_at__isnull=True)
        .select_related("application__student__user", "assessment")
        .order_by("assigned_at")
    )
