"""A team meeting and its protocol concern several students: each of them sees who read them (issue #8, item 4)."""

import pytest
from django.urls import reverse

from audit.models import AccessLog
from documents.models import RegisteredDocument
from documents.services import render_document_files
from routes import services
from routes.models import Protocol
from students import services as application_services
from tests.factories import submitted_application

from .conftest import into_the_past, protocol_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases_signed(planned, centre_head, secretary, other_student):
    """The planned meeting with a second student's case on the agenda, held, written and signed."""
    other_case = application_services.application_register(
        application=submitted_application(other_student), actor=centre_head
    )
    services.agenda_item_add(
        meeting=planned, actor=centre_head, application=other_case, route=None, topic="other", invite_student=True
    )
    into_the_past(planned)
    protocol = services.meeting_hold(meeting=planned, actor=secretary)
    attendance, records = protocol_data(protocol)
    services.protocol_save(
        protocol=protocol, actor=secretary, revision=protocol.revision, attendance=attendance, records=records
    )
    services.protocol_sign(protocol=protocol, actor=secretary)
    return services.protocol_sign(protocol=protocol, actor=centre_head)


def _readers_seen_by(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("audit:my_file"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_protocol_read_is_in_the_file_of_each_student_it_concerns(
    client, two_cases_signed, specialist, student, other_student
):
    protocol = two_cases_signed
    client.force_login(specialist)
    assert client.get(reverse("routes:protocol", args=[protocol.pk])).status_code == 200

    reads = AccessLog.objects.filter(user=specialist, object_id=protocol.pk, content_type__model="protocol")
    assert sorted(reads.values_list("student_id", flat=True)) == sorted([student.student.pk, other_student.student.pk])
    assert {entry.action for entry in reads} == {AccessLog.Action.VIEW_CASE}
    for subject in (student, other_student):
        assert specialist.full_name in _readers_seen_by(client, subject)


def test_a_reader_who_sees_one_question_is_logged_for_that_student_only(
    client, two_cases_signed, lecturer, student, other_student
):
    """A lecturer sees the question of the student they teach, not the other: only that student's file says so."""
    protocol = two_cases_signed
    client.force_login(lecturer)
    assert client.get(reverse("routes:protocol", args=[protocol.pk])).status_code == 200
    reads = AccessLog.objects.filter(user=lecturer, content_type__model="protocol", object_id=protocol.pk)
    assert list(reads.values_list("student_id", flat=True)) == [student.student.pk]
    assert lecturer.full_name in _readers_seen_by(client, student)
    assert lecturer.full_name not in _readers_seen_by(client, other_student)


def test_the_meeting_page_read_is_in_each_students_file_too(
    client, two_cases_signed, centre_head, student, other_student
):
    meeting = two_cases_signed.meeting
    client.force_login(centre_head)
    assert client.get(reverse("routes:meeting", args=[meeting.pk])).status_code == 200
    reads = AccessLog.objects.filter(user=centre_head, content_type__model="teammeeting", object_id=meeting.pk)
    assert sorted(reads.values_list("student_id", flat=True)) == sorted([student.student.pk, other_student.student.pk])


def test_a_protocol_pdf_download_is_in_each_students_file(
    client, two_cases_signed, centre_head, student, other_student
):
    protocol = Protocol.objects.get(pk=two_cases_signed.pk)
    document = RegisteredDocument.objects.get(document_type="protocol", object_id=protocol.pk)
    assert document.student_id is None
    render_document_files(document_id=document.pk)
    client.force_login(centre_head)
    response = client.get(reverse("documents:download", args=[document.public_id, document.languages[0]]))
    assert response.status_code == 200
    reads = AccessLog.objects.filter(user=centre_head, action=AccessLog.Action.DOWNLOAD_PDF, object_id=document.pk)
    assert sorted(reads.values_list("student_id", flat=True)) == sorted([student.student.pk, other_student.student.pk])
    assert centre_head.full_name in _readers_seen_by(client, other_student)
