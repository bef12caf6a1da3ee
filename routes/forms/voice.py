"""Forms of the student's voice on their route and of the MSE conclusion's validity."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inclusion_centre.forms import BoundedForm
from students.models import Application

from ..models import StudentVoice

TEXT_MAX_LENGTH = StudentVoice.TEXT_MAX_LENGTH


class VoiceCommentForm(BoundedForm):
    text = forms.CharField(
        label=_("Your comment on the draft"),
        help_text=_("What would you change, add or explain? The centre reads it before the route goes further."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": _("Write your comment.")},
    )


class AcknowledgeForm(BoundedForm):
    AGREE, DISAGREE = "agree", "disagree"

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (AGREE, _("I have read the route and acknowledge it")),
            (DISAGREE, _("I acknowledge the route, but I disagree with part of it")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one answer.")},
    )
    text = forms.CharField(
        label=_("What you disagree with"),
        help_text=_("Required if you disagree. Say which part and why."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=TEXT_MAX_LENGTH,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == self.DISAGREE and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Say what you disagree with."))
        return cleaned


class MseForm(BoundedForm):
    valid_until = forms.DateField(
        label=_("Re-examination date (valid until)"),
        help_text=_("The date on the MSE conclusion by which it must be re-examined."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the re-examination date."), "invalid": _("Enter a valid date.")},
    )
    disability_group = forms.ChoiceField(
        label=pgettext_lazy("MSE conclusion", "Disability group"),
        choices=Application.DisabilityGroup.choices,
        required=False,
    )
