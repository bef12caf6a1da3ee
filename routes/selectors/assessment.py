"""Reads for the assessment and conclusion pages, already filtered to what the user may see."""

import datetime

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from inclusion_centre.accounts.grants import granted
from inclusion_centre.accounts.models import User
from inclusion_centre.workdays import add_working_days
from students.models import Application

from .. import permissions
from ..models import Adaptation, Assessment, Assignment, Conclusion, ConclusionItem, Recommendation
from .common import _case_rows


def case_assignments(application: Application) -> list[Assignment]:
    return _case_rows(
        application,
        "assignments",
        # The case page shows each assignment's specialist and its assessment's status, never the recommendations.
        lambda: list(Assignment.objects.filter(application=application).select_related("specialist", "assessment")),
    )


def case_conclusions(application: Application) -> list[Conclusion]:
    return _case_rows(
        application,
        "conclusions",
        lambda: list(Conclusion.objects.filter(application=application).select_related("signed_by")),
    )


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
    if not permissions.can_view_conclusion(user, conclusion):
        raise Http404
    return conclusion, permissions.can_read_assessments(user, conclusion.application)


def adaptations_by_group(include: set[int] | None = None) -> list[tuple[str, list[Adaptation]]]:
    """The catalogue in its groups: entries in use, plus retired ones already chosen (they stay readable)."""
    include = include or set()
    groups: dict[str, list[Adaptation]] = {}
    for adaptation in Adaptation.objects.all():
        if adaptation.is_active or adaptation.pk in include:
            groups.setdefault(adaptation.get_group_display(), []).append(adaptation)
    return list(groups.items())


def assignments_of(user: User) -> QuerySet:
    """A specialist's active assignments, for their home page: the cases they hold `students.assess_application`
    on (the grant the assignment wrote), each with the assignment that names them."""
    cases = granted(user, "students.assess_application", Application.objects.all())
    return (
        Assignment.objects.filter(application__in=cases, specialist=user, ended_at__isnull=True)
        .select_related("application__student__user", "assessment")
        .order_by("assigned_at")
    )


def conclusion_sign_due(conclusion) -> datetime.date | None:
    """When the centre head is due to sign a draft conclusion (None once it is signed)."""
    if conclusion.status != Conclusion.Status.DRAFT:
        return None
    return add_working_days(
        timezone.localdate(conclusion.created_at), settings.DEADLINE_WORKING_DAYS["sign_conclusion"]
    )
