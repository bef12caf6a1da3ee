"""Who may do what with the individual educational route.

Who: the object grants the services write with the facts (`students.assess_application` on the case for its
assigned specialists, `routes.view_route` for a lecturer asked about a section) and role-wide permissions
(`routes.manage_route`, `routes.approve_route`). The state decides the rest (the administration sees what was sent
for approval; the student what was approved).
"""

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import Application

from ..models import Agreement, Route
from .assessment import has_active_assignment


class RouteAccess:
    """How much of a route a user sees."""

    WORKING = "working"  # centre head, assigned specialists: everything, every state
    LECTURER = "lecturer"  # their own course sections and the general part
    ADMINISTRATION = "administration"  # the whole route, no health information, once sent for approval
    APPLICANT = "applicant"  # the student and their representatives: approved versions, in plain words


def is_route_author(user: User, application: Application) -> bool:
    """The centre head or a specialist assigned to the case: who drafts and amends routes."""
    return user.has_perm("routes.manage_route") or (
        user.has_role(Role.SPECIALIST) and has_active_assignment(user, application)
    )


def can_draft_route(user: User, application: Application) -> bool:
    return application.status == Application.Status.CONCLUDED and is_route_author(user, application)


def can_edit_route(user: User, route) -> bool:
    return route.status == Route.Status.DRAFT and is_route_author(user, route.application)


def route_access(user: User, route) -> str | None:
    """The RouteAccess level of `user` on `route`, or None (the page answers 404)."""
    from students import permissions as application_permissions

    application = route.application
    if is_route_author(user, application):
        return RouteAccess.WORKING
    if user.has_perm("routes.view_route", route):  # the object grant of a lecturer asked about the route
        return RouteAccess.LECTURER
    if user.has_perm("routes.approve_route") and (
        route.status == Route.Status.IN_APPROVAL or route.status in Route.APPROVED
    ):
        return RouteAccess.ADMINISTRATION
    if route.status in Route.APPROVED and application_permissions.is_applicant_side(user, application):
        return RouteAccess.APPLICANT
    return None


def can_answer_agreement(user: User, route, section, agreement) -> bool:
    """The lecturer asked about `section` answers its pending agreement while the route is with the lecturers."""
    return (
        agreement is not None
        and agreement.status == Agreement.Status.PENDING
        and route.status == Route.Status.IN_AGREEMENT
        and user.has_perm("routes.agree_routesection", section)
    )


def can_cancel_route(user: User, route) -> bool:
    return not route.is_final and is_route_author(user, route.application)


def can_review_route(user: User, route) -> bool:
    return route.status == Route.Status.IN_FORCE and is_route_author(user, route.application)


def can_close_case(user: User, application: Application) -> bool:
    return application.status == Application.Status.CONCLUDED and user.has_perm("routes.manage_route")


def can_report_changed_needs(user: User, application: Application) -> bool:
    from students import permissions as application_permissions

    return application.status == Application.Status.CONCLUDED and application_permissions.is_applicant_side(
        user, application
    )


def can_download_route(user: User, route) -> bool:
    """The whole approved route as a PDF: the centre, the administration and the student side. Lecturers read
    only their own sections on the route page, so they never get the whole document."""
    if route.status not in Route.APPROVED:
        return False
    return route_access(user, route) in {RouteAccess.WORKING, RouteAccess.ADMINISTRATION, RouteAccess.APPLICANT}
