"""Forms of the service requests and the equipment loans. The services check dates against today, the course
against the student's enrolments, and who acts; the forms read what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm
from students.models import Student

from ..models import Equipment, ServiceKind, ServiceRequest
from ..services.requests import DETAILS_MAX_LENGTH

SR = ServiceRequest.Status

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _StudentIdMixin:
    def clean_student_id(self):
        value = self.cleaned_data["student_id"].strip()
        student = (
            Student.objects.select_related("user").filter(external_id=value).first()
            or Student.objects.select_related("user").filter(user__email__iexact=value).first()
        )
        if student is None:
            raise forms.ValidationError(_("No student has this ID number or e-mail."))
        return student


def _student_id_field():
    return forms.CharField(
        label=_("Student's ID number or e-mail"),
        max_length=254,
        help_text=_("As in the student information system."),
        error_messages={"required": _("Enter the student's ID number or e-mail.")},
    )


class ServiceRequestForm(_StudentIdMixin, BoundedForm):
    """A new request. The student chooses among their own courses; the centre, filing for a student, names the
    student instead (`on_behalf`) and writes the course in the details."""

    student_id = _student_id_field()
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=ServiceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what is needed.")},
    )
    course = forms.TypedChoiceField(
        label=_("For which course (optional)"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the student's courses.")},
    )
    needed_on = forms.DateField(
        label=_("Needed on (optional)"),
        required=False,
        widget=_DATE,
        error_messages={"invalid": _("Enter a real date.")},
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        help_text=_("For example: the format you need, the room, the time."),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, courses=None, on_behalf=False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf:
            del self.fields["course"]
            self.fields["kind"].label = _("What is needed?")
        else:
            del self.fields["student_id"]
            self.fields["course"].choices = [("", _("No particular course"))] + [(c.pk, str(c)) for c in courses or []]


class ServiceRequestMoveForm(BoundedForm):
    to_status = forms.ChoiceField(
        label=_("Answer"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer."), "invalid_choice": _("Choose one of the answers.")},
    )
    scheduled_for = forms.DateField(
        label=_("Scheduled for"),
        required=False,
        widget=_DATE,
        help_text=_("Only when scheduling."),
        error_messages={"invalid": _("Enter a real date.")},
    )
    reason = forms.CharField(
        label=_("Reason or comment"),
        help_text=_("Required when refusing; the student reads it."),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = list(choices)


class LendForm(_StudentIdMixin, BoundedForm):
    student_id = _student_id_field()
    due_on = forms.DateField(
        label=_("Due back on"),
        widget=_DATE,
        error_messages={"required": _("Enter the return date."), "invalid": _("Enter a real date.")},
    )


class ReturnForm(BoundedForm):
    condition = forms.ChoiceField(
        label=_("Condition on return"),
        choices=Equipment.Condition.choices,
        error_messages={"required": _("Choose the condition."), "invalid_choice": _("Choose one of the conditions.")},
    )


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ServiceKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All states")), *SR.choices])
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)


class EquipmentFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Equipment.Kind.choices])
    available = forms.ChoiceField(
        label=_("Availability"),
        required=False,
        choices=[("", _("All items")), ("yes", _("On the shelf")), ("no", _("On loan"))],
    )
