"""Users' object grants on the routes app's objects (inclusion_centre/accounts/grants.py), in django-guardian's
direct foreign-key tables: one table per object type, rows deleted with their object. Grants go to users only.

- Assessment `edit_assessment`: the specialist whose assignment it belongs to, while assigned.
- Route `view_route`: a lecturer asked to agree a section of the route (the general part and their sections).
- RouteSection `agree_routesection`: the lecturer asked, while their answer is pending.
- TeamMeeting `view_teammeeting`: a member of the meeting (what they see follows from their capacity).
"""

from django.db import models
from guardian.models import UserObjectPermissionBase

from .assessment import Assessment
from .meeting import TeamMeeting
from .route import Route, RouteSection


class AssessmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Assessment, on_delete=models.CASCADE)


class RouteUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Route, on_delete=models.CASCADE)


class RouteSectionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(RouteSection, on_delete=models.CASCADE)


class TeamMeetingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE)
