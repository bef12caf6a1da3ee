"""Reads of the MSE conclusion's validity (routes/services/mse.py): the routes waiting for a review because the
student's MSE conclusion lapsed, for the centre's work list and the route page."""

from django.db.models import Exists, F, OuterRef, Q

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import MseConclusion

from ..models import Assignment, Route, RouteReview

LAPSED = MseConclusion.Status.LAPSED


def routes_waiting_for_mse_review():
    """Routes in force whose student's MSE conclusion lapsed, with no review for that reason since the lapse."""
    reviewed = RouteReview.objects.filter(
        route=OuterRef("pk"),
        reason=RouteReview.Reason.MSE_LAPSED,
        created_at__gte=OuterRef("application__student__mse__lapsed_at"),
    )
    return (
        Route.objects.filter(
            status=Route.Status.IN_FORCE, application__student__mse__status=MseConclusion.Status.LAPSED
        )
        .exclude(Exists(reviewed))
        .annotate(mse_lapsed_at=F("application__student__mse__lapsed_at"))
    )


def mse_review_tasks(user: User):
    """The routes of `routes_waiting_for_mse_review` this user reviews: every one for the centre head, the routes
    of their cases for a specialist; none for anyone else (one query)."""
    head, specialist = user.has_perm("routes.manage_route"), user.has_role(Role.SPECIALIST)
    if not (head or specialist):
        return Route.objects.none()
    rows = routes_waiting_for_mse_review().select_related("application__student__user")
    if head:
        return rows
    assigned = Assignment.objects.filter(application=OuterRef("application"), specialist=user, ended_at__isnull=True)
    return rows.filter(Q(Exists(assigned)))


def mse_review_due(route: Route, reviews: list[RouteReview]) -> MseConclusion | None:
    """The student's lapsed MSE conclusion when this route in force (read with it) waits for a review because of
    it, judged from the route's reviews already read; None otherwise. No query."""
    try:
        mse = route.application.student.mse
    except MseConclusion.DoesNotExist:
        return None
    if route.status != Route.Status.IN_FORCE or mse.status != MseConclusion.Status.LAPSED:
        return None
    done = any(r.reason == RouteReview.Reason.MSE_LAPSED and r.created_at >= mse.lapsed_at for r in reviews)
    return None if done else mse
