"""The personal file: one ZIP with every registered PDF, the uploaded documents and an index (CSV and PDF); for
the centre head, the student themselves and their legal representatives; every export logged."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from audit.models import AccessLog
from tests.factories import RepresentationFactory

from .conftest import pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


def _url(student_user):
    return reverse("documents:personal_file", args=[student_user.student.pk])


def _archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("who", ["owner", "centre_head"])
def test_the_archive_holds_every_pdf_every_upload_and_an_index(
    client, application_document, conclusion_document, letters_student, centre_head, who
):
    user = letters_student if who == "owner" else centre_head
    client.force_login(user)
    response = client.get(_url(letters_student))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]

    archive = _archive(response)
    names = archive.namelist()
    assert archive.testzip() is None
    for document in (application_document, conclusion_document):
        for language in ("kk", "ru"):
            name = f"registered/{document.number.replace('/', '-')}_v1_{language}.pdf"
            assert name in names
            assert archive.read(name) == stored_bytes(document, language)
    uploads = [name for name in names if name.startswith("uploads/")]
    assert len(uploads) == 1
    assert uploads[0].endswith("МӘС қорытындысы.pdf")
    assert b"MARKER-UPLOAD" in archive.read(uploads[0])

    rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert len(rows) == 1 + 4 + 1
    listed = {row[0]: row for row in rows[1:]}
    assert set(listed) == {name for name in names if name not in {"index.csv", "index.pdf"}}
    for name, row in listed.items():
        assert row[8] == hashlib.sha256(archive.read(name)).hexdigest()

    index = archive.read("index.pdf")
    text = pdf_text(index)
    assert letters_student.full_name in text
    assert application_document.number in text and conclusion_document.number in text
    assert PdfReader(io.BytesIO(index)).trailer["/Root"]["/Lang"] in {"kk", "ru"}

    logged = AccessLog.objects.get(action=AccessLog.Action.EXPORT, user=user)
    assert logged.object_id == letters_student.student.pk
    assert logged.content_type.model == "student"


@pytest.mark.parametrize(
    "name",
    [
        "other_student",
        "representative",  # of another student
        "specialist",
        "lecturer",
        "administration",
        "auditor",
        "sysadmin",
        "outsider",
    ],
)
def test_nobody_else_gets_it(client, request, application_document, letters_student, name):
    client.force_login(request.getfixturevalue(name))
    assert client.get(_url(letters_student)).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_a_representative_downloads_the_file_of_the_student_they_represent(
    client, application_document, letters_student
):
    representation = RepresentationFactory(student=letters_student.student)
    person = representation.representative
    client.force_login(person)
    response = client.get(_url(letters_student))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = _archive(response)
    number = application_document.number.replace("/", "-")
    assert f"registered/{number}_v1_kk.pdf" in archive.namelist()
    logged = AccessLog.objects.get(action=AccessLog.Action.EXPORT, user=person)
    assert logged.object_id == letters_student.student.pk and logged.content_type.model == "student"


def test_the_case_page_links_the_file_for_the_representative(client, letters_application, letters_student):
    person = RepresentationFactory(student=letters_student.student).representative
    client.force_login(person)
    page = client.get(reverse("students:application_detail", args=[letters_application.public_id]))
    assert page.status_code == 200
    assert _url(letters_student) in page.content.decode()


def test_a_representation_that_ended_no_longer_opens_the_file(client, application_document, letters_student):
    representation = RepresentationFactory(student=letters_student.student)
    person = representation.representative
    representation.delete()
    client.force_login(person)
    assert client.get(_url(letters_student)).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_an_unknown_student_is_404(client, centre_head):
    client.force_login(centre_head)
    assert client.get(reverse("documents:personal_file", args=[999999])).status_code == 404


def test_a_pdf_not_yet_stored_is_listed_as_being_prepared(client, registered, student):
    client.force_login(student)
    archive = _archive(client.get(_url(student)))
    assert not [name for name in archive.namelist() if name.startswith("registered/")]
    rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    prepared = [row for row in rows[1:] if row[3] == registered.registration_number and row[7]]
    assert len(prepared) == 2
    # The index is in a document language (Kazakh or Russian: an English reader gets the default, Kazakh).
    with translation.override(settings.LANGUAGE_CODE):
        note = gettext("The PDF is being prepared; it is not in this archive yet.")
    assert all(row[0] == "" and row[10] == note for row in prepared)
