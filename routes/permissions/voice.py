"""Who writes and who reads the student's voice on a route (regulation §4.4).

Only the student of the route and their legal representatives write: a comment while the route is a draft, one
acknowledgement (with or without disagreement) once it is in force. The centre (the route's authors) reads every
word; the administration and the lecturers asked see only whether the route was acknowledged, never the text,
which may speak of the student's health. Anyone else gets 404 from the student's page.
"""

from inclusion_centre.accounts.models import User

from ..models import Route


def is_route_student(user: User, route: Route) -> bool:
    from students import permissions as application_permissions

    return application_permissions.is_applicant_side(user, route.application)


def can_open_voice(user: User, route: Route) -> bool:
    """The student's page of their route: the draft to comment on, or the approved route to acknowledge."""
    return (route.status == Route.Status.DRAFT or route.status in Route.APPROVED) and is_route_student(user, route)


def can_comment_on_draft(user: User, route: Route) -> bool:
    return route.status == Route.Status.DRAFT and is_route_student(user, route)


def can_acknowledge_route(user: User, route: Route, acknowledged: bool) -> bool:
    return not acknowledged and route.status == Route.Status.IN_FORCE and is_route_student(user, route)
