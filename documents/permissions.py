"""Who may do what with registered documents. Reading a document's PDF follows its source: whoever may read the
application (or the conclusion …) may download its registered PDF, nobody else."""

from inclusion_centre.accounts.models import User

from .forms_registry import form_for
from .models import RegisteredDocument


def can_download(user: User, document: RegisteredDocument) -> bool:
    if not user.is_authenticated:
        return False
    return form_for(document.document_type).can_view(user, document.source)


def can_view_register(user: User) -> bool:
    """The register lists every registered document with the student's name: the centre head and the auditor."""
    return user.is_authenticated and user.has_perm("documents.view_register")


def can_export_personal_file(user: User, student) -> bool:
    """The centre head for any student; a student for their own file; a legal representative for the file of the
    student they represent, while the representation lasts (the object grant `students.act_for_student`, written
    and removed with the representation: students/grants.py)."""
    if not user.is_authenticated:
        return False
    return (
        student.user_id == user.pk
        or user.has_perm("documents.export_personal_file")
        or user.has_perm("students.act_for_student", student)
    )


def can_download_own_data(user: User, student) -> bool:
    """Subject access: the student, and their legal representatives, who act for them in everything (§6.1).
    Staff export a personal file instead; they never get this copy of the student's own data."""
    if not user.is_authenticated:
        return False
    return student.user_id == user.pk or user.has_perm("students.act_for_student", student)


def can_see_signatures(user: User, document: RegisteredDocument, signer_roles: list[str]) -> bool:
    """The signatures page: whoever may read the document, and the people its form names as signers (a lecturer
    signs the route they agreed, though they read only their own sections on the route page)."""
    return user.is_authenticated and (bool(signer_roles) or can_download(user, document))


def can_issue_signature_sheet(user: User, document: RegisteredDocument) -> bool:
    return can_download(user, document) and user.has_perm("documents.issue_signature_sheet")
