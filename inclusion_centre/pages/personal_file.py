"""A student's personal file (registered documents and uploads, for the centre head or the student) and the
subject-access copy (the same with everything held about the student as JSON, for the student or their legal
representatives), composed from documents, students and routes. The addresses keep their names in the documents
namespace (pages/urls.py)."""

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.models import AccessLog
from audit.services import log_access
from documents import exports, permissions
from documents.models import RegisteredDocument
from documents.selectors import documents_of_student
from documents.views import private_response
from inclusion_centre.accounts.models import User
from students.models import Application, Student, SupportingDocument

from .subject_access import subject_access_data


def _documents_and_uploads(
    student: Student, *, with_drafts: bool
) -> tuple[list[RegisteredDocument], list[SupportingDocument]]:
    """The student's registered documents (every version, with their files) and uploads, oldest first; uploads
    to applications never submitted only `with_drafts` (the student's own copy: drafts are not in the file)."""
    uploads = SupportingDocument.objects.filter(application__student=student)
    if not with_drafts:
        uploads = uploads.exclude(Application.unsubmitted_q("application__"))
    return documents_of_student(student), list(uploads.select_related("application").order_by("uploaded_at", "pk"))


def personal_file_of(user: User, student_id: int) -> tuple[Student, list[RegisteredDocument], list[SupportingDocument]]:
    """One student's registered documents (every version) and uploaded documents; Http404 unless the user may
    export that student's personal file."""
    student = Student.objects.select_related("user").filter(pk=student_id).first()
    if student is None or not permissions.can_export_personal_file(user, student):
        raise Http404
    return student, *_documents_and_uploads(student, with_drafts=False)


def own_data(user: User, student_id: int) -> tuple[Student, list[RegisteredDocument], list[SupportingDocument]]:
    """What subject access puts in the archive besides the JSON: the student's registered documents and uploads.
    Http404 unless `user` is the student or one of their legal representatives."""
    student = Student.objects.select_related("user").filter(pk=student_id).first()
    if student is None or not permissions.can_download_own_data(user, student):
        raise Http404
    return student, *_documents_and_uploads(student, with_drafts=True)


@login_required
@never_cache
@require_GET
def personal_file(request, student_id):
    student, documents, uploads = personal_file_of(request.user, student_id)
    archive = exports.personal_file_zip(student, documents, uploads, language=(get_language() or "kk")[:2])
    log_access(request=request, action=AccessLog.Action.EXPORT, obj=student)
    filename = f"personal-file-{student.external_id}-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    return private_response(response)


@login_required
@never_cache
@require_GET
def my_data(request, student_id):
    """Subject access: everything held about the student as JSON, with their registered PDFs and uploaded
    documents, in one ZIP. The download is logged, as an export of the student's file."""
    student, documents, uploads = own_data(request.user, student_id)
    data = subject_access_data(student)
    content = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode("utf-8")
    archive = exports.personal_file_zip(
        student, documents, uploads, language=(get_language() or "kk")[:2], extra={"my-data.json": content}
    )
    log_access(request=request, action=AccessLog.Action.EXPORT, obj=student)
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    return private_response(response)
