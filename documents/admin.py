from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from inclusion_centre.accounts.admin import ReadLoggedAdmin
from inclusion_centre.admin_mixins import NoWritesAdmin

from . import uploads
from .letterhead import EMBLEM_MAX_BYTES, EMBLEM_TYPES, emblem_data_uri
from .models import Letterhead, RegisteredDocument, RegistrationCounter, RetentionRule


@admin.register(RegistrationCounter)
class RegistrationCounterAdmin(NoWritesAdmin, SimpleHistoryAdmin):
    """Read-only: only `next_registration_number` moves a counter, inside the registration it numbers."""

    list_display = ["document_type", "year", "last_number"]
    list_filter = ["document_type", "year"]


@admin.register(RegisteredDocument)
class RegisteredDocumentAdmin(NoWritesAdmin, ReadLoggedAdmin, SimpleHistoryAdmin):
    """Read-only, for operators: which documents are registered and whether their PDFs are stored yet. The student
    and the files are left out: the register and the download view, which check who asks, show those."""

    list_display = ["number", "document_type", "registered_on", "version", "status", "rendered_at"]
    list_filter = ["document_type", "status"]
    search_fields = ["number"]
    fields = ["number", "document_type", "registered_on", "version", "status", "languages", "created_at", "rendered_at"]
    readonly_fields = fields


@admin.register(RetentionRule)
class RetentionRuleAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    """The retention schedule: how many years after the case ends each document type's PDFs are kept before they
    are handed to the archive and destroyed here (routes.retention), with the article that sets the period."""

    list_display = ["document_type", "years", "basis"]
    fields = ["document_type", "years", "basis"]

    def has_delete_permission(self, request, obj=None):
        return False  # a type without a rule is kept for ever: lengthen the period rather than remove the rule


class LetterheadForm(forms.ModelForm):
    """The emblem arrives as an upload, checked like every other upload (type by content, size, pixels, virus
    scan), and must be a PNG or JPEG image small enough to embed in every form."""

    emblem_upload = forms.FileField(
        label=_("Emblem (PNG or JPEG)"),
        required=False,
        help_text=_("Printed 16 mm wide at the top left of every form. At most %(size)s.")
        % {"size": filesizeformat(EMBLEM_MAX_BYTES)},
    )

    class Meta:
        model = Letterhead
        fields = [
            "institution_name_kk",
            "institution_name_ru",
            "institution_name_en",
            "centre_name_kk",
            "centre_name_ru",
            "centre_name_en",
            "addressee_kk",
            "addressee_ru",
            "address_kk",
            "address_ru",
            "phone",
            "email",
            "website",
            "form_code_application",
            "form_code_conclusion",
            "form_code_route",
            "form_code_protocol",
            "form_code_protocol_extract",
        ]

    def clean_emblem_upload(self):
        upload = self.cleaned_data.get("emblem_upload")
        if not upload:
            return None
        checked = uploads.check_upload(upload)
        if checked.content_type not in EMBLEM_TYPES:
            raise ValidationError(_("The emblem must be a PNG or JPEG image."), code="type")
        if checked.size > EMBLEM_MAX_BYTES:
            raise ValidationError(
                _("The emblem is too large: at most %(size)s.") % {"size": filesizeformat(EMBLEM_MAX_BYTES)},
                code="too_large",
            )
        return upload, checked.content_type

    def save(self, commit=True):
        letterhead = super().save(commit=False)
        emblem = self.cleaned_data.get("emblem_upload")
        if emblem:
            upload, content_type = emblem
            upload.seek(0)
            letterhead.emblem, letterhead.emblem_type = upload.read(), content_type
        if commit:
            letterhead.save()
        return letterhead


@admin.register(Letterhead)
class LetterheadAdmin(SimpleHistoryAdmin):
    """One letterhead for the whole institution: it can be added once and changed, never deleted."""

    form = LetterheadForm
    list_display = ["institution_name_kk", "updated_at"]
    readonly_fields = ["emblem_preview", "updated_at"]

    @admin.display(description=_("Current emblem"))
    def emblem_preview(self, obj):
        if not obj.emblem:
            return _("None: the placeholder emblem is printed.")
        return format_html('<img src="{}" alt="" width="64" height="64">', emblem_data_uri(obj))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Letterhead.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
