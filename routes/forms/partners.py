"""Forms of the register of external organisations and of the letters to them. The services check who acts, that
the person belongs to the organisation, and the reply's date; the forms read what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm, BoundedModelForm

from ..models import ContactPerson, Organisation

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationSearchForm(BoundedForm):
    q = forms.CharField(label=_("Name, address or contact"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind of organisation"), required=False, choices=[("", _("Every kind")), *Organisation.Kind.choices]
    )


class OrganisationForm(BoundedModelForm):
    class Meta:
        model = Organisation
        fields = ["kind", "name", "address", "phone", "email", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "kind": {"required": _("Choose the kind of organisation.")},
            "name": {"required": _("Enter the name of the organisation.")},
            "email": {"invalid": _("Enter an e-mail address like name@example.kz.")},
        }


class ContactForm(BoundedModelForm):
    class Meta:
        model = ContactPerson
        fields = ["full_name", "position", "phone", "email"]
        error_messages = {
            "full_name": {"required": _("Enter the person's full name.")},
            "email": {"invalid": _("Enter an e-mail address like name@example.kz.")},
        }


class PartnerLetterForm(BoundedForm):
    organisation = forms.ModelChoiceField(
        label=_("Addressee organisation"),
        queryset=Organisation.objects.order_by("name"),
        error_messages={
            "required": _("Choose the organisation."),
            "invalid_choice": _("Choose an organisation of the register."),
        },
    )
    contact = forms.ModelChoiceField(
        label=_("Addressee person (optional)"),
        queryset=ContactPerson.objects.select_related("organisation").order_by("organisation__name", "full_name"),
        required=False,
        error_messages={"invalid_choice": _("Choose a person of the addressee organisation.")},
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=300, error_messages={"required": _("Enter the subject of the letter.")}
    )
    body = forms.CharField(
        label=_("Text of the letter"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write the text of the letter.")},
    )
    letter_date = forms.DateField(
        label=_("Date of the letter"),
        widget=_DATE,
        error_messages={"required": _("Enter the date of the letter."), "invalid": _("Enter a real date.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].label_from_instance = lambda person: f"{person.organisation.name}: {person}"


class LetterAnswerForm(BoundedForm):
    reply_date = forms.DateField(
        label=_("Date of the reply"),
        widget=_DATE,
        error_messages={"required": _("Enter the date of the reply."), "invalid": _("Enter a real date.")},
    )
    reply_number = forms.CharField(label=_("Number of the reply (optional)"), max_length=60, required=False)
