from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The PDF file you hold"),
        help_text=_("It is compared byte by byte with the registered copy; it is not stored."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class IncomingEntryForm(BoundedForm):
    """The chancellery's incoming number and date of a paper (regulation §10 a); both or neither."""

    incoming_number = forms.CharField(
        label=_("Chancellery incoming number"),
        max_length=40,
        required=False,
        help_text=_("As the chancellery stamped it on the paper, for example 01-12/345."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    incoming_date = forms.DateField(
        label=_("Chancellery incoming date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
