from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm, BoundedModelForm

from .models import Application, ConditionOption, NeedCategory, Student, SupportingDocument


class CatalogueChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class ApplicationForm(BoundedModelForm):
    categories = CatalogueChoiceField(
        queryset=NeedCategory.objects.filter(is_active=True),
        label=_("What are your needs related to?"),
        help_text=_("Choose all that apply."),
        required=True,
        error_messages={"required": _("Choose at least one category of needs.")},
    )
    conditions = CatalogueChoiceField(
        queryset=ConditionOption.objects.filter(is_active=True),
        label=_("Which conditions would help you study?"),
        help_text=_("Choose all that apply. You can describe others below."),
        required=False,
    )

    class Meta:
        model = Application
        fields = [
            "categories",
            "description",
            "conditions",
            "conditions_other",
            "disability_group",
            "contact_channel",
            "contact_phone",
            "contact_notes",
        ]
        labels = {
            "description": _("Describe your needs in your own words"),
            "conditions_other": _("Other conditions you need"),
            "disability_group": _("Disability group, if you want to declare it"),
            "contact_channel": _("How should the centre contact you?"),
            "contact_phone": _("Phone number"),
            "contact_notes": _("Anything we should know when contacting you"),
        }
        help_texts = {
            "description": _("For example: what is difficult in lectures, exams or getting around the campus."),
            "disability_group": _("You do not have to declare it. If you do, attach the certificate."),
            "contact_phone": _("Only if you chose a phone call or a text message."),
            "contact_notes": _("For example: “write to me, I do not hear well on the phone”."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "conditions_other": forms.Textarea(attrs={"rows": 3}),
            "disability_group": forms.RadioSelect,
            "contact_channel": forms.RadioSelect,
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        error_messages = {"description": {"required": _("Describe your needs in your own words.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True
        # Retired catalogue entries stay ticked on applications that already chose them.
        if self.instance.pk:
            self.fields["categories"].queryset = NeedCategory.objects.filter(
                pk__in=[
                    *NeedCategory.objects.filter(is_active=True).values_list("pk", flat=True),
                    *self.instance.categories.values_list("pk", flat=True),
                ]
            )
            self.fields["conditions"].queryset = ConditionOption.objects.filter(
                pk__in=[
                    *ConditionOption.objects.filter(is_active=True).values_list("pk", flat=True),
                    *self.instance.conditions.values_list("pk", flat=True),
                ]
            )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("contact_channel") in {Application.ContactChannel.PHONE, Application.ContactChannel.SMS}
            and not (cleaned.get("contact_phone") or "").strip()
        ):
            self.add_error("contact_phone", _("Enter a phone number, or choose another way to contact you."))
        return cleaned


def second_case_field(**kwargs) -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Start a second application anyway"),
        help_text=_("Only if the open case cannot take what is asked for now."),
        required=False,
        **kwargs,
    )


def check_open_cases(form, student: Student, *, staff: bool) -> None:
    """Warn before a second case is opened while one is open: `form.open_cases` lists them (the page links
    them), and the form is refused, next to its "second_case" box, until that box is ticked. Staff see only
    cases sent to the centre (a draft is its authors' alone)."""
    from .permissions import visible_to_staff
    from .selectors import open_cases_of

    cases = open_cases_of(student)
    form.open_cases = list(visible_to_staff(cases) if staff else cases)
    if form.open_cases and not form.cleaned_data.get("second_case"):
        form.add_error(
            "second_case",
            _(
                "%(name)s already has an open case (linked above). Continue it there, or tick this box if a "
                "second application is really needed."
            )
            % {"name": student.user.full_name},
        )


class StartForm(BoundedForm):
    student = forms.ModelChoiceField(
        queryset=Student.objects.none(),
        label=_("Who is the application for?"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the student."), "invalid_choice": _("Choose the student.")},
    )
    referral_note = forms.CharField(
        label=_("What have you noticed? (for a referral by a lecturer)"),
        help_text=_("Describe what you observed in your classes. Do not write diagnoses."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    second_case = second_case_field()

    def __init__(self, *args, students=None, is_lecturer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_lecturer = is_lecturer
        self.open_cases = []
        self.fields["student"].queryset = students
        self.fields["student"].label_from_instance = lambda s: (
            f"{s.user.full_name} ({s.programme.code}, {s.group or ''})"
        )
        if not is_lecturer:
            del self.fields["referral_note"]
        # A referring lecturer learns nothing of the student's cases: the warning is the applicant side's.
        if is_lecturer or students is None:
            del self.fields["second_case"]
        else:
            from .selectors import open_cases_of

            self.open_cases = list(open_cases_of(students))
            if not self.open_cases:
                del self.fields["second_case"]

    def clean(self):
        data = super().clean()
        if data.get("student") is not None and "second_case" in self.fields:
            check_open_cases(self, data["student"], staff=False)
        return data


class ConsentForm(BoundedForm):
    agree = forms.BooleanField(
        label=_("I agree to the processing of my personal data as described above"),
        error_messages={"required": _("Tick the box to give your consent. Without it the application cannot be sent.")},
    )


class ReasonForm(BoundedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args, required=True, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.fields["reason"].error_messages["required"] = _("Give the reason.")
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.case_label} — {obj.get_status_display()}"


class DuplicateForm(BoundedForm):
    """The centre settles a second case opened while one was open: merge it into the open case, or reject it."""

    MERGE = "merge"
    REJECT = "duplicate"

    keep = CaseChoiceField(
        queryset=Application.objects.none(),
        label=_("The open case to keep"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the open case to keep."),
            "invalid_choice": _("Choose another open case of the same student."),
        },
    )
    action = forms.ChoiceField(
        label=_("What to do with this application"),
        choices=[
            (MERGE, _("Merge it into the open case: its documents move there")),
            (REJECT, _("Reject it as a duplicate: nothing moves")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what to do with this application.")},
    )
    reason = forms.CharField(
        label=_("Comment for the applicant"),
        help_text=_("Optional. Without one, the applicant reads which case was kept."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = Application.objects.filter(pk__in=[t.pk for t in targets])
        if len(targets) == 1:
            self.fields["keep"].initial = targets[0].pk


class UploadForm(BoundedForm):
    kind = forms.ChoiceField(
        label=_("What is this document?"),
        choices=[c for c in SupportingDocument.Kind.choices if c[0] != SupportingDocument.Kind.PAPER_APPLICATION],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the document is.")},
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        error_messages={"required": _("Choose a file to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )


class PaperApplicationForm(ApplicationForm):
    student_id = forms.CharField(
        label=_("Student's ID number or e-mail"),
        help_text=_("As in the student information system."),
        error_messages={"required": _("Enter the student's ID number or e-mail.")},
    )
    received_on = forms.DateField(
        label=_("Received at the chancellery on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date the paper application was received."),
            "invalid": _("Enter a real date."),
        },
    )
    consent_signed = forms.BooleanField(
        label=_("The applicant signed the consent to the processing of personal data on paper"),
        required=False,
    )
    scan = forms.FileField(
        label=_("Scan of the paper application"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        error_messages={"required": _("Attach the scan of the paper application.")},
    )

    second_case = second_case_field()

    field_order = ["student_id", "second_case", "received_on"]

    class Meta(ApplicationForm.Meta):
        pass

    def clean_student_id(self):
        value = self.cleaned_data["student_id"].strip()
        student = (
            Student.objects.select_related("user").filter(external_id=value).first()
            or Student.objects.select_related("user").filter(user__email__iexact=value).first()
        )
        if student is None:
            raise forms.ValidationError(_("No student has this ID number or e-mail."))
        return student

    def clean_consent_signed(self):
        if not self.cleaned_data.get("consent_signed"):
            raise forms.ValidationError(_("A paper application can only be entered with the signed consent."))
        return True

    def clean(self):
        data = super().clean()
        self.open_cases = []
        if isinstance(data.get("student_id"), Student):
            check_open_cases(self, data["student_id"], staff=True)
        return data
