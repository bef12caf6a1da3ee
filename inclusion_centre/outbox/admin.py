from django.contrib import admin

from inclusion_centre.admin_mixins import NoWritesAdmin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(NoWritesAdmin, admin.ModelAdmin):
    """Read-only: operators see what waits or failed; the relay and the services write the rows."""

    list_display = ["pk", "task", "queue", "state", "attempts", "created_at", "dispatched_at"]
    list_filter = ["state", "queue"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
