"""Who may do what in the assessment and the conclusion."""

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import Application

from .models import Assessment, Assignment, Conclusion


def is_centre_head(user: User) -> bool:
    return user.has_perm("routes.sign_conclusion")


def can_assign(user: User, application: Application) -> bool:
    return user.has_perm("routes.add_assignment") and application.status in {
        Application.Status.REGISTERED,
        Application.Status.UNDER_ASSESSMENT,
    }


def active_assignments_of(user: User, application: Application) -> list[Assignment]:
    return [a for a in application.assignments.all() if a.specialist_id == user.pk and a.is_active]


def can_edit_assessment(user: User, assessment: Assessment) -> bool:
    assignment = assessment.assignment
    return (
        assignment.specialist_id == user.pk
        and assignment.is_active
        and assessment.status == Assessment.Status.DRAFT
        and assignment.application.status == Application.Status.UNDER_ASSESSMENT
    )


def can_read_assessments(user: User, application: Application) -> bool:
    """Findings are health information: the centre head and the specialists assigned to the case."""
    return user.has_perm("routes.view_assessment") or bool(active_assignments_of(user, application))


def can_draft_conclusion(user: User, application: Application) -> bool:
    if application.status not in {Application.Status.UNDER_ASSESSMENT, Application.Status.CONCLUDED}:
        return False
    return is_centre_head(user) or (user.has_role(Role.SPECIALIST) and bool(active_assignments_of(user, application)))


def can_edit_conclusion(user: User, conclusion: Conclusion) -> bool:
    return conclusion.status == Conclusion.Status.DRAFT and can_draft_conclusion(user, conclusion.application)
