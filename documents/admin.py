from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import RegistrationCounter


@admin.register(RegistrationCounter)
class RegistrationCounterAdmin(SimpleHistoryAdmin):
    """Read-only: only `next_registration_number` moves a counter, inside the registration it numbers."""

    list_display = ["document_type", "year", "last_number"]
    list_filter = ["document_type", "year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
