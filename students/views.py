from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessLog
from audit.services import log_access
from audit.view_helpers import INVALID, add_errors, filtered, page_of, post_data, query_without_page, status_for
from audit.workflow import IllegalMove
from documents.forms import IncomingEntryForm
from documents.selectors import documents_of_source
from documents.uploads import SCAN_UNAVAILABLE
from inclusion_centre import figure_cache

from . import permissions, selectors, services
from .case_page import render_case_page
from .filters import InboxFilter
from .forms import (
    ApplicationForm,
    ConsentForm,
    DuplicateForm,
    PaperApplicationForm,
    ReasonForm,
    StartForm,
    UploadForm,
)
from .models import Application, SupportingDocument
from .stages import label_stages


def _bound(request) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _case_for(request, public_id, may) -> Application:
    """The application the user sees in full and `may(user, application)` act on; Http404 for anyone else."""
    application, full = selectors.application_for(request.user, public_id)
    if not full or not may(request.user, application):
        raise Http404
    return application


def _detail(application):
    return redirect("students:application_detail", public_id=application.public_id)


def _refuse(request, application, error: ValidationError, *, extra: dict | None = None):
    """A move that is not possible now: show the case page with the reasons, answer 4xx, change nothing.

    409 when the object is not in a state for this move (someone else moved it, a double submit); 422 when what
    was sent is incomplete (no consent, no description)."""
    status = status_for(error)
    fresh, _full = selectors.application_for(request.user, application.public_id)
    return render_case_page(request, fresh, problems=error.messages, status=status, extra=extra)


def _reason_move(request, application, form, move, *, done: str, template: str):
    """A page that asks why (the reason may be optional), then `move(reason)`: back to the case after it, the
    case page with the refusal when the service refuses, the page again with 422 when the form is wrong."""
    if request.method == "POST" and form.is_valid():
        try:
            move(form.cleaned_data["reason"])
        except ValidationError as error:
            return _refuse(request, application, error)
        messages.success(request, done)
        return _detail(application)
    status = INVALID if form.errors else 200
    return render(request, template, {"form": form, "application": application}, status=status)


@login_required
@never_cache
@require_GET
def my_applications(request):
    page = page_of(request, selectors.applications_of(request.user), 20)
    label_stages(page.object_list)
    can_start = selectors.students_for_new_application(request.user).exists()
    return render(request, "students/my_applications.html", {"page": page, "can_start": can_start})


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request):
    students = selectors.students_for_new_application(request.user)
    if not students.exists():
        raise Http404
    is_lecturer = request.user.has_role("lecturer")
    form = StartForm(post_data(request), students=students, is_lecturer=is_lecturer)
    if request.method == "POST" and form.is_valid():
        application = services.application_start(
            actor=request.user,
            student=form.cleaned_data["student"],
            referral_note=form.cleaned_data.get("referral_note", ""),
        )
        if application.filed_as == Application.FiledAs.LECTURER:
            messages.success(request, _("The referral is sent to the student. You will see its status here."))
            return _detail(application)
        return redirect("students:application_edit", public_id=application.public_id)
    if request.method == "GET" and students.count() == 1 and not is_lecturer:
        form = StartForm(initial={"student": students.first()}, students=students, is_lecturer=is_lecturer)
    status = INVALID if form.errors else 200
    return render(request, "students/application_start.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, public_id):
    application = _case_for(request, public_id, permissions.can_edit)
    form = ApplicationForm(post_data(request), instance=application)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_update(
                application=application,
                actor=request.user,
                categories=list(data["categories"]),
                description=data["description"],
                conditions=list(data["conditions"]),
                conditions_other=data["conditions_other"],
                disability_group=data["disability_group"],
                contact_channel=data["contact_channel"],
                contact_phone=data["contact_phone"],
                contact_notes=data["contact_notes"],
            )
        except ValidationError as error:
            return _refuse(request, application, error)
        messages.success(request, _("Your answers are saved."))
        if not hasattr(application, "consent") or not application.consent.is_active:
            return redirect("students:application_consent", public_id=application.public_id)
        return _detail(application)
    status = INVALID if form.errors else 200
    return render(request, "students/application_edit.html", {"form": form, "application": application}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_consent(request, public_id):
    application, full = selectors.application_for(request.user, public_id)
    if not full or not permissions.is_applicant_side(request.user, application) or application.is_final:
        raise Http404
    try:
        text = services.current_consent_text()
    except ValidationError as error:
        return _refuse(request, application, error)
    language = get_language() or "kk"
    form = ConsentForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        services.consent_give(application=application, actor=request.user, language=language)
        messages.success(request, _("Thank you: your consent is recorded."))
        return _detail(application)
    status = INVALID if form.errors else 200
    context = {"form": form, "application": application, "text": text, "text_body": text.text_in(language)}
    return render(request, "students/application_consent.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, public_id):
    application = _case_for(request, public_id, permissions.is_applicant_side)
    form = ReasonForm(
        post_data(request), required=False, label=_("Why do you withdraw your consent? (you do not have to say)")
    )
    return _reason_move(
        request,
        application,
        form,
        lambda reason: services.consent_withdraw(application=application, actor=request.user, reason=reason),
        done=_("Your consent is withdrawn. The centre has been told."),
        template="students/consent_withdraw.html",
    )


@login_required
@require_POST
def application_submit(request, public_id):
    application = _case_for(request, public_id, permissions.is_applicant_side)
    try:
        services.application_submit(application=application, actor=request.user)
    except ValidationError as error:
        return _refuse(request, application, error)
    messages.success(request, _("Your application is sent to the centre."))
    return _detail(application)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request, public_id):
    application = _case_for(request, public_id, permissions.can_withdraw)
    form = ReasonForm(post_data(request), required=False, label=_("Why do you withdraw it? (you do not have to say)"))
    return _reason_move(
        request,
        application,
        form,
        lambda reason: services.application_withdraw(application=application, actor=request.user, reason=reason),
        done=_("The application is withdrawn."),
        template="students/application_withdraw.html",
    )


@login_required
@require_POST
def application_register(request, public_id):
    application = _case_for(request, public_id, permissions.can_register)
    form = IncomingEntryForm(request.POST)
    if not form.is_valid():
        return _refuse(request, application, ValidationError(form.errors), extra={"incoming_form": form})
    try:
        moved = services.application_register(
            application=application,
            actor=request.user,
            incoming_number=form.cleaned_data["incoming_number"],
            incoming_date=form.cleaned_data["incoming_date"],
        )
    except ValidationError as error:
        add_errors(form, error)
        return _refuse(request, application, error, extra={"incoming_form": form})
    messages.success(request, _("Registered under number %(number)s.") % {"number": moved.registration_number})
    return _detail(application)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def application_incoming(request, public_id):
    """The chancellery's incoming number and date of a registered application, entered or corrected later."""
    application = _case_for(request, public_id, permissions.can_register_incoming)
    document = next((d for d in documents_of_source(application) if d.version == 1), None)
    if document is None:
        raise Http404
    initial = {"incoming_number": document.incoming_number, "incoming_date": document.incoming_date}
    form = IncomingEntryForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_record_incoming(
                application=application,
                actor=request.user,
                number=form.cleaned_data["incoming_number"],
                date=form.cleaned_data["incoming_date"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The chancellery's number and date are saved."))
            return _detail(application)
    status = INVALID if form.errors else 200
    context = {"form": form, "application": application, "document": document}
    return render(request, "students/application_incoming.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_reject(request, public_id):
    application = _case_for(request, public_id, permissions.can_register)
    form = ReasonForm(
        post_data(request),
        label=_("Reason for rejection"),
        help_text=_("The applicant will read this. Write plainly and say what they can do next."),
    )
    return _reason_move(
        request,
        application,
        form,
        lambda reason: services.application_reject(application=application, actor=request.user, reason=reason),
        done=_("The application is rejected; the applicant has been told."),
        template="students/application_reject.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_duplicate(request, public_id):
    """The centre merges a second case into the student's open case, or rejects it as a duplicate."""
    application, full = selectors.application_for(request.user, public_id)
    if not full or not permissions.can_register(request.user, application):
        raise Http404
    targets = selectors.merge_targets(application)
    if not targets:
        if request.method == "POST":
            return _refuse(
                request,
                application,
                IllegalMove(_("This application can no longer be merged or rejected as a duplicate.")),
            )
        return _detail(application)
    form = DuplicateForm(post_data(request), targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        merge = data["action"] == DuplicateForm.MERGE
        action = services.application_merge if merge else services.application_reject_duplicate
        try:
            action(application=application, keep=data["keep"], actor=request.user, reason=data["reason"])
        except IllegalMove as error:
            return _refuse(request, application, error)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if merge:
                messages.success(
                    request, _("The application is merged into the open case; the applicant has been told.")
                )
            else:
                messages.success(request, _("The application is rejected as a duplicate; the applicant has been told."))
            return redirect("students:application_detail", public_id=data["keep"].public_id)
    status = INVALID if form.errors else 200
    return render(
        request,
        "students/application_duplicate.html",
        {"form": form, "application": application, "targets": targets},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, public_id):
    application = _case_for(request, public_id, permissions.can_upload)
    form = UploadForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(
                application=application,
                actor=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The document is uploaded."))
            return _detail(application)
    status = _invalid_upload_status(form, "file")
    return render(request, "students/document_upload.html", {"form": form, "application": application}, status=status)


def _invalid_upload_status(form, field: str) -> int:
    """200 for a clean form; 503 when the virus scanner could not be reached (try again later); 422 otherwise."""
    if not form.errors:
        return 200
    if form.has_error(field, code=SCAN_UNAVAILABLE):
        return 503
    return INVALID


@login_required
@never_cache
@require_GET
def document_download(request, public_id, document_id):
    application = _case_for(request, public_id, permissions.can_download_documents)
    document = get_object_or_404(SupportingDocument, application=application, public_id=document_id)
    log_access(request=request, action=AccessLog.Action.DOWNLOAD_DOCUMENT, obj=document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@never_cache
@require_GET
def inbox(request):
    applied, results = filtered(request, InboxFilter, selectors.inbox(request.user))
    page = page_of(request, results, 25)
    today = timezone.localdate()
    rows = [(application, selectors.is_overdue(application, today)) for application in label_stages(page)]
    status = 200 if applied.is_valid() else INVALID
    filter_fields = figure_cache.filter_fields("inbox-filters", applied.form, "students/_inbox_filter_fields.html")
    context = {
        "filter": applied,
        "filter_fields": filter_fields,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
    }
    return render(request, "students/inbox.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def paper_application(request):
    if not request.user.has_perm("students.register_application"):
        raise Http404
    form = PaperApplicationForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.paper_application_enter(
                actor=request.user,
                student=data["student_id"],
                received_on=data["received_on"],
                categories=list(data["categories"]),
                description=data["description"],
                conditions=list(data["conditions"]),
                conditions_other=data["conditions_other"],
                disability_group=data["disability_group"],
                contact_channel=data["contact_channel"],
                contact_phone=data["contact_phone"],
                scan=data["scan"],
                consent_signed=data["consent_signed"],
            )
        except ValidationError as error:
            # Field errors go next to their fields; a problem with the file itself goes next to the scan.
            if hasattr(error, "error_dict"):
                add_errors(form, error)
            else:
                form.add_error("scan", error)
        except PermissionDenied as denied:
            raise Http404 from denied
        else:
            messages.success(request, _("The paper application is entered. Register it when you are ready."))
            return _detail(application)
    status = _invalid_upload_status(form, "scan")
    return render(request, "students/paper_application.html", {"form": form}, status=status)
