import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import AccessLog
from audit.services import log_access
from audit.view_helpers import filtered, page_of, query_without_page
from inclusion_centre.client_address import client_address

from . import exports, permissions, selectors
from .filters import RegisterFilter
from .forms import SignForm, VerifyUploadForm
from .forms_registry import form_for
from .models import RegisteredDocument, Signature, SignatureRole
from .signatures import services as signature_services
from .signatures.errors import SignatureRefused

INVALID, TOO_LARGE, TOO_MANY = 422, 413, 429


def private_response(response: HttpResponse) -> HttpResponse:
    """A file answer that no cache keeps, no browser sniffs and no script runs in (downloads, exports)."""
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _subjects(document) -> list[int] | None:
    """The students a document about several of them concerns (a protocol); None for one student's document."""
    if document.student_id is not None:
        return None
    subjects = form_for(document.document_type).subjects
    return list(subjects(document.source)) if subjects is not None else None


@login_required
@never_cache
@require_GET
def download(request, public_id, language):
    document = selectors.document_by_public_id(public_id)
    if not permissions.can_download(request.user, document):
        log_access(request=request, action=AccessLog.Action.DENIED, obj=document)
        raise Http404
    if language not in document.languages:
        raise Http404
    if document.destroyed_at is not None:
        return render(request, "documents/destroyed.html", {"document": document}, status=410)
    stored = next((f for f in document.files.all() if f.language == language), None)
    if stored is None:
        # Registered, but the worker has not stored its PDF yet: say so, and let the browser try again soon.
        response = render(request, "documents/being_prepared.html", {"document": document}, status=202)
        response["Retry-After"] = "10"
        return response
    log_access(request=request, action=AccessLog.Action.DOWNLOAD_PDF, obj=document, student_ids=_subjects(document))
    filename = f"{document.number}_v{document.version}_{language}.pdf".replace("/", "-")
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    return private_response(response)


# --- Public verification ----------------------------------------------------------------------------------------


class _RefuseLargeBody(FileUploadHandler):
    """Refuses a request body larger than the verification limit before any of it is read."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Allow for the multipart framing around the file.
        if content_length > settings.DOCUMENT_VERIFY_MAX_BYTES + 64 * 1024:
            self.request.verify_upload_too_large = True
            return MultiValueDict(), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def _over_rate_limit(request) -> bool:
    # Per client behind the reverse proxy, not per proxy. With the cache unreachable every count is a miss: the limit
    # fails open (SECURITY.md, "Faults").
    key = f"documents:verify:{client_address(request) or ''}"
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    return count > settings.DOCUMENT_VERIFY_UPLOADS_PER_HOUR


# No CSRF token on this form: it is public, changes nothing, and the size check above must run before anything
# (the CSRF check included) reads the body.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token):
    """The public page a printed QR code opens: type, number, date, status and hashes, no personal data."""
    document = selectors.document_for_verification(token)
    intact, trusted_files = selectors.files_confirmed_by_chain(document)
    status = 200
    result = None
    problem = ""
    form = VerifyUploadForm()
    if request.method == "POST":
        if _over_rate_limit(request):
            problem, status = _("Too many files were checked from your address. Try again in an hour."), TOO_MANY
        else:
            request.upload_handlers.insert(0, _RefuseLargeBody(request))
            form = VerifyUploadForm(request.POST, request.FILES)  # reading POST runs the handler above
            too_large = _("The file is too large: the limit is %(limit)s.") % {
                "limit": filesizeformat(settings.DOCUMENT_VERIFY_MAX_BYTES)
            }
            if getattr(request, "verify_upload_too_large", False):
                form, problem, status = VerifyUploadForm(), too_large, TOO_LARGE
            elif not form.is_valid():
                status = INVALID
            elif form.cleaned_data["file"].size > settings.DOCUMENT_VERIFY_MAX_BYTES:
                form, problem, status = VerifyUploadForm(), too_large, TOO_LARGE
            else:
                digest = hashlib.sha256()
                for chunk in form.cleaned_data["file"].chunks():
                    digest.update(chunk)
                sha256 = digest.hexdigest()
                result = {"sha256": sha256, "match": selectors.stored_file_matching(trusted_files, sha256)}
    context = {
        "document": document,
        "signatures": selectors.signatures_of(document),
        "files": trusted_files,
        "intact": intact,
        "form": form,
        "result": result,
        "problem": problem,
    }
    response = render(request, "documents/verify.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address: do not pass it on
    return response


# --- The register and the personal file ---------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def register(request):
    applied, results = filtered(request, RegisterFilter, selectors.register(request.user))
    page = page_of(request, results, 25)
    links = selectors.source_links(request.user)
    rows = []
    for document in page:
        link = links.get(document.document_type)
        rows.append((document, link(document.source) if link is not None and document.source is not None else ""))
    context = {"filter": applied, "page": page, "rows": rows, "query": query_without_page(request)}
    return render(request, "documents/register.html", context, status=200 if applied.is_valid() else INVALID)


REGISTER_FORMATS = {
    "xlsx": (exports.register_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    # For the institution's document-flow system: column codes, ISO dates (docs/documents.md).
    "csv": (exports.register_csv, "text/csv; charset=utf-8"),
    "xml": (exports.register_xml, "application/xml; charset=utf-8"),
}


@login_required
@never_cache
@require_GET
def register_export(request, file_format="xlsx"):
    queryset = selectors.register_for_export(request.user)
    applied = RegisterFilter(request.GET, queryset=queryset)
    if not applied.is_valid():
        raise Http404
    log_access(request=request, action=AccessLog.Action.EXPORT)
    build, content_type = REGISTER_FORMATS[file_format]
    response = HttpResponse(build(applied.qs), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="register-{timezone.localdate():%Y-%m-%d}.{file_format}"'
    return private_response(response)


# --- Signatures -------------------------------------------------------------------------------------------------


def _signatures_document(request, public_id) -> tuple[RegisteredDocument, list[str]]:
    """The document and the roles the user signs it in; 404 (and the attempt logged) for anyone who may neither
    read it nor sign it."""
    document = selectors.document_by_public_id(public_id)
    roles = signature_services.roles_of(request.user, document)
    if not permissions.can_see_signatures(request.user, document, roles):
        log_access(request=request, action=AccessLog.Action.DENIED, obj=document)
        raise Http404
    return document, roles


def _sign_form(document, roles, data=None) -> SignForm:
    labels = dict(SignatureRole.choices)
    return SignForm(
        data,
        roles=[(role, labels[role]) for role in roles],
        languages=[stored.language for stored in document.files.all()],
        qualified=settings.SIGNATURE_METHOD == Signature.Method.NCALAYER,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def signatures(request, public_id):
    """Every signature of a registered document; the signers named by its form sign here (ЭЦП through NCALayer,
    or a confirmation in the system, as SIGNATURE_METHOD says)."""
    document, roles = _signatures_document(request, public_id)
    form, problem, status = _sign_form(document, roles), "", 200
    if request.method == "POST":
        form = _sign_form(document, roles, request.POST)
        if not form.is_valid():
            status = INVALID
        else:
            try:
                signature_services.signature_add(
                    document=document,
                    role=form.cleaned_data["role"],
                    signer=request.user,
                    language=form.cleaned_data["language"],
                    cms=form.cleaned_data["cms"],
                )
            except SignatureRefused as refused:
                problem, status = refused.message, INVALID
            except PermissionError:
                raise Http404 from None
            else:
                messages.success(request, _("Your signature is recorded."))
                return redirect("documents:signatures", public_id=document.public_id)
    signed = selectors.signatures_of(document)
    done = {(s.role, s.language) for s in signed if s.signer_id == request.user.pk}
    to_sign = [
        (role, label, stored.language)
        for role, label in form.fields["role"].choices
        for stored in document.files.all()
        if (role, stored.language) not in done
    ]
    context = {
        "document": document,
        "signatures": signed,
        "to_sign": to_sign if document.status == RegisteredDocument.Status.IN_FORCE else [],
        "form": form,
        "problem": problem,
        "qualified": settings.SIGNATURE_METHOD == Signature.Method.NCALAYER,
        "ncalayer_url": settings.NCALAYER_URL,
        "may_issue_sheet": permissions.can_issue_signature_sheet(request.user, document)
        and document.status == RegisteredDocument.Status.IN_FORCE
        and bool(signed),
    }
    return render(request, "documents/signatures.html", context, status=status)


@login_required
@never_cache
@require_GET
def signature_content(request, public_id, language):
    """The exact bytes of the stored PDF a signer signs (NCALayer signs their base64); for the people the form
    names as signers and for those who may read the document."""
    document, _roles = _signatures_document(request, public_id)
    stored = next((f for f in document.files.all() if f.language == language), None)
    if stored is None or document.destroyed_at is not None:
        raise Http404
    log_access(request=request, action=AccessLog.Action.DOWNLOAD_PDF, obj=document, student_ids=_subjects(document))
    response = FileResponse(stored.file.open("rb"), content_type="application/pdf")
    return private_response(response)


@login_required
@never_cache
@require_http_methods(["POST"])
def signature_sheet(request, public_id):
    document, _roles = _signatures_document(request, public_id)
    if not permissions.can_issue_signature_sheet(request.user, document):
        log_access(request=request, action=AccessLog.Action.DENIED, obj=document)
        raise Http404
    try:
        sheet = signature_services.signature_sheet_issue(document=document, actor=request.user)
    except PermissionError:
        raise Http404 from None
    messages.success(
        request,
        _("The signature sheet is registered as version %(version)s; its PDF is being prepared.")
        % {"version": sheet.version},
    )
    return redirect("documents:signatures", public_id=sheet.public_id)
