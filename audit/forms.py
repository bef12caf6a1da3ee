from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm

from .models import Disclosure
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


# --- The register of disclosures (regulation §10.3) -------------------------------------------------------------


def student_model():
    """The student model the register names (students sits above audit: no import of its models)."""
    return Disclosure._meta.get_field("student").related_model


class DisclosureForm(BoundedForm):
    student_id = forms.CharField(
        label=_("Student's ID number or e-mail"),
        max_length=254,
        error_messages={"required": _("Enter the student's ID number or e-mail.")},
    )
    recipient = forms.CharField(
        label=_("Recipient (organisation or person)"),
        max_length=300,
        error_messages={"required": _("Name the organisation or person who received the data.")},
    )
    categories = forms.MultipleChoiceField(
        label=_("What data was disclosed"),
        choices=Disclosure.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose what data was disclosed."),
            "invalid_choice": _("Choose what data was disclosed."),
        },
    )
    details = forms.CharField(
        label=_("Details of the data (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ground = forms.ChoiceField(
        label=_("Legal ground"),
        choices=Disclosure.Ground.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the legal ground."), "invalid_choice": _("Choose the legal ground.")},
    )
    ground_text = forms.CharField(
        label=_("The ground in words"),
        help_text=_("Required for “Other”; for a request, its number and date."),
        required=False,
        max_length=1000,
    )
    disclosed_on = forms.DateField(
        label=_("Disclosed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the date of the disclosure."), "invalid": _("Enter a real date.")},
    )

    def clean_student_id(self):
        value = self.cleaned_data["student_id"].strip()
        students = student_model().objects.select_related("user")
        student = students.filter(external_id=value).first() or students.filter(user__email__iexact=value).first()
        if student is None:
            raise forms.ValidationError(_("No student has this ID number or e-mail."))
        return student


class DisclosureFilterForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Legal ground"), required=False, choices=[("", _("All grounds")), *Disclosure.Ground.choices]
    )
    recipient = forms.CharField(label=_("Recipient"), required=False, max_length=100)
    since = forms.DateField(
        label=_("Disclosed from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date.")},
    )
    until = forms.DateField(
        label=_("Disclosed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date cannot be before the start date."))
        return data
