"""Issue 20, finding 5: the history pages give what changed, by whom and when; health fields are masked unless the
reader gives a reason, and a reading with a reason is recorded in the access log as such."""

import pytest
from django.urls import reverse

from audit.chain import verify_chain
from audit.models import AccessLog

pytestmark = pytest.mark.django_db

HEALTH = "MARKER-HEALTH"  # the application's own words (tests/factories.fill_application)
REASON = "Complaint no. 12 about who changed the needs"


def _history(obj) -> str:
    return reverse("audit:history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])


@pytest.fixture
def as_auditor(client, auditor):
    client.force_login(auditor)
    client.cookies["language"] = "en"
    return client


def test_health_fields_are_masked_by_default(as_auditor, registered, centre_head, student):
    response = as_auditor.get(_history(registered))
    html = response.content.decode()
    assert response.status_code == 200
    assert HEALTH not in html
    assert "Group II" not in html  # the disability group
    assert "Changed (health data, hidden)" in html
    # What changed, by whom and when is all there.
    assert "Registered" in html and f"By: {centre_head.full_name}" in html and f"By: {student.full_name}" in html
    for label in ("Your needs in your own words", "Disability group", "Categories of needs"):
        assert label in html
    read = AccessLog.objects.get(user__groups__name="auditor")
    assert (read.action, read.reason) == (AccessLog.Action.VIEW_HISTORY, "")


def test_uploaded_document_names_are_masked(as_auditor, registered):
    upload = registered.documents.get()
    html = as_auditor.get(_history(upload)).content.decode()
    assert upload.original_name not in html
    assert upload.original_name in as_auditor.get(_history(upload), {"reason": REASON}).content.decode()


def test_a_reason_unmasks_and_is_recorded_in_the_access_log(as_auditor, registered, auditor):
    response = as_auditor.get(_history(registered), {"reason": REASON})
    html = response.content.decode()
    assert response.status_code == 200
    assert HEALTH in html and "Group II" in html
    read = AccessLog.objects.get(user=auditor)
    assert read.action == AccessLog.Action.VIEW_HISTORY_HEALTH
    assert read.reason == REASON
    assert read.object_id == registered.pk and read.student_id == registered.student_id
    assert verify_chain().ok  # the reading, with its reason, is chained like any other


@pytest.mark.parametrize("reason", ["", "   ", "because"])
def test_no_reason_no_unmasking(as_auditor, registered, auditor, reason):
    response = as_auditor.get(_history(registered), {"reason": reason})
    assert HEALTH not in response.content.decode()
    assert response.status_code == (422 if reason.strip() else 200)
    assert not AccessLog.objects.filter(user=auditor, action=AccessLog.Action.VIEW_HISTORY_HEALTH).exists()
