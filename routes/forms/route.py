"""Forms of the route pages: the general part, course sections, measures, agreements, reviews."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.forms import BoundedForm
from students.models import AcademicTerm, Course

from ..models import Conclusion, RouteReview
from .common import ReasonForm


class RouteStartForm(BoundedForm):
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


class RevisionForm(BoundedForm):
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
    exam_extra_time = forms.IntegerField(
        label=_("Extra time at exams, per cent"),
        help_text=_("0 when the student sits exams in the standard time; at most 100."),
        min_value=0,
        max_value=100,
        required=False,
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("Enter a percentage from 0 to 100."),
            "max_value": _("Enter a percentage from 0 to 100."),
        },
    )
    exam_separate_room = forms.BooleanField(label=_("Separate room at exams"), required=False)
    exam_reader = forms.BooleanField(label=_("Reader at exams"), required=False)
    exam_scribe = forms.BooleanField(label=_("Scribe at exams"), required=False)
    exam_assistive_technology = forms.BooleanField(label=_("Assistive technology at exams (computer)"), required=False)
    exam_oral = forms.BooleanField(label=_("Oral exam instead of written"), required=False)
    exam_rest_breaks = forms.IntegerField(
        label=_("Rest breaks at exams, minutes"),
        help_text=_("Minutes of rest added to each exam; 0 for none; at most 60."),
        min_value=0,
        max_value=60,
        required=False,
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("Enter from 0 to 60 minutes."),
            "max_value": _("Enter from 0 to 60 minutes."),
        },
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

    def clean_exam_extra_time(self):
        return self.cleaned_data.get("exam_extra_time") or 0

    def clean_exam_rest_breaks(self):
        return self.cleaned_data.get("exam_rest_breaks") or 0


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


class MeasureForm(BoundedForm):
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


class RevisionReasonForm(RevisionForm, ReasonForm):
    pass


def _comment_required(form: forms.Form, choice: str, needing: set[str], message: str) -> dict:
    """The form's clean(): the comment is required when the `choice` field's value is one of `needing`."""
    data = form.cleaned_data
    if data.get(choice) in needing and not data.get("comment", "").strip():
        form.add_error("comment", message)
    return data


class AgreementForm(BoundedForm):
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
        return _comment_required(
            self, "decision", {"agreed_remarks", "changes"}, _("Write what should change: the specialist will read it.")
        )


class ReviewForm(BoundedForm):
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
        return _comment_required(self, "outcome", {"revise", "complete"}, _("Say what the review found."))


class ChangedNeedsForm(BoundedForm):
    text = forms.CharField(
        label=_("What has changed?"),
        help_text=_("For example: your health, your courses, or what helps you learn. Write in your own words."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Tell us what has changed.")},
    )
