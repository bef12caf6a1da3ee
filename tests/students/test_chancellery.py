"""The chancellery's incoming number and date of a paper application (regulation §10 a): entered by the staff who
register it, validated, kept in the history, shown on the case page, in the register and in the printed form."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from documents.models import DocumentType, RegisteredDocument
from students.models import Application
from tests import factories
from tests.documents.conftest import _submitted_by, pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def url(name, application):
    return reverse(f"students:{name}", args=[application.public_id])


def document_of(application) -> RegisteredDocument:
    return RegisteredDocument.objects.get(document_type=DocumentType.APPLICATION, object_id=application.pk)


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def test_registering_with_the_chancellery_entry_keeps_it_with_history_and_prints_it(
    client, centre_head, submitted, django_capture_on_commit_callbacks
):
    client.force_login(centre_head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("application_register", submitted),
            {"incoming_number": "01-12/345", "incoming_date": yesterday().isoformat()},
        )
    assert response.status_code == 302
    document = document_of(submitted)
    assert (document.incoming_number, document.incoming_date) == ("01-12/345", yesterday())
    assert document.history.filter(incoming_number="01-12/345", history_user=centre_head).exists()
    assert "01-12/345" in pdf_text(stored_bytes(document, "ru"))
    page = client.get(url("application_detail", submitted)).content.decode()
    assert "Chancellery incoming No. 01-12/345" in page
    register = client.get(reverse("documents:register")).content.decode()
    assert "01-12/345" in register
    workbook = load_workbook(io.BytesIO(client.get(reverse("documents:register_export")).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][7] == f"01-12/345, {yesterday():%d.%m.%Y}"
    exported = client.get(reverse("documents:register_export_csv")).content.decode("utf-8-sig")
    assert f"01-12/345,{yesterday().isoformat()}" in exported


def test_registering_without_the_entry_still_works(client, centre_head, submitted):
    client.force_login(centre_head)
    assert client.post(url("application_register", submitted)).status_code == 302
    assert document_of(submitted).incoming_number == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"incoming_number": "01-12/345"}, "incoming_date", "Enter the date the chancellery received it."),
        ({"incoming_date": "2026-01-05"}, "incoming_number", "Enter the chancellery's incoming number."),
        ({"incoming_number": "<script>", "incoming_date": "2026-01-05"}, "incoming_number", "letters, digits"),
        (
            {"incoming_number": "7", "incoming_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "incoming_date",
            "cannot be later than the registration date",
        ),
    ],
)
def test_an_entry_that_cannot_be_right_is_refused_and_nothing_is_registered(
    client, centre_head, submitted, data, field, message
):
    client.force_login(centre_head)
    response = client.post(url("application_register", submitted), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert escape(message) in page
    assert f'id="id_{field}"' in page and 'aria-invalid="true"' in page
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED and submitted.registration_number is None
    assert not RegisteredDocument.objects.exists()


def test_a_number_already_given_this_year_is_refused(client, centre_head, registered):
    from students import services

    services.application_record_incoming(
        application=registered, actor=centre_head, number="55", date=timezone.localdate()
    )
    second = _submitted_by(factories.StudentFactory().user)
    client.force_login(centre_head)
    response = client.post(
        url("application_register", second), {"incoming_number": "55", "incoming_date": timezone.localdate()}
    )
    assert response.status_code == 422
    assert "already gave this number" in response.content.decode()


def test_correcting_the_entry_later(client, centre_head, registered):
    client.force_login(centre_head)
    assert client.get(url("application_incoming", registered)).status_code == 200
    response = client.post(
        url("application_incoming", registered), {"incoming_number": "02/7", "incoming_date": yesterday()}
    )
    assert response.status_code == 302
    assert document_of(registered).incoming_number == "02/7"
    response = client.post(url("application_incoming", registered), {"incoming_number": "02/8"})
    assert response.status_code == 422
    assert escape("Enter the date the chancellery received it.") in response.content.decode()
    assert document_of(registered).incoming_number == "02/7"
    # Both empty clears the entry; the history keeps every value.
    assert client.post(url("application_incoming", registered), {}).status_code == 302
    document = document_of(registered)
    assert document.incoming_number == "" and document.incoming_date is None
    assert set(document.history.values_list("incoming_number", flat=True)) >= {"", "02/7"}


@pytest.mark.parametrize(
    "who", ["student", "representative", "specialist", "lecturer", "administration", "auditor", "sysadmin", "outsider"]
)
def test_nobody_else_may_enter_it(client, request, registered, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("application_incoming", registered)).status_code == 404
    data = {"incoming_number": "9", "incoming_date": yesterday()}
    assert client.post(url("application_incoming", registered), data).status_code == 404
    assert document_of(registered).incoming_number == ""


def test_not_before_registration(client, centre_head, submitted):
    client.force_login(centre_head)
    assert client.get(url("application_incoming", submitted)).status_code == 404
