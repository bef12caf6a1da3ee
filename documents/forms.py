import base64
import binascii

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


class SignForm(forms.Form):
    """One signature handed in: the role and the language of the signed PDF, and (ЭЦП) the detached CMS that
    NCALayer made, in base64 (static/js/ncalayer.js fills it)."""

    role = forms.ChoiceField(label=_("Role in the document"))
    language = forms.ChoiceField(label=_("Language of the PDF"))
    cms = forms.CharField(label=_("Signature (CMS, base64)"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, roles, languages, qualified, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["language"].choices = [(language, language) for language in languages]
        self.qualified = qualified

    def clean_cms(self):
        value = "".join(self.cleaned_data.get("cms", "").split())
        if not self.qualified:
            return b""
        if not value:
            raise forms.ValidationError(_("Sign with NCALayer first: no signature was received."), code="required")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError(_("The signature received is not valid base64."), code="invalid") from None
