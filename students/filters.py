import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Application, Faculty, NeedCategory
from .selectors import overdue_q


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search by name or number"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[c for c in Application.Status.choices if c[0] != Application.Status.DRAFT],
        empty_label=_("Any state"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category of needs"),
        queryset=NeedCategory.objects.all(),
        field_name="categories",
        empty_label=pgettext_lazy("any category", "Any"),
    )
    faculty = django_filters.ModelChoiceFilter(
        label=_("Faculty"),
        queryset=Faculty.objects.all(),
        field_name="student__programme__faculty",
        empty_label=_("Any faculty"),
    )
    overdue = django_filters.BooleanFilter(label=_("Only overdue"), method="filter_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Application
        fields = ["q", "status", "category", "faculty", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(student__user__full_name__icontains=value)
            | Q(registration_number__icontains=value)
            | Q(student__external_id=value)
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset
