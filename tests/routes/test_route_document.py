"""The approved route as a registered, frozen PDF: content, who may download it, versions and cancellation."""

import pytest
from django.urls import reverse

from documents.models import DocumentType, RegisteredDocument
from routes import services
from tests.documents.conftest import KAZAKH_UPPER, pdf_text, stored_bytes

from .conftest import HEALTH, agreement_of, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(in_approval, administration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.route_approve(route=in_approval, actor=administration)


def _document(route):
    return RegisteredDocument.objects.get(document_type=DocumentType.ROUTE, object_id=route.pk)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_route_pdf_lists_each_course_with_its_lecturers_agreement(
    approved, courses, lecturer, second_lecturer, administration, language
):
    document = _document(approved)
    assert document.number == approved.registration_number
    text = pdf_text(stored_bytes(document, language))
    for course in courses:
        assert course.code in text
    for person in (lecturer, second_lecturer, administration):
        assert person.full_name in text
    assert "Оқу нәтижелеріне жету" in text  # the goals
    assert approved.registration_number in text
    assert HEALTH not in text  # the conclusion's analysis and the findings stay out
    assert any(letter in text for letter in KAZAKH_UPPER)


@pytest.mark.parametrize(
    "who,status",
    [
        ("student", 200),
        ("representative", 200),
        ("specialist", 200),
        ("centre_head", 200),
        ("administration", 200),
        ("lecturer", 404),  # the whole route is more than their own section
        ("other_student", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_who_downloads_the_route_pdf(client, request, approved, who, status):
    document = _document(approved)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("documents:download", args=[document.public_id, "kk"]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]


def test_the_route_page_links_its_pdf(client, approved, student, lecturer):
    document = _document(approved)
    link = reverse("documents:download", args=[document.public_id, "kk"])
    client.force_login(student)
    assert link in client.get(reverse("routes:route", args=[approved.pk])).content.decode()
    client.force_login(lecturer)
    assert link not in client.get(reverse("routes:route", args=[approved.pk])).content.decode()


def test_a_new_version_supersedes_the_old_document(
    approved, specialist, lecturer, second_lecturer, administration, django_capture_on_commit_callbacks
):
    services.route_review(route=approved, actor=specialist, reason="scheduled", outcome="revise", comment="Жаңарту")
    approved.refresh_from_db()
    sent = send(approved.next_version, specialist)
    for person in (lecturer, second_lecturer):
        services.agreement_answer(agreement=agreement_of(sent, person), actor=person, decision="agreed", comment="")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.route_approve(route=sent, actor=administration)
    assert _document(approved).status == RegisteredDocument.Status.SUPERSEDED
    assert _document(new).status == RegisteredDocument.Status.IN_FORCE
    assert _document(new).version == 2


def test_cancelling_an_approved_route_cancels_its_document(approved, centre_head):
    services.route_cancel(route=approved, actor=centre_head, reason="Қате тіркелді")
    assert _document(approved).status == RegisteredDocument.Status.CANCELLED
