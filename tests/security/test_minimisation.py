"""Data minimisation (issue #8, item 2): lecturers and administration never receive health information, assessment
findings or uploaded medical documents, in any page, download, export or message.

Markers are planted in every health field of the world (tests/security/world.py: the application's own words,
the uploaded document's name and content, the assessment's findings, the conclusion's analysis, the agenda note
and what the team heard, a report of changed needs). As the teaching lecturer and as administration, every URL
pattern they may open (from the authorization matrix) is read, the downloads and exports they can make are
opened (the route's PDF as text, the reports as CSV and XLSX), and every notification they were sent (what the
e-mails and their calendar attachments are made from) is searched.
"""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from documents.models import RegisteredDocument
from inclusion_centre.accounts.models import Notification

from .test_authorization_matrix import GET
from .urls_under_test import KWARGS
from .world import MARKERS

pytestmark = pytest.mark.django_db

READERS = ["lecturer", "stranger_lecturer", "administration"]


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/pdf"):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        reader = PdfReader(io.BytesIO(content))
        return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # XLSX (and any ZIP): the text of every member
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def _leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


@pytest.mark.parametrize("persona", READERS)
def test_no_page_they_can_open_carries_health_information(client, world, persona):
    client.force_login(getattr(world, persona))
    opened, leaks = [], []
    for name, expected in GET.items():
        if expected[persona] != 200:
            continue
        url = reverse(name, kwargs=KWARGS[name](world))
        response = client.get(url)
        assert response.status_code == 200, name
        opened.append(name)
        leaks += [f"{name}: {marker}" for marker in _leaks(_text(response))]
    assert "routes:meeting" in opened or persona == "administration"
    assert "routes:route" in opened or persona == "stranger_lecturer"
    assert not leaks, leaks


@pytest.mark.parametrize("persona", ["lecturer", "administration"])
def test_the_pages_they_read_name_the_student_and_the_route(client, world, persona):
    """The control for the sweep: what they may read is there, so a blank page cannot pass for a clean one."""
    client.force_login(getattr(world, persona))
    body = client.get(reverse("routes:route", args=[world.route.pk])).content.decode()
    assert world.student.full_name in body and world.route.registration_number in body


def test_the_route_pdf_that_administration_downloads_has_no_health_information(client, world):
    document = RegisteredDocument.objects.get(document_type="route", object_id=world.route.pk)
    client.force_login(world.administration)
    for language in document.languages:
        text = _text(client.get(reverse("documents:download", args=[document.public_id, language])))
        assert world.route.registration_number in text  # the control: this is the route's text
        assert not _leaks(text)


def test_the_reports_exported_by_administration_have_no_health_information(client, world):
    client.force_login(world.administration)
    for export in ("csv", "xlsx"):
        response = client.get(reverse("routes:reports"), {"format": export})
        assert response.status_code == 200
        assert not _leaks(_text(response))


@pytest.mark.parametrize("persona", ["lecturer", "second_lecturer", "stranger_lecturer", "administration"])
def test_no_message_they_were_sent_carries_health_information(world, persona):
    """Every notification of the whole lifecycle: its subject, text, link and calendar attachment (the e-mails and
    the .ics invitations are made from these)."""
    user = getattr(world, persona)
    sent = list(Notification.objects.filter(recipient=user).values_list("subject", "body", "url", "calendar"))
    if persona != "stranger_lecturer":
        assert sent  # they were told of their steps: agreement, approval, the meeting
    leaks = [marker for row in sent for marker in _leaks(" ".join(row))]
    assert not leaks, leaks


def test_the_centre_does_receive_the_markers(client, world):
    """The control for the whole module: the markers are where the centre reads them."""
    client.force_login(world.centre_head)
    body = client.get(reverse("students:application_detail", args=[world.application.public_id])).content.decode()
    assert "MARKER-HEALTH" in body
    assessment = client.get(reverse("routes:assessment", args=[world.assignment.pk])).content.decode()
    assert "MARKER-FINDINGS" in assessment
