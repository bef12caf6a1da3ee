"""Pages and actions of applications, tried by the owner, by every other role and by an outsider."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessLog, StatusChange
from students.models import Application, Consent, NeedCategory, SupportingDocument
from tests.factories import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

S = Application.Status


def url(name, application, *extra):
    return reverse(f"students:{name}", args=[application.public_id, *extra])


def snapshot(application):
    application.refresh_from_db()
    return (
        application.status,
        application.registration_number,
        application.description,
        StatusChange.objects.count(),
        SupportingDocument.objects.count(),
        Consent.objects.filter(withdrawn_at__isnull=True).count(),
    )


# --- Who sees the case page -----------------------------------------------------------------------------------

SEES_CASE = {"student", "representative", "centre_head", "assigned_specialist"}
STRANGERS = ["other_student", "specialist", "lecturer", "administration", "auditor", "sysadmin", "outsider"]


@pytest.mark.parametrize("who", ["student", "representative", "centre_head", "assigned_specialist", *STRANGERS])
def test_case_page_per_role(client, request, submitted, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(url("application_detail", submitted))
    if who in SEES_CASE:
        assert response.status_code == 200
        assert "MARKER-HEALTH" in response.content.decode()
        assert response["Cache-Control"].startswith("max-age=0")
        assert AccessLog.objects.filter(user=user, action="view_case", object_id=submitted.pk).exists()
    else:
        assert response.status_code == 404
        assert "MARKER-HEALTH" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, submitted):
    response = client.get(url("application_detail", submitted))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_referring_lecturer_sees_only_the_status(client, lecturer, student):
    from students import services
    from tests.factories import EnrolmentFactory

    assignment = lecturer.teaching_assignments.get()
    EnrolmentFactory(student=student.student, course=assignment.course, term=assignment.term)
    application = services.application_start(actor=lecturer, student=student.student, referral_note="ескерту")
    services.application_update(
        application=application,
        actor=student,
        categories=list(NeedCategory.objects.filter(code="visual")),
        description="MARKER-HEALTH",
        conditions=[],
        conditions_other="",
        disability_group="I",
        contact_channel="email",
        contact_phone="",
        contact_notes="",
    )
    client.force_login(lecturer)
    response = client.get(url("application_detail", application))
    assert response.status_code == 200
    content = response.content.decode()
    assert "MARKER-HEALTH" not in content
    assert "tag--draft" in content
    for action in ("application_edit", "application_consent", "document_upload", "application_withdraw"):
        assert client.get(url(action, application)).status_code == 404


# --- Every action URL refuses strangers and changes nothing ---------------------------------------------------

ACTIONS = [
    ("application_submit", "post"),
    ("application_register", "post"),
    ("application_reject", "post"),
    ("application_withdraw", "post"),
    ("application_edit", "post"),
    ("application_consent", "post"),
    ("consent_withdraw", "post"),
    ("document_upload", "post"),
    ("application_edit", "get"),
    ("application_reject", "get"),
]


@pytest.mark.parametrize("who", STRANGERS)
@pytest.mark.parametrize(("action", "method"), ACTIONS)
def test_strangers_get_404_on_every_action(client, request, submitted, who, action, method):
    client.force_login(request.getfixturevalue(who))
    before = snapshot(submitted)
    data = {"reason": "x", "description": "HACKED", "agree": "on", "kind": "other"}
    response = getattr(client, method)(url(action, submitted), data)
    assert response.status_code == 404
    assert snapshot(submitted) == before


@pytest.mark.parametrize("who", ["student", "representative", "assigned_specialist"])
def test_applicant_side_and_specialists_cannot_register_or_reject(client, request, submitted, who):
    client.force_login(request.getfixturevalue(who))
    before = snapshot(submitted)
    assert client.post(url("application_register", submitted)).status_code == 404
    assert client.post(url("application_reject", submitted), {"reason": "x"}).status_code == 404
    assert snapshot(submitted) == before


# --- Downloads -------------------------------------------------------------------------------------------------


def test_download_is_private_logged_and_an_attachment(client, submitted, student):
    document = submitted.documents.get()
    client.force_login(student)
    response = client.get(url("document_download", submitted, document.public_id))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    log = AccessLog.objects.get(action="download_document")
    assert (log.user, log.object_id) == (student, document.pk)
    # The file lives outside any public URL: the storage knows no URL for it.
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


@pytest.mark.parametrize("who", STRANGERS)
def test_strangers_cannot_download(client, request, submitted, who):
    document = submitted.documents.get()
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("document_download", submitted, document.public_id)).status_code == 404
    assert not AccessLog.objects.filter(action="download_document").exists()


def test_document_of_another_application_is_not_reachable_through_mine(client, submitted, student, other_student):
    from students import services

    theirs = services.application_start(actor=other_student, student=other_student.student)
    services.document_upload(
        application=theirs,
        actor=other_student,
        upload=SimpleUploadedFile("x.pdf", pdf_bytes(), "application/pdf"),
        kind="other",
    )
    client.force_login(student)
    response = client.get(url("document_download", submitted, theirs.documents.get().public_id))
    assert response.status_code == 404


# --- The applicant's journey through the pages, with bad input ----------------------------------------------


def test_student_applies_through_the_pages(client, student, centre_head):
    client.force_login(student)
    response = client.post(reverse("students:application_start"), {"student": student.student.pk})
    application = Application.objects.get()
    assert response["Location"] == url("application_edit", application)

    empty = client.post(url("application_edit", application), {"contact_channel": "email"})
    assert empty.status_code == 422
    assert "Choose at least one category of needs." in empty.content.decode() or empty.content.decode()

    phone_missing = client.post(
        url("application_edit", application),
        {"categories": [NeedCategory.objects.get(code="visual").pk], "description": "Көру", "contact_channel": "phone"},
    )
    assert phone_missing.status_code == 422
    assert 'id="id_contact_phone_error"' in phone_missing.content.decode()

    saved = client.post(
        url("application_edit", application),
        {"categories": [NeedCategory.objects.get(code="visual").pk], "description": "Көру", "contact_channel": "email"},
    )
    assert saved["Location"] == url("application_consent", application)

    no_consent = client.post(url("application_submit", application))
    assert no_consent.status_code == 422
    application.refresh_from_db()
    assert application.status == S.DRAFT

    assert client.post(url("application_consent", application), {}).status_code == 422
    assert client.post(url("application_consent", application), {"agree": "on"}).status_code == 302
    assert application.consent.language == "kk"

    bad_file = client.post(
        url("document_upload", application),
        {"kind": "mse", "file": SimpleUploadedFile("conclusion.pdf", png_bytes(), "application/pdf")},
    )
    assert bad_file.status_code == 422
    assert not SupportingDocument.objects.exists()

    assert client.post(url("application_submit", application)).status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED

    double = client.post(url("application_submit", application))
    assert double.status_code == 409
    assert StatusChange.objects.filter(to_status=S.SUBMITTED).count() == 1


def test_centre_head_registers_and_rejects_through_the_pages(client, centre_head, submitted):
    client.force_login(centre_head)
    assert client.post(url("application_reject", submitted), {"reason": ""}).status_code == 422
    assert client.post(url("application_register", submitted)).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.REGISTERED
    assert client.post(url("application_register", submitted)).status_code == 409
    assert client.post(url("application_reject", submitted), {"reason": "Қайталанған өтініш"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.REJECTED


def test_my_applications_lists_only_mine(client, submitted, student, other_student, django_assert_max_num_queries):
    from students import services

    services.application_start(actor=other_student, student=other_student.student)
    client.force_login(student)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("students:my_applications"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [submitted]


def test_case_page_speaks_the_readers_language(client, submitted, student):
    client.force_login(student)
    client.cookies["language"] = "ru"
    content = client.get(url("application_detail", submitted)).content.decode()
    assert "Что дальше" in content
    assert "Заявление отправлено в центр" in content


def test_consent_is_shown_in_the_readers_language_and_records_it(client, draft, student):
    client.force_login(student)
    client.cookies["language"] = "ru"
    page = client.get(url("application_consent", draft))
    assert page.status_code == 200
    assert "О персональных данных и их защите" in page.content.decode()
    client.post(url("application_consent", draft), {"agree": "on"})
    draft.refresh_from_db()
    assert draft.consent.language == "ru"
    assert draft.consent.text.version == "2026-1"
    assert draft.consent.channel == "online"


def test_lecturer_refers_through_the_page(client, lecturer, student, other_student):
    from tests.factories import EnrolmentFactory

    assignment = lecturer.teaching_assignments.get()
    EnrolmentFactory(student=student.student, course=assignment.course, term=assignment.term)
    client.force_login(lecturer)
    page = client.get(reverse("students:application_start"))
    assert page.status_code == 200
    assert student.full_name in page.content.decode()
    assert other_student.full_name not in page.content.decode()
    refused = client.post(reverse("students:application_start"), {"student": other_student.student.pk})
    assert refused.status_code == 422
    assert not Application.objects.exists()
    response = client.post(
        reverse("students:application_start"), {"student": student.student.pk, "referral_note": "Тақтаны көрмейді"}
    )
    application = Application.objects.get()
    assert response["Location"] == url("application_detail", application)
    assert application.filed_as == "lecturer"


def test_oversized_upload_is_refused_with_422(client, draft, student, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(student)
    response = client.post(
        url("document_upload", draft),
        {"kind": "mse", "file": SimpleUploadedFile("big.pdf", pdf_bytes("x" * 2000), "application/pdf")},
    )
    assert response.status_code == 422
    assert 'id="id_file_error"' in response.content.decode()
    assert not SupportingDocument.objects.exists()


def test_paper_application_through_the_page(client, centre_head, student, specialist):
    form = {
        "student_id": student.student.external_id,
        "received_on": "2026-11-20",
        "categories": [NeedCategory.objects.get(code="speech").pk],
        "description": "Қағаз өтініш",
        "contact_channel": "email",
        "consent_signed": "on",
        "scan": SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf"),
    }
    client.force_login(specialist)
    assert client.post(reverse("students:paper_application"), form).status_code == 404
    client.force_login(centre_head)
    missing_consent = dict(form, consent_signed="", scan=SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf"))
    assert client.post(reverse("students:paper_application"), missing_consent).status_code == 422
    unknown = dict(form, student_id="nobody", scan=SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf"))
    assert client.post(reverse("students:paper_application"), unknown).status_code == 422
    assert not Application.objects.exists()
    response = client.post(
        reverse("students:paper_application"),
        dict(form, scan=SimpleUploadedFile("scan.pdf", pdf_bytes(), "application/pdf")),
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert application.status == S.SUBMITTED
    assert application.channel == "paper"


def test_case_page_query_count_does_not_grow_with_documents(client, submitted, student, django_assert_max_num_queries):
    from students import services

    for index in range(8):
        services.document_upload(
            application=submitted,
            actor=student,
            upload=SimpleUploadedFile(f"doc{index}.pdf", pdf_bytes(), "application/pdf"),
            kind="other",
        )
    client.force_login(student)
    # Session, user, roles, the case and its lists, the assessment and route sections, the registered-documents
    # block, permission checks, the access-log write and its link in the audit chain: none per document.
    with django_assert_max_num_queries(40):
        response = client.get(url("application_detail", submitted))
    assert response.status_code == 200
    assert response.content.decode().count("/documents/") >= 9
