"""The access log: what reads are recorded, the auditor's filtered list and CSV export, the student's "who has
opened my file", and the auditor's home page that leads to them."""

import csv
import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.chain import verify_chain
from audit.models import AccessLog
from audit.services import log_access
from routes import services as route_services
from students import services
from students.models import SupportingDocument
from tests.factories import RepresentationFactory, StudentFactory, UserFactory, pdf_bytes, submitted_application

pytestmark = pytest.mark.django_db

ACCESS_LOG = "/audit/access/"
EXPORT = "/audit/access/export.csv"
MY_FILE = "/audit/my-file/"
NOT_THE_AUDITOR = [
    "student",
    "representative",
    "specialist",
    "centre_head",
    "lecturer",
    "administration",
    "sysadmin",
    "outsider",
]


def case_url(application):
    return reverse("students:application_detail", args=[application.public_id])


def read(client, user, url, address="192.0.2.44"):
    client.force_login(user)
    return client.get(url, REMOTE_ADDR=address)


# --- What is recorded -------------------------------------------------------------------------------------------


def test_every_read_records_who_when_what_role_address_and_whose_file(client, registered, centre_head, student):
    before = timezone.now()
    read(client, centre_head, case_url(registered))
    document = registered.documents.get()
    read(client, centre_head, reverse("students:document_download", args=[registered.public_id, document.public_id]))
    opened, downloaded = AccessLog.objects.filter(user=centre_head).order_by("pk")
    assert (opened.action, opened.content_object, opened.roles) == ("view_case", registered, "centre_head")
    assert (downloaded.action, downloaded.content_object) == ("download_document", document)
    for entry in (opened, downloaded):
        assert entry.ip_address == "192.0.2.44"
        assert entry.student == student.student
        assert entry.created_at >= before
    assert verify_chain().ok


def test_reads_of_the_assessment_and_the_conclusion_belong_to_the_students_file(
    client, registered, centre_head, specialist, student
):
    assignment = route_services.assignment_add(
        application=registered, specialist=specialist, area="cognitive", actor=centre_head
    )
    read(client, specialist, reverse("routes:assessment", args=[assignment.pk]))
    route_services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="Findings",
        strengths="",
        barriers="",
        adaptations=[],
        free_texts=["Extra time"],
    )
    route_services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    conclusion = route_services.conclusion_draft(application=registered, actor=centre_head)
    read(client, centre_head, reverse("routes:conclusion", args=[conclusion.pk]))
    reads = {entry.content_type.model: entry.student for entry in AccessLog.objects.exclude(content_type=None)}
    assert reads == {"assessment": student.student, "conclusion": student.student}


@pytest.mark.parametrize("name", ["outsider", "specialist", "administration", "other_student"])
def test_a_refused_attempt_to_open_a_case_is_logged_and_answers_404(client, request, registered, student, name):
    intruder = request.getfixturevalue(name)
    response = read(client, intruder, case_url(registered))
    assert response.status_code == 404
    refused = AccessLog.objects.get(user=intruder)
    assert (refused.action, refused.content_object, refused.student) == ("denied", registered, student.student)
    assert refused.ip_address == "192.0.2.44"
    assert verify_chain().ok


def test_a_made_up_address_is_not_found_and_logs_nothing(client, outsider):
    assert read(client, outsider, "/applications/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert not AccessLog.objects.exists()


# --- The auditor's list ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOT_THE_AUDITOR)
def test_only_the_auditor_reads_the_access_log(client, request, name, registered):
    client.force_login(request.getfixturevalue(name))
    assert client.get(ACCESS_LOG).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_the_auditor_sees_every_read_with_role_and_address(client, auditor, registered, centre_head, student):
    read(client, centre_head, case_url(registered), address="198.51.100.9")
    client.force_login(auditor)
    client.cookies["language"] = "en"
    response = client.get(ACCESS_LOG)
    assert response.status_code == 200
    content = response.content.decode()
    for expected in (centre_head.full_name, "Centre head", "Opened a case", "198.51.100.9", student.full_name):
        assert expected in content
    assert reverse("audit:history", args=["students", "application", registered.pk]) in content


@pytest.fixture
def log(rf, registered, centre_head, specialist, auditor, student):
    """Reads by several people, on several days, of several kinds."""
    now = timezone.now()
    entries = []
    for days, user, action, obj in [
        (0, centre_head, "view_case", registered),
        (1, specialist, "view_case", registered),
        (2, centre_head, "download_document", registered.documents.get()),
        (10, auditor, "export", None),
        (0, student, "view_case", registered),
    ]:
        request = rf.get("/x/", REMOTE_ADDR="192.0.2.1")
        request.user = user
        entry = log_access(request=request, action=action, obj=obj)
        AccessLog.objects.filter(pk=entry.pk).update(created_at=now - datetime.timedelta(days=days))
        entries.append(entry)
    return entries


def _listed(client, **filters) -> set[int]:
    response = client.get(ACCESS_LOG, filters)
    assert response.status_code == 200, response.content.decode()[:3000]
    return {entry.pk for entry in response.context["page"].object_list}


def test_the_auditor_filters_by_user_action_dates_type_and_case(client, auditor, log, centre_head, registered):
    client.force_login(auditor)
    head_today, specialist, download, export, own = (entry.pk for entry in log)
    assert _listed(client, user=centre_head.pk) == {head_today, download}
    assert _listed(client, action="view_case") == {head_today, specialist, own}
    today = timezone.localdate()
    assert _listed(client, date_from=f"{today - datetime.timedelta(days=1)}") == {head_today, specialist, own}
    assert _listed(client, date_to=f"{today - datetime.timedelta(days=2)}") == {download, export}
    assert _listed(client, object_type=ContentType.objects.get_for_model(SupportingDocument).pk) == {download}
    assert _listed(client, case=registered.registration_number) == {head_today, specialist, download, own}
    assert _listed(client, case="ӨТ-1999/0001") == set()


def test_a_bad_filter_is_explained_not_guessed(client, auditor, log):
    client.force_login(auditor)
    response = client.get(ACCESS_LOG, {"date_from": "yesterday", "user": "999999"})
    assert response.status_code == 422
    assert response.context["page"].paginator.count == 0
    assert 'class="error-summary"' in response.content.decode()


def test_the_list_is_paged_and_its_queries_do_not_grow(
    client, rf, auditor, registered, centre_head, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            request = rf.get("/x/")
            request.user = centre_head
            log_access(request=request, action="view_case", obj=registered)

    client.force_login(auditor)
    add(3)
    client.get(ACCESS_LOG)
    with django_assert_max_num_queries(30) as few:
        client.get(ACCESS_LOG)
    add(120)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ACCESS_LOG)
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 3


def test_the_export_is_csv_of_the_filtered_entries_and_is_itself_logged(client, auditor, log, centre_head):
    client.force_login(auditor)
    client.cookies["language"] = "en"
    response = client.get(EXPORT, {"user": centre_head.pk}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    assert "no-store" in response["Cache-Control"]
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0][:3] == ["When", "Who", "E-mail address"]
    assert [row[1] for row in table[1:]] == [centre_head.full_name] * 2
    assert {row[4] for row in table[1:]} == {"Opened a case", "Downloaded an uploaded document"}
    export = AccessLog.objects.get(user=auditor, action="export", ip_address="203.0.113.5")
    assert export.roles == "auditor"


def test_the_export_cannot_smuggle_a_formula_into_a_spreadsheet(client, rf, auditor, registered):
    villain = UserFactory(full_name='=HYPERLINK("http://evil.example","x")', roles=["centre_head"])
    request = rf.get("/x/")
    request.user = villain
    log_access(request=request, action="view_case", obj=registered)
    client.force_login(auditor)
    table = list(csv.reader(io.StringIO(b"".join(client.get(EXPORT).streaming_content).decode("utf-8-sig"))))
    names = [row[1] for row in table[1:]]
    assert "'" + villain.full_name in names
    assert villain.full_name not in names


# --- The student's "who has opened my file" ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["specialist", "centre_head", "lecturer", "administration", "auditor", "sysadmin", "outsider"]
)
def test_people_with_no_file_of_their_own_have_no_such_page(client, request, name):
    client.force_login(request.getfixturevalue(name))
    assert client.get(MY_FILE).status_code == 404


def test_the_student_sees_staff_names_roles_and_times_but_no_addresses(
    client, registered, centre_head, auditor, student, representative
):
    read(client, centre_head, case_url(registered), address="198.51.100.77")
    read(client, auditor, reverse("audit:history", args=["students", "application", registered.pk]))
    read(client, student, case_url(registered))  # their own visit
    read(client, representative, case_url(registered))  # their representative's
    for reader in (student, representative):
        client.force_login(reader)
        client.cookies["language"] = "en"
        response = client.get(MY_FILE)
        assert response.status_code == 200
        content = response.content.decode()
        entries = list(response.context["page"].object_list)
        assert {entry.user for entry in entries} == {centre_head, auditor}
        assert centre_head.full_name in content and "Centre head" in content and "Opened a case" in content
        assert auditor.full_name in content and "Read the history of changes" in content
        assert "198.51.100.77" not in content and "192.0.2.44" not in content
        assert "/applications/" not in content.split("<main")[1]  # no paths either


def test_a_student_never_sees_reads_of_someone_elses_file(client, registered, centre_head, other_student):
    read(client, centre_head, case_url(registered))
    client.force_login(other_student)
    response = client.get(MY_FILE)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert centre_head.full_name not in response.content.decode().split("<main")[1]


def test_a_representative_of_two_students_sees_whose_file_was_read(client, centre_head):
    first, second = StudentFactory(user__full_name="Бірінші Студент"), StudentFactory(user__full_name="Екінші Студент")
    representative = RepresentationFactory(student=first).representative
    RepresentationFactory(student=second, representative=representative)
    one, two = submitted_application(first.user), submitted_application(second.user)
    read(client, centre_head, case_url(one))
    read(client, centre_head, case_url(two))
    client.force_login(representative)
    content = client.get(MY_FILE).content.decode()
    assert "Бірінші Студент" in content and "Екінші Студент" in content


def test_documents_read_by_staff_show_in_the_students_list(client, submitted, centre_head, student):
    services.document_upload(
        application=submitted,
        actor=student,
        upload=SimpleUploadedFile("extra.pdf", pdf_bytes(), "application/pdf"),
        kind="other",
    )
    for document in submitted.documents.all():
        read(client, centre_head, reverse("students:document_download", args=[submitted.public_id, document.public_id]))
    client.force_login(student)
    actions = [entry.action for entry in client.get(MY_FILE).context["page"].object_list]
    assert actions == ["download_document", "download_document"]


# --- Home pages --------------------------------------------------------------------------------------------------


def test_the_auditors_home_leads_to_the_access_log_and_the_history(client, auditor, log):
    client.force_login(auditor)
    client.cookies["language"] = "en"
    content = client.get("/").content.decode()
    assert f'href="{ACCESS_LOG}"' in content
    assert 'href="/audit/"' in content
    assert "Reads of personal data today: 2" in content  # the entries of today in the fixture


def test_the_students_home_leads_to_who_has_opened_their_file(client, student):
    client.force_login(student)
    assert f'href="{MY_FILE}"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("auditor", 200),
        ("centre_head", 200),
        ("student", 404),
        ("representative", 404),
        ("specialist", 404),
        ("lecturer", 404),
        ("administration", 404),
        ("sysadmin", 404),
        ("outsider", 404),
    ],
)
def test_the_audit_page_opens_a_records_history_by_type_and_number(client, request, name, status, registered):
    client.force_login(request.getfixturevalue(name))
    assert client.get("/audit/").status_code == status
    response = client.get("/audit/", {"record_type": "students.application", "record_id": registered.pk})
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("audit:history", args=["students", "application", registered.pk])
        assert client.get("/audit/", {"record_type": "auth.group", "record_id": 1}).status_code == 422
    else:
        assert response.status_code == 404


def test_someone_who_is_not_signed_in_is_sent_to_sign_in(client, registered):
    for url in (ACCESS_LOG, EXPORT, MY_FILE, "/audit/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not AccessLog.objects.exists()


def test_an_exported_and_a_viewed_log_keep_the_students_list_untouched(client, auditor, student, log):
    # The auditor's own work (reading the list, exporting) concerns no student's file.
    client.force_login(auditor)
    client.get(ACCESS_LOG)
    client.get(EXPORT)
    client.force_login(student)
    readers = {entry.user for entry in client.get(MY_FILE).context["page"].object_list}
    assert auditor not in readers


def test_the_students_list_is_paged_and_its_queries_do_not_grow(
    client, rf, registered, centre_head, auditor, student, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            request = rf.get("/x/")
            request.user = centre_head if n % 2 else auditor
            log_access(request=request, action="view_case", obj=registered)

    client.force_login(student)
    add(2)
    client.get(MY_FILE)
    with django_assert_max_num_queries(12) as few:
        client.get(MY_FILE)
    add(120)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MY_FILE)
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 122
