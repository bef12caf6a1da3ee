"""The admin site is a door like any other (issue 20, findings 2 and 4): every read of personal data through it is
in the access log, and it never shows an authenticator's key, QR code or recovery codes."""

import base64

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessLog
from inclusion_centre.accounts import two_factor
from inclusion_centre.accounts.admin import ReadLoggedAdmin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Reference data and plumbing: no person's data in them, so reading them is not logged.
NOT_PERSONAL = {
    "auth.group",
    "students.faculty",
    "students.programme",
    "students.studygroup",
    "students.academicterm",
    "students.course",
    "students.needcategory",
    "students.conditionoption",
    "students.consenttext",
    "routes.adaptation",
    "documents.registrationcounter",
    "documents.letterhead",  # the institution's names, address and emblem: no personal data
    "outbox.outboxmessage",  # ids only
}


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_every_admin_page_of_personal_data_is_logged():
    registered = {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}
    assert set(registered) >= NOT_PERSONAL
    unlogged = [label for label, model_admin in registered.items() if not isinstance(model_admin, ReadLoggedAdmin)]
    assert sorted(set(unlogged) - NOT_PERSONAL) == []


@pytest.mark.parametrize("which", ["application", "supportingdocument", "consent", "student"])
def test_opening_a_record_in_the_admin_writes_the_access_log(superuser_client, submitted, which):
    obj = {
        "application": submitted,
        "supportingdocument": submitted.documents.first(),
        "consent": submitted.consent,
        "student": submitted.student,
    }[which]
    label = f"students_{which}"
    for view, action in (("change", AccessLog.Action.VIEW_CASE), ("history", AccessLog.Action.VIEW_HISTORY)):
        AccessLog.objects.all().delete()
        url = reverse(f"admin:{label}_{view}", args=[obj.pk])
        assert superuser_client.get(url).status_code == 200, url
        entry = AccessLog.objects.get()
        assert (entry.action, entry.object_id, entry.student_id, entry.path) == (
            action,
            obj.pk,
            submitted.student_id,
            url,
        )
    AccessLog.objects.all().delete()
    superuser_client.get(reverse(f"admin:{label}_changelist"))
    assert AccessLog.objects.filter(path=reverse(f"admin:{label}_changelist")).count() == 1


def test_the_admin_never_shows_an_authenticators_key(client, specialist):
    device = TOTPDevice.objects.create(user=specialist, name="app", confirmed=True)
    codes = two_factor.new_recovery_codes(user=specialist)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    page = change.content.decode()
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert device.key not in page and secret not in page and secret.lower() not in page
    assert "/config/" not in page and "/qrcode/" not in page
    for name in ("otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"):
        response = client.get(reverse(f"admin:{name}", args=[device.pk]))
        assert response.status_code == 403, name
        assert device.key not in response.content.decode()
    static = StaticToken.objects.filter(device__user=specialist).first().device
    page = client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk])).content.decode()
    assert not [code for code in codes if code in page]


def test_a_history_page_is_logged_once(superuser_client, submitted):
    superuser_client.get(reverse("admin:students_application_change", args=[submitted.pk]))
    entry = AccessLog.objects.get()
    url = reverse("admin:audit_accesslog_history", args=[entry.pk])  # Django's own history view, not simple-history's
    assert superuser_client.get(url).status_code == 200
    assert list(AccessLog.objects.filter(path=url).values_list("action", "object_id")) == [
        (AccessLog.Action.VIEW_HISTORY, entry.pk)
    ]


def test_an_autocomplete_search_of_people_is_logged(superuser_client, submitted):
    """The pickers answer with people's names: a read like any other (GET /admin/autocomplete/)."""
    AccessLog.objects.all().delete()
    response = superuser_client.get(
        "/admin/autocomplete/",
        {"app_label": "students", "model_name": "enrolment", "field_name": "student", "term": ""},
    )
    assert response.status_code == 200
    assert response.json()["results"]  # the submitted case's student is offered by name
    assert AccessLog.objects.filter(path__startswith="/admin/autocomplete/").count() == 1
