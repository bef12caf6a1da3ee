from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import AcademicTerm, Course

from .models import Adaptation, Area, Conclusion, ConclusionItem, RouteReview


class AssignForm(forms.Form):
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


class AssessmentForm(forms.Form):
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


class ConclusionForm(forms.Form):
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


# --- Routes -------------------------------------------------------------------------------------------------


class RouteStartForm(forms.Form):
    academic_year = forms.ChoiceField(
        label=_("Academic year"), error_messages={"required": _("Choose the academic year.")}
    )
    term = forms.ModelChoiceField(
        queryset=AcademicTerm.objects.none(),
        label=_("Term"),
        required=False,
        empty_label=_("The whole academic year"),
        error_messages={"invalid_choice": _("Choose a term from the list.")},
    )

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [(year, year) for year in years]
        self.fields["term"].queryset = AcademicTerm.objects.filter(academic_year__in=years).order_by("starts_on")


class RevisionForm(forms.Form):
    """Every form that changes a draft route carries the revision it was shown at."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class RouteGeneralForm(RevisionForm):
    goals = forms.CharField(
        label=_("Goals of the route"),
        help_text=_("What the student should be able to do by the end of the period."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    support_level = forms.ChoiceField(
        label=_("Level of support"),
        choices=Conclusion.SupportLevel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    tutor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Tutor"),
        required=False,
        empty_label=_("No tutor"),
        error_messages={"invalid_choice": _("Choose a tutor from the list.")},
    )
    timetable = forms.CharField(
        label=_("Individual timetable arrangements"),
        help_text=_("Leave empty when the ordinary timetable suits the student."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    methods = forms.CharField(
        label=_("Special methods and technologies"),
        help_text=_("Assistive technology, alternative formats, sign-language interpreting, distance forms."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    first_review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date.")},
    )
    second_review_on = forms.DateField(
        label=_("Second review date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date.")},
    )
    revision_reason = forms.CharField(
        label=_("Why is a new version needed?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, route, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutor"].queryset = (
            User.objects.filter(groups__name__in=[Role.SPECIALIST.value, Role.LECTURER.value], is_active=True)
            .distinct()
            .order_by("full_name")
        )
        self.fields["tutor"].label_from_instance = lambda user: user.full_name
        if route.version == 1:
            del self.fields["revision_reason"]


class SectionForm(RevisionForm):
    content_adaptation = forms.CharField(
        label=_("Adaptation of the content"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    methods = forms.CharField(
        label=_("Methods and materials"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    assessment_forms = forms.CharField(
        label=_("Forms of assessment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )


class SectionAddForm(RevisionForm):
    course = forms.ModelChoiceField(
        queryset=Course.objects.all(),
        label=_("Course"),
        empty_label=_("Choose a course"),
        error_messages={"required": _("Choose a course."), "invalid_choice": _("Choose a course from the list.")},
    )
    term = forms.ModelChoiceField(
        queryset=AcademicTerm.objects.none(),
        label=_("Term"),
        empty_label=_("Choose a term"),
        error_messages={"required": _("Choose a term."), "invalid_choice": _("Choose a term from the list.")},
    )
    lecturer = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Lecturer"),
        empty_label=_("Choose a lecturer"),
        error_messages={"required": _("Choose a lecturer."), "invalid_choice": _("Choose a lecturer from the list.")},
    )

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        self.fields["term"].queryset = AcademicTerm.objects.filter(pk__in=[t.pk for t in terms])
        self.fields["lecturer"].queryset = User.objects.filter(
            groups__name=Role.LECTURER.value, is_active=True
        ).order_by("full_name")
        self.fields["lecturer"].label_from_instance = lambda user: user.full_name


class MeasureForm(forms.Form):
    who = forms.CharField(
        label=_("Who"), max_length=200, error_messages={"required": _("Say who provides the support.")}
    )
    what = forms.CharField(
        label=_("What"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Say what support is given.")},
    )
    frequency = forms.CharField(label=_("How often"), max_length=200, required=False)
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="measure", **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason.")},
    )


class RevisionReasonForm(RevisionForm, ReasonForm):
    pass


class AgreementForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("agreed", _("I agree")),
            ("agreed_remarks", _("I agree, with remarks")),
            ("changes", _("I ask for changes")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your answer."), "invalid_choice": _("Choose your answer.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        help_text=_("Required when you add remarks or ask for changes; the specialist reads it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in {"agreed_remarks", "changes"} and not data.get("comment", "").strip():
            self.add_error("comment", _("Write what should change: the specialist will read it."))
        return data


class ReviewForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for the review"),
        choices=RouteReview.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason for the review.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=RouteReview.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    comment = forms.CharField(
        label=_("What the review found"),
        help_text=_("Required to revise or complete the route."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") in {"revise", "complete"} and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what the review found."))
        return data


class ChangedNeedsForm(forms.Form):
    text = forms.CharField(
        label=_("What has changed?"),
        help_text=_("For example: your health, your courses, or what helps you learn. Write in your own words."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Tell us what has changed.")},
    )
