"""Downloading a registered PDF: whoever may read the source, nobody else (404, logged); private headers; every
download logged; "being prepared" until the worker has stored the file; the block on the source's pages."""

import pytest
from django.urls import reverse

from audit.models import AccessLog
from documents.models import RegisteredDocument

from .conftest import stored_bytes

pytestmark = pytest.mark.django_db


def _url(document, language="kk"):
    return reverse("documents:download", args=[document.public_id, language])


@pytest.fixture
def representative_of_letters_student(letters_student):
    from tests.factories import RepresentationFactory

    return RepresentationFactory(student=letters_student.student).representative


@pytest.mark.parametrize("who", ["owner", "representative", "centre_head"])
def test_those_who_may_read_the_application_download_its_pdfs(
    client, application_document, letters_student, representative_of_letters_student, centre_head, who
):
    user = {"owner": letters_student, "representative": representative_of_letters_student, "centre_head": centre_head}[
        who
    ]
    client.force_login(user)
    for language in ("kk", "ru"):
        response = client.get(_url(application_document, language))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored_bytes(application_document, language)
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert f"v1_{language}.pdf" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
    logged = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD_PDF, user=user)
    assert logged.count() == 2
    assert {entry.object_id for entry in logged} == {application_document.pk}


@pytest.mark.parametrize("name", ["specialist", "lecturer", "administration", "auditor", "sysadmin", "outsider"])
def test_everyone_else_gets_404_and_the_attempt_is_logged(client, request, registered, name):
    # Permission is checked before anything else: a document whose PDFs are stored or not answers the same.
    application_document = RegisteredDocument.objects.get(object_id=registered.pk)
    user = request.getfixturevalue(name)
    client.force_login(user)
    response = client.get(_url(application_document))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD_PDF).exists()
    denied = AccessLog.objects.get(action=AccessLog.Action.DENIED, user=user)
    assert denied.object_id == application_document.pk


def test_another_student_gets_404(client, application_document, other_student):
    client.force_login(other_student)
    assert client.get(_url(application_document)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, application_document):
    response = client.get(_url(application_document))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unknown_document_or_language_is_404(client, application_document, letters_student):
    client.force_login(letters_student)
    assert client.get(_url(application_document, "en")).status_code == 404
    unknown = reverse("documents:download", args=["00000000-0000-0000-0000-000000000000", "kk"])
    assert client.get(unknown).status_code == 404


def test_conclusion_pdf_for_the_student_the_assigned_specialist_and_the_head_only(
    client, conclusion_document, letters_student, specialist, centre_head, administration, lecturer
):
    for user in (letters_student, specialist, centre_head):
        client.force_login(user)
        assert client.get(_url(conclusion_document, "ru")).status_code == 200, user
    for user in (administration, lecturer):
        client.force_login(user)
        assert client.get(_url(conclusion_document, "ru")).status_code == 404, user


def test_until_the_pdf_is_stored_the_page_says_it_is_being_prepared(client, registered, student):
    document = RegisteredDocument.objects.get(object_id=registered.pk)
    client.force_login(student)
    response = client.get(_url(document))
    assert response.status_code == 202
    assert response["Retry-After"]
    assert "being prepared" in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD_PDF).exists()

    page = client.get(reverse("students:application_detail", args=[registered.public_id])).content.decode()
    assert document.number in page
    assert "The PDF is being prepared" in page
    assert _url(document) not in page


def test_the_case_page_links_both_pdfs_and_the_personal_file(client, application_document, letters_student):
    client.force_login(letters_student)
    page = client.get(reverse("students:application_detail", args=[application_document.source.public_id]))
    html = page.content.decode()
    assert _url(application_document, "kk") in html
    assert _url(application_document, "ru") in html
    assert reverse("documents:personal_file", args=[letters_student.student.pk]) in html


def test_the_conclusion_page_shows_its_registered_document(client, conclusion_document, letters_student):
    client.force_login(letters_student)
    html = client.get(reverse("routes:conclusion", args=[conclusion_document.object_id])).content.decode()
    assert conclusion_document.number in html
    assert _url(conclusion_document, "kk") in html
    # The student's own personal-file link is offered on the case page, not here.
    assert "personal-file.zip" not in html
