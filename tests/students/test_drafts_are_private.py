"""Issue 20, finding 3: drafts belong to their authors until submitted.

A representative's draft (the child's hearing need, no consent yet) and a lecturer's referral draft are tried by
every staff role: not on a page (404), not in the inbox, its search or its counts, not in the reports, the personal
file, the audit history, the admin or a notification, whatever object grants a staff member happens to hold.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from students import selectors, services
from students.models import Application
from tests.factories import EnrolmentFactory, fill_application, pdf_bytes

pytestmark = pytest.mark.django_db

SECRET = "MARKER-DRAFT-HEARING"
UPLOAD = "MARKER-DRAFT-UPLOAD"
STAFF = ["specialist", "centre_head", "lecturer", "administration", "auditor", "sysadmin"]


@pytest.fixture
def representative_draft(representative, student):
    draft = services.application_start(actor=representative, student=student.student)
    fill_application(draft, representative, codes=("hearing",), description=f"Баласы нашар естиді. {SECRET}")
    services.document_upload(
        application=draft,
        actor=representative,
        upload=SimpleUploadedFile("аудиограмма.pdf", pdf_bytes(UPLOAD), "application/pdf"),
        kind="mse",
    )
    return draft


@pytest.fixture
def referral_draft(lecturer, student):
    assignment = lecturer.teaching_assignments.get()
    EnrolmentFactory(student=student.student, course=assignment.course, term=assignment.term)
    draft = services.application_start(actor=lecturer, student=student.student, referral_note=f"Нашар естиді. {SECRET}")
    fill_application(draft, student, codes=("hearing",), description=SECRET)
    return draft


@pytest.fixture
def withdrawn_draft(representative_draft, representative):
    return services.application_withdraw(application=representative_draft, actor=representative)


@pytest.fixture(params=["representative_draft", "referral_draft", "withdrawn_draft"])
def draft_case(request):
    return request.param, request.getfixturevalue(request.param)


def _others(case_name: str) -> list[str]:
    # The referring lecturer filed the referral: it is theirs (status only, as before it is sent).
    return [name for name in STAFF if not (case_name == "referral_draft" and name == "lecturer")]


def _case_urls(application: Application) -> list[str]:
    names = ["application_detail", "application_edit", "application_consent", "document_upload"]
    urls = [reverse(f"students:{name}", args=[application.public_id]) for name in names]
    for document in application.documents.all():
        urls.append(reverse("students:document_download", args=[application.public_id, document.public_id]))
    return urls


def test_no_staff_role_opens_a_draft_even_with_a_grant(client, request, draft_case):
    case_name, draft = draft_case
    wrong = []
    for name in _others(case_name):
        user = request.getfixturevalue(name)
        # A grant made by mistake or left over changes nothing: the draft rule is asked first.
        assign_perm("students.view_application", user, draft)
        client.force_login(user)
        for url in _case_urls(draft):
            response = client.get(url)
            if response.status_code != 404 or SECRET.encode() in response.content:
                wrong.append(f"{name} {url}: {response.status_code}")
    assert not wrong, wrong


def test_the_authors_still_see_their_draft(client, representative, lecturer, representative_draft, referral_draft):
    client.force_login(representative)
    assert SECRET in client.get(_case_urls(representative_draft)[0]).content.decode()
    client.force_login(lecturer)
    response = client.get(_case_urls(referral_draft)[0])
    assert response.status_code == 200 and SECRET not in response.content.decode()  # status only, as before


def test_a_submitted_application_is_the_centres(client, centre_head, representative, representative_draft):
    services.consent_give(application=representative_draft, actor=representative, language="kk")
    services.application_submit(application=representative_draft, actor=representative)
    client.force_login(centre_head)
    assert client.get(_case_urls(representative_draft)[0]).status_code == 200


def test_not_in_the_inbox_its_search_or_its_counts(client, centre_head, student, draft_case):
    _case_name, draft = draft_case
    assert not selectors.inbox(centre_head).filter(pk=draft.pk).exists()
    assert selectors.inbox_counts(centre_head) == {"submitted": 0, "overdue": 0}
    client.force_login(centre_head)
    for query in ({}, {"q": student.full_name}, {"status": draft.status}):
        response = client.get(reverse("students:inbox"), query)
        assert str(draft.public_id) not in response.content.decode()


def test_not_counted_in_the_reports(centre_head, student, representative_draft, representative):
    from routes import reports

    services.application_withdraw(application=representative_draft, actor=representative)
    services.application_start(actor=representative, student=student.student)
    cases, _routes = reports.cases_and_routes_by_state()
    assert all(count == 0 for _label, count in cases.rows)


def _zip_texts(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_not_in_the_personal_file(client, centre_head, student, representative, draft_case):
    _case_name, draft = draft_case
    url = reverse("documents:personal_file", args=[student.student.pk])
    client.force_login(centre_head)
    assert UPLOAD.encode() not in _zip_texts(b"".join(client.get(url).streaming_content))
    if draft.documents.exists():  # the applicant's own copy of their data keeps it
        client.force_login(representative)
        own = reverse("documents:my_data", args=[student.student.pk])
        assert UPLOAD.encode() in _zip_texts(b"".join(client.get(own).streaming_content))


def test_not_in_the_audit_history(client, centre_head, auditor, draft_case):
    _case_name, draft = draft_case
    records = [("students", "application", draft.pk)]
    records += [("students", "supportingdocument", d.pk) for d in draft.documents.all()]
    for user in (centre_head, auditor):
        client.force_login(user)
        for app_label, model_name, pk in records:
            response = client.get(reverse("audit:history", args=[app_label, model_name, pk]))
            assert response.status_code == 404, (user, model_name)


def test_not_in_the_admin(client, centre_head, draft_case):
    _case_name, draft = draft_case
    centre_head.is_staff = True
    centre_head.save()
    client.force_login(centre_head)
    listing = client.get(reverse("admin:students_application_changelist"))
    assert listing.status_code == 200
    assert f"/{draft.pk}/change/" not in listing.content.decode()
    change = client.get(reverse("admin:students_application_change", args=[draft.pk]), follow=True)
    assert SECRET not in change.content.decode()
    assert client.get(reverse("admin:students_application_history", args=[draft.pk])).status_code == 404
    for document in draft.documents.all():
        history = reverse("admin:students_supportingdocument_history", args=[document.pk])
        assert client.get(history).status_code == 404
    documents = client.get(reverse("admin:students_supportingdocument_changelist"))
    assert "аудиограмма" not in documents.content.decode()


def test_no_staff_member_is_notified(request, centre_head, representative, representative_draft):
    from inclusion_centre.accounts.models import Notification

    # Consent given and withdrawn around the draft's own withdrawal: the centre never had the application.
    services.consent_give(application=representative_draft, actor=representative, language="kk")
    services.application_withdraw(application=representative_draft, actor=representative)
    services.consent_withdraw(application=representative_draft, actor=representative)
    staff = [request.getfixturevalue(name) for name in STAFF]
    assert not Notification.objects.filter(recipient__in=staff).exists()
