"""Issue #20, item 13: free text has a length limit and dates a sane range, each refused with a translated message
next to the field and 422, nothing saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inclusion_centre.forms import FREE_TEXT_MAX_LENGTH
from routes.forms import AssessmentForm, ChangedNeedsForm, ReviewForm
from students.forms import ApplicationForm, PaperApplicationForm
from students.models import Application, NeedCategory
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db


def _paper(student, **changes):
    form = {
        "student_id": student.student.external_id,
        "received_on": "2026-11-20",
        "categories": [NeedCategory.objects.get(code="speech").pk],
        "description": "Қағаз өтініш",
        "contact_channel": "email",
        "consent_signed": "on",
        "scan": SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf"),
    }
    return {**form, **changes}


def test_a_million_characters_of_description_are_refused_next_to_the_field(client, centre_head, student):
    client.cookies["language"] = "ru"
    client.force_login(centre_head)
    response = client.post(reverse("students:paper_application"), _paper(student, description="x" * 1_000_000))
    assert response.status_code == 422
    assert response.context["form"].errors["description"] == [
        f"Напишите не более {FREE_TEXT_MAX_LENGTH} символов (вы написали 1000000)."
    ]
    assert 'href="#id_description"' in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize("received_on", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_date_out_of_range_is_refused_next_to_the_field(client, centre_head, student, received_on):
    client.cookies["language"] = "en"
    client.force_login(centre_head)
    response = client.post(reverse("students:paper_application"), _paper(student, received_on=received_on))
    assert response.status_code == 422
    (message,) = response.context["form"].errors["received_on"]
    assert message.startswith("Enter a date between")
    assert not Application.objects.exists()


def test_a_description_at_the_limit_is_accepted(client, centre_head, student):
    client.force_login(centre_head)
    response = client.post(
        reverse("students:paper_application"), _paper(student, description="x" * FREE_TEXT_MAX_LENGTH)
    )
    assert response.status_code == 302
    assert len(Application.objects.get().description) == FREE_TEXT_MAX_LENGTH


@pytest.mark.parametrize(
    "form_class",
    [ApplicationForm, PaperApplicationForm, AssessmentForm, ReviewForm, ChangedNeedsForm],
)
def test_every_free_text_field_has_a_limit_and_every_date_a_range(form_class):
    from django import forms

    form = form_class()
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField):
            assert field.max_length is not None and field.max_length <= FREE_TEXT_MAX_LENGTH, name
        if isinstance(field, forms.DateField):
            with pytest.raises(forms.ValidationError):
                field.clean("9999-12-31")
