"""Subject access (issue #8, item 7): a student, or their legal representative, downloads everything the system
holds about the student as one ZIP (a JSON file, the registered PDFs, the uploaded documents); the download is
logged; nobody else gets it."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLog
from documents.models import RegisteredDocument
from documents.services import render_document_files
from inclusion_centre.pages.subject_access import subject_access_data
from routes.models import Assessment
from students import services as application_services
from tests.factories import submitted_application

# The route world of tests/routes: a concluded case, a route approved and in force.
from tests.routes.conftest import (  # noqa: F401
    concluded,
    courses,
    in_approval,
    in_force,
    route,
    second_lecturer,
)

pytestmark = pytest.mark.django_db

ASSESSMENT_NOTE = "ASSESSMENT-WORKING-NOTE"


@pytest.fixture
def world(request, client, centre_head, student):
    """The route in force, the assessment with a note only the centre reads, and a read of the case by the centre
    head."""
    case_route = request.getfixturevalue("in_force")
    Assessment.objects.filter(assignment__application=case_route.application).update(findings=ASSESSMENT_NOTE)
    client.force_login(centre_head)
    case_page = reverse("students:application_detail", args=[case_route.application.public_id])
    assert client.get(case_page).status_code == 200
    client.logout()
    return case_route


def _download(client, user, student_user):
    client.force_login(user)
    return client.get(reverse("documents:my_data", args=[student_user.student.pk]))


def _archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"].count("no-store") == 1
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_student_downloads_everything_held_about_them(client, world, student, centre_head, lecturer):
    for document in RegisteredDocument.objects.filter(student=student.student):
        render_document_files(document_id=document.pk)
    archive = _archive(_download(client, student, student))
    names = archive.namelist()
    data = json.loads(archive.read("my-data.json"))

    assert data["student"]["full_name"] == student.full_name and data["student"]["email"] == student.email
    assert {e["course"] for e in data["enrolments"]} and len(data["enrolments"]) == 2
    [application] = data["applications"]
    assert "MARKER-HEALTH" in application["description"]
    assert application["consent"]["text_version"] and application["consent"]["withdrawn_at"] is None
    assert [d["file_name"] for d in application["supporting_documents"]] == ["МӘС қорытындысы.pdf"]
    assert [c["registration_number"] for c in application["conclusions"]] == [
        world.application.conclusions.get().registration_number
    ]
    [route_data] = application["routes"]
    assert route_data["registration_number"] == world.registration_number
    assert {s["lecturer"] for s in route_data["sections"]} >= {lecturer.full_name}
    assert application["timeline"] and data["notifications"]
    assert centre_head.full_name in {entry["who"] for entry in data["access_log"]}
    # The centre's working notes of the assessment are not the student's copy; the signed conclusion is.
    assert ASSESSMENT_NOTE not in json.dumps(data, ensure_ascii=False)

    # The files: the uploaded document and a PDF of each registered document of the student, listed in the index.
    assert any(name.startswith("uploads/") for name in names)
    registered = RegisteredDocument.objects.filter(student=student.student)
    assert registered.count() == 3  # application, conclusion, route
    assert len([n for n in names if n.startswith("registered/")]) == sum(len(d.languages) for d in registered)
    assert "my-data.json" in archive.read("index.csv").decode("utf-8-sig")


def test_the_download_is_logged_and_the_student_sees_nothing_new_about_themselves(client, world, student):
    before = AccessLog.objects.count()
    _download(client, student, student)
    entry = AccessLog.objects.latest("pk")
    assert AccessLog.objects.count() == before + 1
    assert (entry.user, entry.action, entry.student_id) == (student, AccessLog.Action.EXPORT, student.student.pk)
    assert entry.path == reverse("documents:my_data", args=[student.student.pk])


def test_a_legal_representative_downloads_it_for_the_student(client, world, student, representative):
    data = json.loads(_archive(_download(client, representative, student)).read("my-data.json"))
    assert data["student"]["full_name"] == student.full_name
    assert representative.full_name in {r["full_name"] for r in data["legal_representatives"]}


@pytest.mark.parametrize(
    "who", ["other_student", "specialist", "centre_head", "lecturer", "administration", "auditor", "outsider"]
)
def test_nobody_else_gets_it(client, request, world, student, who):
    """Staff export a personal file through their own page; this copy of the student's data is the student's."""
    before = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count()
    assert _download(client, request.getfixturevalue(who), student).status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == before


def test_anonymous_is_sent_to_sign_in(client, student):
    response = client.get(reverse("documents:my_data", args=[student.student.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_case_page_offers_the_download_to_the_applicant_side_only(client, world, student, centre_head, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("students:application_detail", args=[world.application.public_id])
    link = reverse("documents:my_data", args=[student.student.pk])
    client.force_login(student)
    body = client.get(url).content.decode()
    assert link in body and "Download my data" in body
    client.force_login(centre_head)
    assert link not in client.get(url).content.decode()


def test_the_data_costs_the_same_queries_however_many_applications(world, student, centre_head):
    with CaptureQueriesContext(connection) as one:
        subject_access_data(student.student)
    for _ in range(3):
        application = submitted_application(student)
        application_services.application_register(application=application, actor=centre_head)
    with CaptureQueriesContext(connection) as four:
        data = subject_access_data(student.student)
    assert len(data["applications"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)
