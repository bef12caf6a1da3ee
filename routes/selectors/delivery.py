"""Reads of the end-of-term delivery surveys: the respondent's list and survey page, the shortfalls the route page
shows the centre, and the centre's follow-up tasks of the work list."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.workdays import add_working_days

from ..models import Assignment, DeliveryAnswer, DeliverySurvey, Route, RouteReview
from ..permissions.delivery import can_read_survey, sees_all_surveys

SURVEY_STATES = tuple(DeliverySurvey.Status.values)
# Working days the centre has to follow up a survey that fell short.
FOLLOW_UP_DAYS = 5
ACTIVE = (Route.Status.IN_FORCE, Route.Status.UNDER_REVIEW)


def _surveys() -> QuerySet:
    return DeliverySurvey.objects.select_related("term", "respondent", "route__application__student__user")


def surveys_for(user: User, status: str = "") -> QuerySet | None:
    """The surveys `user` may list, newest first: their own (a student or a lecturer), or every survey for the
    centre head; None for anyone else (the page answers 404). `status` narrows to one state."""
    if sees_all_surveys(user):
        surveys = _surveys()
    elif user.has_role(Role.STUDENT) or user.has_role(Role.LECTURER):
        surveys = _surveys().filter(respondent=user)
    else:
        return None
    if status in SURVEY_STATES:
        surveys = surveys.filter(status=status)
    return surveys.order_by("-opened_at", "-pk")


def _questions() -> Prefetch:
    return Prefetch(
        "answers",
        queryset=DeliveryAnswer.objects.select_related("measure", "section__course").order_by("order", "pk"),
        to_attr="questions",
    )


def survey_for(user: User, pk: int) -> DeliverySurvey:
    """The survey with its `questions` (measure or course loaded); Http404 unless `user` may read it."""
    survey = _surveys().prefetch_related(_questions()).filter(pk=pk).first()
    if survey is None or not can_read_survey(user, survey):
        raise Http404
    return survey


def _not_reviewed_since_answer() -> Exists:
    return Exists(RouteReview.objects.filter(route=OuterRef("route"), created_at__gte=OuterRef("answered_at")))


def _open_shortfalls() -> QuerySet:
    """Answered surveys that fell short, of routes in force, not yet followed by a review of the route."""
    return DeliverySurvey.objects.filter(
        status=DeliverySurvey.Status.ANSWERED, fell_short=True, route__status__in=ACTIVE
    ).exclude(_not_reviewed_since_answer())


def route_shortfalls(route: Route) -> list[DeliveryAnswer]:
    """The answers of "partly" or "no" of `route`'s surveys not yet followed by a review, with who answered and
    for which term, in one query."""
    surveys = _open_shortfalls().filter(route=route)
    return list(
        DeliveryAnswer.objects.filter(survey__in=surveys, answer__in=DeliveryAnswer.SHORT)
        .select_related("survey__term", "survey__respondent", "measure", "section__course")
        .order_by("survey__term__starts_on", "survey_id", "order", "pk")
    )


def shortfall_tasks(user: User) -> list[tuple[DeliverySurvey, datetime.date]]:
    """(survey, due date) of each shortfall the user follows up: every one for the centre head, those of the
    cases assigned to them for a specialist; [] for anyone else. One query."""
    rows = _open_shortfalls().select_related("term", "route__application__student__user")
    if not sees_all_surveys(user):
        if not user.has_role(Role.SPECIALIST):
            return []
        assigned = Assignment.objects.filter(
            application=OuterRef("route__application"), specialist=user, ended_at__isnull=True
        )
        rows = rows.filter(Exists(assigned))
    return [
        (survey, add_working_days(timezone.localdate(survey.answered_at), FOLLOW_UP_DAYS))
        for survey in rows.order_by("answered_at", "pk")
    ]


def shortfall_url(survey: DeliverySurvey) -> str:
    return reverse("routes:route", args=[survey.route_id])
