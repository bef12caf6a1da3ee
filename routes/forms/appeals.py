"""Forms of the appeals. The services check who acts, what may be appealed and the length of the texts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm

from ..models import Appeal
from ..services.appeals import TEXT_MAX_LENGTH


class AppealForm(BoundedForm):
    decision = forms.ChoiceField(
        label=_("Which decision do you appeal?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the decision you appeal."),
            "invalid_choice": _("Choose one of the decisions listed."),
        },
    )
    grounds = forms.CharField(
        label=_("Grounds of the appeal"),
        help_text=_("Why the decision is wrong in your view, and what you ask for."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the grounds of your appeal.")},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = list(choices)


class AppealMoveForm(BoundedForm):
    to_status = forms.ChoiceField(
        label=_("Decision on the appeal"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer."), "invalid_choice": _("Choose one of the answers.")},
    )
    answer = forms.CharField(
        label=_("Reasoned answer"),
        help_text=_("Required when upholding or dismissing; the appellant reads it."),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = list(choices)


class AppealAssignForm(BoundedForm):
    reviewer = forms.TypedChoiceField(
        label=_("Reviewer"),
        coerce=int,
        error_messages={"required": _("Choose the reviewer."), "invalid_choice": _("Choose one of the people listed.")},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", "—")] + [(person.pk, person.full_name) for person in people]


class AppealQueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All states")), *Appeal.Status.choices]
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
