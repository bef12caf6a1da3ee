"""Who may do what in the assessment and the conclusion."""

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import Application

from ..models import Assessment, Conclusion


def is_centre_head(user: User) -> bool:
    return user.has_perm("routes.sign_conclusion")


def can_assign(user: User, application: Application) -> bool:
    return user.has_perm("routes.add_assignment") and application.status in {
        Application.Status.REGISTERED,
        Application.Status.UNDER_ASSESSMENT,
    }


def has_active_assignment(user: User, application: Application) -> bool:
    """Whether `user` is a specialist assigned to the case: the object grant assignment_add writes and
    assignment_end removes when no area keeps them on it."""
    return user.has_perm("students.assess_application", application)


def can_edit_assessment(user: User, assessment: Assessment) -> bool:
    return (
        assessment.status == Assessment.Status.DRAFT
        and assessment.assignment.application.status == Application.Status.UNDER_ASSESSMENT
        and user.has_perm("routes.edit_assessment", assessment)
    )


def can_read_assessments(user: User, application: Application) -> bool:
    """Findings are health information: the centre head and the specialists assigned to the case."""
    return user.has_perm("routes.view_assessment") or has_active_assignment(user, application)


def can_draft_conclusion(user: User, application: Application) -> bool:
    if application.status not in {Application.Status.UNDER_ASSESSMENT, Application.Status.CONCLUDED}:
        return False
    return is_centre_head(user) or (user.has_role(Role.SPECIALIST) and has_active_assignment(user, application))


def can_edit_conclusion(user: User, conclusion: Conclusion) -> bool:
    return conclusion.status == Conclusion.Status.DRAFT and can_draft_conclusion(user, conclusion.application)


def can_view_conclusion(user: User, conclusion) -> bool:
    """The centre head and the assigned specialists read every version; the student side reads signed ones."""
    from students import permissions as application_permissions

    application = conclusion.application
    if can_read_assessments(user, application):
        return True
    return conclusion.status == Conclusion.Status.SIGNED and application_permissions.is_applicant_side(
        user, application
    )
