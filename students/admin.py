from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from inclusion_centre.accounts.admin import LabelledListEditableAdmin, ReadLoggedAdmin
from inclusion_centre.admin_mixins import NoWritesAdmin

from . import permissions
from .models import (
    AcademicTerm,
    Application,
    ConditionOption,
    Consent,
    ConsentText,
    Course,
    Enrolment,
    Faculty,
    NeedCategory,
    Programme,
    Representation,
    Student,
    StudyGroup,
    SupportingDocument,
    TeachingAssignment,
)


@admin.register(Faculty)
class FacultyAdmin(SimpleHistoryAdmin):
    list_display = ["name_kk", "name_ru", "external_id"]
    search_fields = ["name_kk", "name_ru", "name_en", "external_id"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_kk", "faculty", "level", "external_id"]
    list_filter = ["level", "faculty"]
    list_select_related = ["faculty"]
    search_fields = ["code", "name_kk", "name_ru", "external_id"]


@admin.register(StudyGroup)
class StudyGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "programme", "admission_year", "external_id"]
    list_filter = ["admission_year"]
    list_select_related = ["programme"]
    search_fields = ["name", "external_id"]


@admin.register(AcademicTerm)
class AcademicTermAdmin(SimpleHistoryAdmin):
    list_display = ["academic_year", "number", "starts_on", "ends_on", "external_id"]


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_kk", "credits", "external_id"]
    search_fields = ["code", "name_kk", "name_ru", "name_en", "external_id"]


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["lecturer", "course", "term"]
    list_filter = ["term"]
    list_select_related = ["lecturer", "course", "term"]
    autocomplete_fields = ["lecturer", "course"]


class RepresentationInline(admin.TabularInline):
    model = Representation
    extra = 0
    autocomplete_fields = ["representative"]


@admin.register(Student)
class StudentAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["user", "external_id", "programme", "group", "year_of_study"]
    list_filter = ["year_of_study", "programme"]
    list_select_related = ["user", "programme", "group"]
    search_fields = ["user__full_name", "user__email", "external_id"]
    autocomplete_fields = ["user"]
    inlines = [RepresentationInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["student", "course", "term"]
    list_filter = ["term"]
    list_select_related = ["student__user", "course", "term"]
    autocomplete_fields = ["student", "course"]


@admin.register(NeedCategory, ConditionOption)
class CatalogueAdmin(LabelledListEditableAdmin, SimpleHistoryAdmin):
    """The configurable lists: entries are retired (unticked "in use"), never deleted, so old applications
    keep showing what was chosen."""

    list_display = ["code", "name_kk", "name_ru", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_kk", "name_ru", "name_en", "name_ky"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentText)
class ConsentTextAdmin(SimpleHistoryAdmin):
    """A consent text is never edited once given: a change is a new version."""

    list_display = ["version", "effective_from"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Consent.objects.filter(text=obj).exists():
            return ["version", "effective_from", "text_kk", "text_ru", "text_en", "text_ky"]
        return []

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(NoWritesAdmin, SimpleHistoryAdmin):
    """Cases are worked in the application's own pages, where every move is checked and recorded. Drafts are
    their authors' alone: not listed, not opened, not in the history here either."""

    draft_prefix = "application__"

    def get_queryset(self, request):
        return permissions.visible_to_staff(super().get_queryset(request), self.draft_prefix)

    def _refuse_draft(self, request, object_id) -> None:
        # simple-history shows the history of a row get_queryset leaves out (as of a deleted one): ask first.
        try:
            hidden = not self.get_queryset(request).filter(pk=unquote(object_id)).exists()
            if hidden and self.model._base_manager.filter(pk=unquote(object_id)).exists():
                raise Http404
        except (ValueError, ValidationError):
            return  # not an id: the admin answers as it does for any such address

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_draft(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._refuse_draft(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Application)
class ApplicationAdmin(ReadLoggedAdmin, ReadOnlyHistoryAdmin):
    draft_prefix = ""
    list_display = ["registration_number", "student", "status", "filed_as", "channel", "submitted_at"]
    list_filter = ["status", "filed_as", "channel"]
    list_select_related = ["student__user"]
    search_fields = ["registration_number", "student__user__full_name", "student__external_id"]


@admin.register(Consent)
class ConsentAdmin(ReadLoggedAdmin, ReadOnlyHistoryAdmin):
    list_display = ["application", "text", "channel", "given_at", "withdrawn_at"]
    list_select_related = ["application", "text"]


@admin.register(SupportingDocument)
class SupportingDocumentAdmin(ReadLoggedAdmin, ReadOnlyHistoryAdmin):
    list_display = ["application", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["application"]
    exclude = ["file"]
