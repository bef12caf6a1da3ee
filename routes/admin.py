from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inclusion_centre.accounts.admin import LabelledListEditableAdmin, ReadLoggedAdmin

from .models import Adaptation, Equipment, Room, ServiceQueue


@admin.register(Adaptation)
class AdaptationAdmin(LabelledListEditableAdmin, SimpleHistoryAdmin):
    """The adaptation catalogue: the centre head and the system administrator add, retire (untick "in use") and
    reorder entries. Nothing is deleted, so old assessments and conclusions keep showing what was recommended."""

    list_display = ["name_kk", "group", "order", "is_active", "code"]
    list_editable = ["order", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "name_kk", "name_ru", "name_en", "name_ky"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceQueue)
class ServiceQueueAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    """Each kind of service request's owner (the specialist told of each new request, who answers them with the
    centre head) and deadline in working days. One row per kind, made by the migration: none added or deleted."""

    list_display = ["kind", "owner", "deadline_days"]
    list_select_related = ["owner"]
    fields = ["kind", "owner", "deadline_days"]
    readonly_fields = ["kind"]
    autocomplete_fields = ["owner"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Equipment)
class EquipmentAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    """The inventory of assistive equipment; loans are made and closed on the centre's equipment page."""

    list_display = ["inventory_number", "name", "kind", "serial_number", "condition"]
    list_filter = ["kind", "condition"]
    search_fields = ["inventory_number", "serial_number", "name"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Room)
class RoomAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    """The rooms exams are sat in, with seats and features; kept by the exam office. A room no longer used is
    unticked, not deleted: its past bookings keep it."""

    list_display = ["name", "capacity", "accessible", "quiet", "computer", "is_active"]
    list_filter = ["accessible", "quiet", "computer", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False
