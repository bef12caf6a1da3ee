"""A second case while one is open (issue #26): warned about with a link to the open case; the centre merges it
into the open case or rejects it as a duplicate; a rejected or merged application's registered document is void."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from audit.models import StatusChange
from documents.models import RegisteredDocument
from students import services
from students.models import Application, NeedCategory, SupportingDocument
from tests.factories import pdf_bytes, submitted_application

pytestmark = pytest.mark.django_db

S = Application.Status
D = RegisteredDocument.Status


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.deactivate()


def registered_document(application):
    return RegisteredDocument.objects.get(
        content_type=ContentType.objects.get_for_model(Application), object_id=application.pk
    )


@pytest.fixture
def second(registered, student):
    """A second application of the same student, sent while the first (registered) is open, with an upload."""
    application = submitted_application(student)
    services.document_upload(
        application=application,
        actor=student,
        upload=SimpleUploadedFile("анықтама.pdf", pdf_bytes("second"), "application/pdf"),
        kind="specialist",
    )
    return application


# --- Warning before a second case ---------------------------------------------------------------------------


def test_the_student_is_warned_and_the_open_case_linked(client, registered, student):
    client.force_login(student)
    page = client.get(reverse("students:application_start")).content.decode()
    assert 'id="open-cases"' in page
    assert reverse("students:application_detail", args=[registered.public_id]) in page
    assert registered.registration_number in page


def test_a_second_case_needs_the_box_ticked(client, registered, student):
    client.force_login(student)
    url = reverse("students:application_start")
    response = client.post(url, {"student": student.student.pk})
    assert response.status_code == 422
    assert 'id="id_second_case_error"' in response.content.decode()
    assert Application.objects.filter(student=student.student).count() == 1
    response = client.post(url, {"student": student.student.pk, "second_case": "on"})
    assert response.status_code == 302
    assert Application.objects.filter(student=student.student).count() == 2


def test_the_representative_is_warned_too(client, registered, representative):
    client.force_login(representative)
    response = client.post(reverse("students:application_start"), {"student": registered.student_id})
    assert response.status_code == 422
    assert reverse("students:application_detail", args=[registered.public_id]) in response.content.decode()


def test_without_an_open_case_nothing_is_asked(client, student):
    client.force_login(student)
    page = client.get(reverse("students:application_start")).content.decode()
    assert "second_case" not in page and 'id="open-cases"' not in page
    response = client.post(reverse("students:application_start"), {"student": student.student.pk})
    assert response.status_code == 302


def test_the_centre_entering_a_paper_application_is_warned(client, registered, student, centre_head):
    client.force_login(centre_head)
    data = {
        "student_id": student.student.external_id,
        "received_on": "2026-09-01",
        "categories": [NeedCategory.objects.get(code="visual").pk],
        "description": "Қағаз өтініш.",
        "disability_group": "",
        "contact_channel": "email",
        "consent_signed": "on",
    }
    scan = SimpleUploadedFile("scan.pdf", pdf_bytes("scan"), "application/pdf")
    response = client.post(reverse("students:paper_application"), {**data, "scan": scan})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_second_case_error"' in page
    assert reverse("students:application_detail", args=[registered.public_id]) in page
    assert Application.objects.filter(student=student.student).count() == 1


def test_the_case_page_warns_the_student_and_the_centre(client, second, registered, student, centre_head):
    for user in (student, centre_head):
        client.force_login(user)
        page = client.get(reverse("students:application_detail", args=[second.public_id])).content.decode()
        assert 'id="other-open-cases"' in page
        assert reverse("students:application_detail", args=[registered.public_id]) in page
    assert reverse("students:application_duplicate", args=[second.public_id]) in page  # the centre's action


# --- Merge and reject as a duplicate ------------------------------------------------------------------------


def test_merging_moves_the_uploads_and_voids_the_registered_application(second, registered, centre_head):
    services.application_register(application=second, actor=centre_head)
    uploads = list(SupportingDocument.objects.filter(application=second).values_list("pk", flat=True))
    assert uploads
    merged = services.application_merge(application=second, keep=registered, actor=centre_head, reason="")
    assert merged.status == S.MERGED and merged.duplicate_of_id == registered.pk
    assert set(SupportingDocument.objects.filter(application=registered).values_list("pk", flat=True)) >= set(uploads)
    assert registered_document(merged).status == D.MERGED
    assert registered_document(registered).status == D.IN_FORCE
    change = StatusChange.objects.get(
        content_type=ContentType.objects.get_for_model(Application), object_id=second.pk, to_status=S.MERGED
    )
    assert change.actor == centre_head and registered.registration_number in change.comment
    assert merged.history.first().history_user == centre_head
    moved = SupportingDocument.objects.get(pk=uploads[0])
    assert moved.history.first().history_user == centre_head and moved.history.first().application_id == registered.pk


def test_rejecting_as_a_duplicate_moves_nothing(second, registered, centre_head):
    services.application_register(application=second, actor=centre_head)
    rejected = services.application_reject_duplicate(application=second, keep=registered, actor=centre_head, reason="")
    assert rejected.status == S.DUPLICATE and rejected.duplicate_of_id == registered.pk
    assert SupportingDocument.objects.filter(application=second).exists()
    assert registered_document(rejected).status == D.REJECTED
    assert registered.registration_number in rejected.rejection_reason


def test_only_another_open_case_of_the_same_student_is_kept(second, registered, centre_head, other_student):
    other = submitted_application(other_student)
    for keep in (second, other):
        with pytest.raises(ValidationError):
            services.application_merge(application=second, keep=keep, actor=centre_head)
    second.refresh_from_db()
    assert second.status == S.SUBMITTED


def test_a_case_under_assessment_is_not_merged(second, registered, centre_head):
    Application.objects.filter(pk=second.pk).update(status=S.UNDER_ASSESSMENT)
    second.refresh_from_db()
    with pytest.raises(ValidationError):
        services.application_merge(application=second, keep=registered, actor=centre_head)
    second.refresh_from_db()
    assert second.status == S.UNDER_ASSESSMENT


def test_the_centre_merges_through_the_page(client, second, registered, centre_head):
    client.force_login(centre_head)
    url = reverse("students:application_duplicate", args=[second.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"keep": registered.pk})
    assert response.status_code == 422
    assert 'id="id_action_error"' in response.content.decode()
    response = client.post(url, {"keep": registered.pk, "action": "merge"})
    assert response.status_code == 302
    assert response["Location"] == reverse("students:application_detail", args=[registered.public_id])
    second.refresh_from_db()
    assert second.status == S.MERGED
    page = client.get(response["Location"]).content.decode()
    assert reverse("students:application_detail", args=[second.public_id]) in page  # the kept case lists it


@pytest.mark.parametrize(
    "name", ["student", "representative", "specialist", "lecturer", "administration", "auditor", "sysadmin", "outsider"]
)
def test_nobody_else_settles_a_duplicate(client, request, second, registered, name):
    client.force_login(request.getfixturevalue(name))
    url = reverse("students:application_duplicate", args=[second.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"keep": registered.pk, "action": "merge"}).status_code == 404
    second.refresh_from_db()
    assert second.status == S.SUBMITTED and second.duplicate_of_id is None


# --- 6. A rejected application's registered document -------------------------------------------------------


def test_a_rejected_application_is_no_longer_in_force(client, registered, centre_head):
    services.application_reject(application=registered, actor=centre_head, reason="Құжаттар толық емес.")
    document = registered_document(registered)
    assert document.status == D.REJECTED
    change = StatusChange.objects.get(
        content_type=ContentType.objects.get_for_model(RegisteredDocument), object_id=document.pk, to_status=D.REJECTED
    )
    assert change.actor == centre_head
    client.force_login(centre_head)
    register = client.get(reverse("documents:register")).content.decode()
    assert "Void: the application was rejected" in register
    case = client.get(reverse("students:application_detail", args=[registered.public_id])).content.decode()
    assert "Void: the application was rejected" in case
