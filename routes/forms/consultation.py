"""Forms of the consultations, the guidance notes and the training of staff. The services check the course and the
student against the lecturer's own, dates, numbers and who acts; the forms read what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.accounts.models import User
from inclusion_centre.forms import BoundedForm
from students.models import Faculty

from ..models import TrainingEvent
from ..services.consultation import ANSWER_MAX_LENGTH, HOURS_MAX, QUESTION_MAX_LENGTH, REASON_MAX_LENGTH

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsultationForm(BoundedForm):
    course = forms.TypedChoiceField(
        label=_("Course"),
        coerce=int,
        error_messages={
            "required": _("Choose the course."),
            "invalid_choice": _("Choose one of the courses you teach."),
        },
    )
    student = forms.TypedChoiceField(
        label=_("About a student (optional)"),
        help_text=_("Only students with a route whose section you were asked to agree."),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of your students with a route.")},
    )
    question = forms.CharField(
        label=_("Your question"),
        help_text=_("What you would like to adapt in your teaching, and what you have tried."),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your question.")},
    )

    def __init__(self, *args, courses=(), students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("Choose a course")), *[(c.pk, str(c)) for c in courses]]
        self.fields["student"].choices = [
            ("", _("No particular student")),
            *[(s.pk, s.user.full_name) for s in students],
        ]


class ConsultationAnswerForm(BoundedForm):
    answer = forms.CharField(
        label=_("Answer"),
        help_text=_("The lecturer reads it; it is kept with the request."),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the answer.")},
    )


class ConsultationCloseForm(BoundedForm):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required when the centre closes a request; the lecturer reads it."),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsultationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Waiting for an answer")), ("answered", _("Answered")), ("closed", _("Closed"))],
    )
    mine = forms.BooleanField(label=_("Only the ones I took"), required=False)


class GuidanceNoteForm(BoundedForm):
    title_kk = forms.CharField(
        label=_("title (Kazakh)"), max_length=200, error_messages={"required": _("Write the title in Kazakh.")}
    )
    body_kk = forms.CharField(
        label=_("text (Kazakh)"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the text in Kazakh.")},
    )
    title_ru = forms.CharField(label=_("title (Russian)"), max_length=200, required=False)
    body_ru = forms.CharField(
        label=_("text (Russian)"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("text (English)"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    title_ky = forms.CharField(label=_("title (Kyrgyz)"), max_length=200, required=False)
    body_ky = forms.CharField(
        label=_("text (Kyrgyz)"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class TrainingEventForm(BoundedForm):
    title = forms.CharField(label=_("title"), max_length=300, error_messages={"required": _("Write the title.")})
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=TrainingEvent.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind."), "invalid_choice": _("Choose one of the kinds.")},
    )
    held_on = forms.DateField(
        label=_("date"),
        widget=_DATE,
        error_messages={"required": _("Enter the date."), "invalid": _("Enter a real date.")},
    )
    hours = forms.IntegerField(
        label=_("hours"),
        min_value=1,
        max_value=HOURS_MAX,
        error_messages={
            "required": _("Enter the number of hours."),
            "invalid": _("Enter a whole number of hours."),
            "min_value": _("Enter a number of hours from 1 to %(max)d.") % {"max": HOURS_MAX},
            "max_value": _("Enter a number of hours from 1 to %(max)d.") % {"max": HOURS_MAX},
        },
    )
    organiser = forms.CharField(
        label=_("organiser"), max_length=300, error_messages={"required": _("Write who organises it.")}
    )


class TrainingMoveForm(BoundedForm):
    to_status = forms.ChoiceField(
        label=_("What happened"),
        widget=forms.RadioSelect,
        choices=[
            (TrainingEvent.Status.HELD, _("The event was held")),
            (TrainingEvent.Status.CANCELLED, _("The event was cancelled")),
        ],
        error_messages={"required": _("Choose what happened."), "invalid_choice": _("Choose one of the answers.")},
    )


class AttendanceForm(BoundedForm):
    attendee = forms.CharField(
        label=_("Attendee's e-mail"),
        max_length=254,
        error_messages={"required": _("Enter the attendee's e-mail.")},
    )
    certificate_number = forms.CharField(label=_("Certificate number (optional)"), max_length=64, required=False)

    def clean_attendee(self):
        value = self.cleaned_data["attendee"].strip()
        user = User.objects.filter(email__iexact=value).first()
        if user is None:
            raise forms.ValidationError(_("No member of staff has this e-mail."))
        return user


class UntrainedFilterForm(forms.Form):
    years = forms.IntegerField(
        label=_("No training in the last (years)"),
        min_value=1,
        max_value=20,
        required=False,
        error_messages={
            "invalid": _("Enter a whole number of years from 1 to 20."),
            "min_value": _("Enter a whole number of years from 1 to 20."),
            "max_value": _("Enter a whole number of years from 1 to 20."),
        },
    )
    faculty = forms.ModelChoiceField(
        queryset=Faculty.objects.all(),
        required=False,
        label=_("Faculty"),
        empty_label=_("All faculties"),
        error_messages={"invalid_choice": _("Choose one of the faculties.")},
    )
    export = forms.ChoiceField(choices=[("", "HTML"), ("xlsx", "XLSX")], required=False, widget=forms.HiddenInput)
