"""Forms shared by the route and the team meeting pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm


class ReasonForm(BoundedForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason.")},
    )
