"""Who may do what with an application. Every view asks these; none hides a link and hopes.

Who: role-wide permissions of the role's group (ModelBackend) and the object grants services write with the facts
(inclusion_centre/accounts/grants.py): `view_application` (the student, their representatives, the specialists
assigned), `view_application_status` (a referring lecturer), `act_for_student` (a legal representative). The
functions below add the state (a draft may be edited, a final application may not)."""

from django.db.models import Exists, OuterRef

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role

from .models import Application, Enrolment, Student, TeachingAssignment


def has_perm_on(user: User, perm: str, obj) -> bool:
    """A role-wide (model-level) grant or an object grant (guardian). Django's ModelBackend ignores model-level
    permissions when asked about an object, hence both questions."""
    return user.has_perm(perm) or user.has_perm(perm, obj)


def can_view(user: User, application: Application) -> bool:
    # The applicant side is also recognised from the relations themselves, so a representative recorded after
    # the application was made (or imported) is not locked out of it.
    return has_perm_on(user, "students.view_application", application) or is_applicant_side(user, application)


def can_view_status(user: User, application: Application) -> bool:
    return can_view(user, application) or user.has_perm("students.view_application_status", application)


def is_applicant_side(user: User, application: Application) -> bool:
    """The student themselves or one of their legal representatives (the object grant `act_for_student`)."""
    student = application.student
    return student.user_id == user.pk or user.has_perm("students.act_for_student", student)


def can_edit(user: User, application: Application) -> bool:
    if application.status != Application.Status.DRAFT:
        return False
    return is_applicant_side(user, application) or (
        application.filed_by_id == user.pk and application.filed_as != Application.FiledAs.LECTURER
    )


def can_withdraw(user: User, application: Application) -> bool:
    return application.status in {Application.Status.DRAFT, Application.Status.SUBMITTED} and (
        is_applicant_side(user, application) or application.filed_by_id == user.pk
    )


def can_register(user: User, application: Application) -> bool:
    return user.has_perm("students.register_application")


def can_upload(user: User, application: Application) -> bool:
    if application.is_final:
        return False
    return is_applicant_side(user, application) or user.has_perm("students.register_application")


def can_download_documents(user: User, application: Application) -> bool:
    # Lecturers (status only) and administration never reach uploaded documents: they hold no view_application.
    return can_view(user, application)


def can_apply_for(user: User, student: Student) -> str | None:
    """How `user` may start an application for `student` (the FiledAs value), or None."""
    if student.user_id == user.pk:
        return Application.FiledAs.STUDENT
    if user.has_role(Role.REPRESENTATIVE) and user.has_perm("students.act_for_student", student):
        return Application.FiledAs.REPRESENTATIVE
    if user.has_role(Role.LECTURER) and taught_by(user).filter(pk=student.pk).exists():
        return Application.FiledAs.LECTURER
    return None


def taught_by(lecturer: User):
    """Students enrolled in a course the lecturer teaches in the same term: whom they may refer."""
    teaches = TeachingAssignment.objects.filter(lecturer=lecturer, course=OuterRef("course"), term=OuterRef("term"))
    enrolled = Enrolment.objects.filter(student=OuterRef("pk")).filter(Exists(teaches))
    return Student.objects.filter(Exists(enrolled))
