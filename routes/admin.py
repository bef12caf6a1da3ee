from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inclusion_centre.accounts.admin import LabelledListEditableAdmin

from .models import Adaptation


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
