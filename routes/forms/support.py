"""The form a specialist logs a support session with. The service checks the dates, the length and who acts;
the form only reads what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm

from ..services.support import NOTES_MAX_LENGTH


def _yes(value: str) -> bool:
    return value == "yes"


class SupportSessionForm(BoundedForm):
    measure = forms.TypedChoiceField(
        label=_("Support measure"),
        coerce=int,
        error_messages={
            "required": _("Choose the support measure."),
            "invalid_choice": _("Choose one of the route's support measures."),
        },
    )
    held_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the date of the session."), "invalid": _("Enter a real date.")},
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes"),
        error_messages={"required": _("Enter the length in minutes."), "invalid": _("Enter a whole number.")},
    )
    attended = forms.TypedChoiceField(
        label=_("Did the student come?"),
        choices=[("yes", _("Yes, the student came")), ("no", _("No, the student did not come"))],
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the student came.")},
    )
    notes = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, measures=None, **kwargs):
        """`measures`: the route's measures to choose from; None for a correction, which keeps the session's."""
        super().__init__(*args, **kwargs)
        if measures is None:
            del self.fields["measure"]
        else:
            self.fields["measure"].choices = [("", _("Choose…"))] + [(m.pk, str(m)) for m in measures]
