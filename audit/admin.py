from django.contrib import admin

from inclusion_centre.accounts.admin import ReadLoggedAdmin
from inclusion_centre.admin_mixins import NoWritesAdmin

from .models import AccessLog, AuditChainEntry, StatusChange


class ReadOnlyAdmin(NoWritesAdmin, ReadLoggedAdmin, admin.ModelAdmin):
    """The audit trail is read, never written, from the admin; it names people and whose file was read, so reading
    it is logged too."""


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "content_type", "object_id", "from_status", "to_status", "actor"]
    list_filter = ["content_type", "to_status"]
    list_select_related = ["content_type", "actor"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "roles", "action", "content_type", "object_id", "student", "ip_address"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "user", "student__user"]


@admin.register(AuditChainEntry)
class AuditChainEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "kind", "source_type", "source_id", "created_at", "entry_hash"]
    list_filter = ["kind"]
    list_select_related = ["source_type"]
