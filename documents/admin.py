from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inclusion_centre.accounts.admin import ReadLoggedAdmin
from inclusion_centre.admin_mixins import NoWritesAdmin

from .models import RegisteredDocument, RegistrationCounter


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
