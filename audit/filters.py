"""The auditor's filters of the access log. Every value travels in the query string, so none is personal data:
people are chosen by id, cases by registration number."""

import datetime

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import AccessLog
from .selectors import staff_users, tracked_models


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})"


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class AccessLogFilter(django_filters.FilterSet):
    user = UserFilter(label=_("Who"), queryset=staff_users(), empty_label=_("Anyone"))
    action = django_filters.ChoiceFilter(
        label=_("What they did"), choices=AccessLog.Action.choices, empty_label=pgettext_lazy("any action", "Any")
    )
    object_type = django_filters.ChoiceFilter(
        label=_("Type of record"),
        field_name="content_type_id",
        empty_label=pgettext_lazy("any record type", "Any"),
        choices=[],
    )
    date_from = django_filters.DateFilter(label=_("From (date)"), method="filter_from", widget=DateInput)
    date_to = django_filters.DateFilter(label=_("To (date, inclusive)"), method="filter_to", widget=DateInput)
    case = django_filters.CharFilter(
        label=_("Registration number of an application"),
        help_text=_("Shows every read of that student's file, for example ӨТ-2026/0001."),
        method="filter_case",
    )

    class Meta:
        model = AccessLog
        fields = ["user", "action", "object_type", "date_from", "date_to", "case"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = ContentType.objects.get_for_models(*tracked_models())
        choices = sorted(
            ((str(content_type.pk), capfirst(model._meta.verbose_name)) for model, content_type in types.items()),
            key=lambda choice: str(choice[1]),
        )
        self.filters["object_type"].extra["choices"] = choices

    def filter_from(self, queryset, name, value):
        # A range on the timestamp itself, not created_at__date, so the index on created_at is used.
        return queryset.filter(created_at__gte=_start_of(value)) if value else queryset

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value + datetime.timedelta(days=1))) if value else queryset

    def filter_case(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Through the log's own link to the student (students sits above audit: no import of its models).
        return queryset.filter(student__applications__registration_number=value)
