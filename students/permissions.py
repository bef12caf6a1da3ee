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


def is_author(user: User, application: Application) -> bool:
    """The applicant side, or whoever filed the application (a referring lecturer, the centre for paper)."""
    return application.filed_by_id == user.pk or is_applicant_side(user, application)


def hidden_draft(user: User, application: Application) -> bool:
    """Drafts belong to their authors until submitted: nobody else sees one, whatever their role or grants (not
    in a page, list, count, export, history or PDF). The one rule every read of an application asks first."""
    return application.is_unsubmitted and not is_author(user, application)


def can_view(user: User, application: Application) -> bool:
    if hidden_draft(user, application):
        return False
    # The applicant side is also recognised from the relations themselves, so a representative recorded after
    # the application was made (or imported) is not locked out of it.
    return has_perm_on(user, "students.view_application", application) or is_applicant_side(user, application)


def can_view_status(user: User, application: Application) -> bool:
    if hidden_draft(user, application):
        return False
    return can_view(user, application) or user.has_perm("students.view_application_status", application)


def visible_to_staff(queryset, prefix: str = ""):
    """`queryset` without the applications still private to their authors (or the rows of them, with `prefix`
    "application__"): for the centre's lists, counts, reports, exports and the admin, which show no one's drafts."""
    return queryset.exclude(Application.unsubmitted_q(prefix))


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
    # A draft cannot be registered or rejected (students.workflow refuses the move, on the locked row).
    return user.has_perm("students.register_application")


def can_register_incoming(user: User, application: Application) -> bool:
    """The chancellery's incoming number and date: the staff who register applications, once it is registered."""
    return application.registration_number is not None and user.has_perm("students.register_application")


def can_upload(user: User, application: Application) -> bool:
    if application.is_final or hidden_draft(user, application):
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


def _application_history_guard(*, via: str):
    """A guard for audit's history pages (audit.selectors.register_history_guard): the history of an application
    nobody has submitted yet, or of its consent or uploads, is its authors' alone. A row gone since is not guarded
    here (only its history is left)."""

    def guard(user: User, pk: int) -> bool:
        query = Application.objects.select_related("student")
        application = query.filter(pk=pk).first() if not via else query.filter(**{via: pk}).first()
        return application is None or not hidden_draft(user, application)

    return guard


def history_guards() -> dict:
    return {
        "students.application": _application_history_guard(via=""),
        "students.consent": _application_history_guard(via="consent__pk"),
        "students.supportingdocument": _application_history_guard(via="documents__pk"),
    }
