from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AcademicTerm,
    Course,
    Enrolment,
    Faculty,
    Programme,
    Representation,
    Student,
    StudyGroup,
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
class TeachingAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["lecturer", "course", "term"]
    list_filter = ["term"]
    list_select_related = ["lecturer", "course", "term"]
    autocomplete_fields = ["lecturer", "course"]


class RepresentationInline(admin.TabularInline):
    model = Representation
    extra = 0
    autocomplete_fields = ["representative"]


@admin.register(Student)
class StudentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "external_id", "programme", "group", "year_of_study"]
    list_filter = ["year_of_study", "programme"]
    list_select_related = ["user", "programme", "group"]
    search_fields = ["user__full_name", "user__email", "external_id"]
    autocomplete_fields = ["user"]
    inlines = [RepresentationInline]


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ["student", "course", "term"]
    list_filter = ["term"]
    list_select_related = ["student__user", "course", "term"]
    autocomplete_fields = ["student", "course"]
