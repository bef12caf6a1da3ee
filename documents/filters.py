import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import DocumentType, RegisteredDocument


class RegisterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search by number or student"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    document_type = django_filters.ChoiceFilter(
        label=_("Document"), choices=DocumentType.choices, empty_label=_("Any document")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RegisteredDocument.Status.choices, empty_label=_("Any status")
    )
    year = django_filters.NumberFilter(
        label=_("Year of registration"),
        field_name="registered_on",
        lookup_expr="year",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    registered_from = django_filters.DateFilter(
        label=_("Registered on or after"),
        field_name="registered_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    registered_to = django_filters.DateFilter(
        label=_("Registered on or before"),
        field_name="registered_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = RegisteredDocument
        fields = ["q", "document_type", "status", "year", "registered_from", "registered_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(student__user__full_name__icontains=value))
