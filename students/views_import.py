"""The system administrator's import of reference data: upload a file → preview (a dry run) → import → report.

Only holders of the sysadmin role's rights see these pages; everyone else gets 404, as for any object they may not
see. The uploaded file waits in private storage under a random token kept in the session (importing.storage)."""

import secrets
from functools import wraps
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from documents.uploads import display_name

from .importing import IMPORT_PERMISSION, KINDS, import_reference, storage

INVALID = 422
IMPORT_MAX_BYTES = 50 * 1024 * 1024
SESSION_KEY = "reference_import"
SAMPLES = Path(__file__).resolve().parent / "import_samples"
PROBLEMS_PER_PAGE = 50
MAX_LISTED_MISSING = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What does the file hold?"),
        choices=[(kind, importer.label) for kind, importer in KINDS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what the file holds.")},
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV in UTF-8 (comma or semicolon between values) or an Excel workbook (.xlsx). The first row names "
            "the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv," + XLSX_TYPE}),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )
    full = forms.BooleanField(
        label=gettext_lazy("This file is a full export"),
        help_text=gettext_lazy(
            "The report will also list the records of this kind that are not in the file. Nothing is deleted."
        ),
        required=False,
    )

    invite = forms.BooleanField(
        label=gettext_lazy("Send each new account an invitation to set a password"),
        help_text=gettext_lazy(
            "Students and lecturers added by this file get an e-mail with a link to set their first password. "
            "Leave it unticked to send the invitations later, from the administration site."
        ),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large: %(size)s. The limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(IMPORT_MAX_BYTES)},
                code="too_large",
            )
        return upload


def sysadmin_only(view):
    @login_required
    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _pending(request, stage: str) -> dict | None:
    """The import this session is at `stage` of ("preview" or "done"), if any."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("stage") != stage or not storage.TOKEN.fullmatch(pending.get("token", "")):
        return None
    return pending


def _report_page(request, template: str, pending: dict, stage: str):
    report = storage.load_report(pending["token"], stage)
    if report is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("That import is no longer available. Upload the file again."))
        return redirect("students:reference_import")
    page = Paginator(report.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "report": report,
        "kind_label": KINDS[report.kind].label,
        "file_name": pending["name"],
        "page": page,
        "missing": report.missing[:MAX_LISTED_MISSING],
        "missing_not_listed": max(len(report.missing) - MAX_LISTED_MISSING, 0),
        "token": pending["token"],
    }
    return render(request, template, context)


@sysadmin_only
@require_http_methods(["GET", "POST"])
def reference_import(request):
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else (None, None)))
    if request.method == "POST" and form.is_valid():
        previous = request.session.pop(SESSION_KEY, None)
        if previous and storage.TOKEN.fullmatch(previous.get("token", "")):
            storage.discard(previous["token"])
        kind, full = form.cleaned_data["kind"], form.cleaned_data["full"]
        token = storage.save_upload(form.cleaned_data["file"])
        with storage.upload_path(token).open("rb") as stream:
            report = import_reference(kind=kind, file=stream, actor=request.user, dry_run=True, full=full)
        if report.readable:
            storage.save_report(token, "preview", report)
            request.session[SESSION_KEY] = {
                "token": token,
                "kind": kind,
                "full": full,
                "invite": form.cleaned_data["invite"],
                "name": display_name(form.cleaned_data["file"].name),
                "stage": "preview",
            }
            return redirect("students:reference_import_preview")
        storage.discard(token)
        for problem in report.file_problems:
            form.add_error("file", problem.message)
    kinds = [{"kind": kind, "label": importer.label, "columns": importer.columns} for kind, importer in KINDS.items()]
    status = INVALID if form.errors else 200
    return render(request, "students/import_upload.html", {"form": form, "kinds": kinds}, status=status)


@sysadmin_only
@require_http_methods(["GET", "HEAD"])
def reference_import_preview(request):
    pending = _pending(request, "preview")
    if pending is None:
        return redirect("students:reference_import")
    return _report_page(request, "students/import_preview.html", pending, "preview")


@sysadmin_only
@require_POST
def reference_import_confirm(request):
    pending = _pending(request, "preview")
    if pending and not secrets.compare_digest(request.POST.get("token", ""), pending["token"]):
        # The form of an older preview (another tab) must not import the file uploaded since.
        messages.error(request, _("Another file was uploaded after that preview. Check this preview first."))
        return redirect("students:reference_import_preview")
    path = storage.claim(pending["token"]) if pending else None
    if path is None:
        messages.error(request, _("There is no file waiting to be imported. Upload it again."))
        return redirect("students:reference_import")
    try:
        with path.open("rb") as stream:
            report = import_reference(
                kind=pending["kind"],
                file=stream,
                actor=request.user,
                full=pending["full"],
                invite=pending.get("invite", True),
            )
    finally:
        path.unlink(missing_ok=True)
    storage.save_report(pending["token"], "report", report)
    request.session[SESSION_KEY] = {**pending, "stage": "done"}
    return redirect("students:reference_import_report")


@sysadmin_only
@require_http_methods(["GET", "HEAD"])
def reference_import_report(request):
    pending = _pending(request, "done")
    if pending is None:
        return redirect("students:reference_import")
    return _report_page(request, "students/import_report.html", pending, "report")


@sysadmin_only
@require_http_methods(["GET", "HEAD"])
def reference_import_sample(request, kind: str):
    if kind not in KINDS:
        raise Http404
    return FileResponse(
        (SAMPLES / f"{kind}.csv").open("rb"),
        as_attachment=True,
        filename=f"{kind}.csv",
        content_type="text/csv; charset=utf-8",
    )
