from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The PDF file you hold"),
        help_text=_("It is compared byte by byte with the registered copy; it is not stored."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
