"""Forms of the assessment and conclusion pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.forms import BoundedForm

from ..models import Adaptation, Area, Conclusion, ConclusionItem


class AssignForm(BoundedForm):
    specialist = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Specialist"),
        empty_label=_("Choose a specialist"),
        error_messages={"required": _("Choose a specialist."), "invalid_choice": _("Choose a specialist.")},
    )
    area = forms.ChoiceField(
        label=_("Area to assess"),
        choices=[("", _("Choose an area")), *Area.choices],
        error_messages={"required": _("Choose the area to assess.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = User.objects.filter(
            groups__name=Role.SPECIALIST.value, is_active=True
        ).order_by("full_name")
        self.fields["specialist"].label_from_instance = lambda user: user.full_name


class AssessmentForm(BoundedForm):
    findings = forms.CharField(
        label=_("Findings"),
        help_text=_("What you observed and how: methods, tests, conversations."),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    strengths = forms.CharField(label=_("Strengths"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    barriers = forms.CharField(
        label=_("Barriers to learning"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    adaptations = forms.ModelMultipleChoiceField(
        queryset=Adaptation.objects.all(),
        label=_("Recommendations from the catalogue"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_recommendations = forms.CharField(
        label=_("Other recommendations"),
        help_text=_("One per line, in your own words."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean_adaptations(self):
        chosen = self.cleaned_data["adaptations"]
        allowed = set(self.initial.get("adaptations", []))
        retired = [a for a in chosen if not a.is_active and a.pk not in allowed]
        if retired:
            raise forms.ValidationError(
                _("This entry of the catalogue is no longer in use: %(name)s.") % {"name": retired[0].name}
            )
        return chosen


class ConclusionForm(BoundedForm):
    analysis = forms.CharField(
        label=_("Analysis of educational needs"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )
    support_level = forms.ChoiceField(
        label=_("Recommended level of support"),
        choices=Conclusion.SupportLevel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    keep_items = forms.ModelMultipleChoiceField(
        queryset=ConclusionItem.objects.none(),
        label=_("Recommended adaptations"),
        help_text=_("Untick a recommendation to leave it out of the conclusion."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    revision_reason = forms.CharField(
        label=_("Why is a new version needed?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, conclusion: Conclusion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep_items"].queryset = conclusion.items.all()
        self.fields["keep_items"].label_from_instance = lambda item: str(item)
        if conclusion.version == 1:
            del self.fields["revision_reason"]
