"""A case's signed archival package (documents.archive): composed here, where the case's documents are known —
the application's, its conclusions', its routes' and the protocols that discuss it."""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.models import AccessLog
from audit.services import log_access
from documents import permissions as document_permissions
from documents.archive import build_case_archive
from documents.models import RegisteredDocument, RegisteredFile
from documents.views import private_response
from inclusion_centre.accounts.models import User
from routes.models import Conclusion, Protocol, ProtocolItem, Route
from students import selectors as student_selectors
from students.models import Application


def case_documents(application: Application) -> list[RegisteredDocument]:
    """Every registered document of the case, every version, oldest first, with files and sources (5 queries)."""
    type_of = ContentType.objects.get_for_model
    wanted = (
        Q(content_type=type_of(Application), object_id=application.pk)
        | Q(
            content_type=type_of(Conclusion),
            object_id__in=Conclusion.objects.filter(application=application).values("pk"),
        )
        | Q(content_type=type_of(Route), object_id__in=Route.objects.filter(application=application).values("pk"))
        | Q(
            content_type=type_of(Protocol),
            object_id__in=ProtocolItem.objects.filter(item__application=application).values("protocol_id"),
        )
    )
    return list(
        RegisteredDocument.objects.filter(wanted)
        .select_related("student__user", "content_type")
        .prefetch_related(Prefetch("files", queryset=RegisteredFile.objects.order_by("language")), "source")
        .order_by("registered_on", "pk")
    )


def case_archive_of(user: User, public_id) -> tuple[Application, list[RegisteredDocument]]:
    """The case and its registered documents, when the user may read every one of them (the centre head, an
    assigned specialist who may read them all, …); Http404 otherwise, and when nothing is registered yet."""
    application, full = student_selectors.application_for(user, public_id)
    if not full:
        raise Http404
    documents = case_documents(application)
    if not documents or not all(document_permissions.can_download(user, document) for document in documents):
        raise Http404
    return application, documents


@login_required
@never_cache
@require_GET
def case_archive(request, public_id):
    application, documents = case_archive_of(request.user, public_id)
    number = application.registration_number or str(application.public_id)
    archive = build_case_archive(title=f"Archival package of case {number}", documents=documents)
    log_access(request=request, action=AccessLog.Action.EXPORT, obj=application)
    filename = f"case-{number.replace('/', '-')}-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    return private_response(response)
