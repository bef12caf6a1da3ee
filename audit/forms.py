from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .selectors import tracked_models


class HistoryLookupForm(forms.Form):
    """Open the history of any record by its type and number (ids only: nothing personal in the address)."""

    record_type = forms.ChoiceField(label=_("Type of record"))
    record_id = forms.IntegerField(
        label=_("Number (id) of the record"),
        min_value=1,
        help_text=_("The number shown in the access log or in the administration site."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = sorted(
            (
                (model._meta.label_lower, capfirst(model._meta.verbose_name))
                for model in tracked_models()
                if not model._meta.label_lower.startswith("audit.")
            ),
            key=lambda choice: str(choice[1]),
        )


class HistoryReasonForm(forms.Form):
    """Why the reader needs the health data of a record's history: shown only with a reason, which is logged."""

    reason = forms.CharField(
        label=_("Reason for reading the health data"),
        min_length=10,
        max_length=500,
        required=False,
        help_text=_("For example, the request or complaint you are handling. It is kept in the access log."),
    )
