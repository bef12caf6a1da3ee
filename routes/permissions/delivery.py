"""Who answers and who reads an end-of-term delivery survey.

The person asked answers it (the student for their own route, a lecturer for their own courses) and reads it
afterwards; the centre (the centre head, the specialists assigned to the case) reads every survey of its routes and
follows up the shortfalls. Nobody else sees it: a forbidden survey answers 404.
"""

from inclusion_centre.accounts.models import User

from ..models import DeliverySurvey
from .route import is_route_author


def sees_all_surveys(user: User) -> bool:
    return user.has_perm("routes.manage_route")


def can_read_survey(user: User, survey: DeliverySurvey) -> bool:
    return survey.respondent_id == user.pk or is_route_author(user, survey.route.application)


def can_answer_survey(user: User, survey: DeliverySurvey) -> bool:
    return survey.respondent_id == user.pk and survey.status == DeliverySurvey.Status.OPEN
