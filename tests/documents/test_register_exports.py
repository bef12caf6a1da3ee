"""The register's exports for the institution's document-flow system: CSV and XML, filtered by type and period,
for those who may see the register, logged, with a pinned number of queries."""

import csv
import datetime
import io
from xml.etree import ElementTree as ET

import pytest
from django.db import transaction
from django.urls import reverse

from audit.models import AccessLog
from documents.exports import REGISTER_COLUMNS, REGISTER_XML_NAMESPACE
from documents.models import DocumentType
from documents.services import register_document
from tests.factories import ApplicationFactory

from .test_register import many_documents  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db

CSV = reverse("documents:register_export_csv")
XML = reverse("documents:register_export_xml")
NS = {"r": REGISTER_XML_NAMESPACE}


def _parse(content: bytes):
    return ET.fromstring(content)  # noqa: S314 -- the app's own output, parsed to check it


def _csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", ["centre_head", "auditor"])
def test_csv_filtered_by_type_and_period_and_logged(client, request, many_documents, name):  # noqa: F811
    user = request.getfixturevalue(name)
    client.force_login(user)
    response = client.get(
        CSV, {"document_type": "application", "registered_from": "2026-03-11", "registered_to": "2026-03-20"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    rows = _csv_rows(response.content)
    assert list(rows[0]) == REGISTER_COLUMNS
    # Documents 11..20 were registered on 1 March 2026 + 10..19 days.
    assert {row["number"] for row in rows} == {f"ӨТ-2026/{n:04d}" for n in range(11, 21)}
    assert {row["registered_on"] for row in rows} <= {f"2026-03-{d:02d}" for d in range(11, 21)}
    assert rows[0]["document_type"] == "application" and rows[0]["status"] == "in_force"
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=user, path=CSV).count() == 1
    assert not _csv_rows(client.get(CSV, {"document_type": "conclusion"}).content)


def test_xml_follows_the_documented_schema(client, centre_head, many_documents):  # noqa: F811
    client.force_login(centre_head)
    response = client.get(XML, {"registered_from": "2025-01-01", "registered_to": "2025-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = _parse(response.content)
    assert root.tag == f"{{{REGISTER_XML_NAMESPACE}}}register"
    assert root.get("version") == "1"
    documents = root.findall("r:document", NS)
    assert len(documents) == 10
    cancelled = next(d for d in documents if d.findtext("r:number", namespaces=NS) == "ӨТ-2025/0004")
    assert cancelled.get("type") == "application" and cancelled.get("status") == "cancelled"
    assert cancelled.findtext("r:registered-on", namespaces=NS) == "2025-03-04"
    assert cancelled.findtext("r:student", namespaces=NS) == "Студент Тізім 03"
    assert cancelled.findtext("r:verification-url", namespaces=NS).startswith("http")
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, path=XML).count() == 1


def test_xml_cannot_be_injected_and_csv_keeps_formulas_as_text(client, centre_head):
    name = '</student><document id="x"/>&amp;\x07 =HYPERLINK("x")'
    application = ApplicationFactory(student__user__full_name=name)
    with transaction.atomic():
        register_document(
            source=application,
            document_type=DocumentType.APPLICATION,
            student=application.student,
            number="ӨТ-2026/0001",
            registered_on=datetime.date(2026, 5, 5),
            actor=centre_head,
        )
    client.force_login(centre_head)
    root = _parse(client.get(XML).content)
    documents = root.findall("r:document", NS)
    assert len(documents) == 1
    assert documents[0].findtext("r:student", namespaces=NS) == name.replace("\x07", "")
    formula = ApplicationFactory(student__user__full_name='=HYPERLINK("http://example.com","x")')
    with transaction.atomic():
        register_document(
            source=formula,
            document_type=DocumentType.APPLICATION,
            student=formula.student,
            number="ӨТ-2026/0002",
            registered_on=datetime.date(2026, 5, 6),
            actor=centre_head,
        )
    rows = {r["number"]: r for r in _csv_rows(client.get(CSV).content)}
    assert rows["ӨТ-2026/0002"]["student"] == '\'=HYPERLINK("http://example.com","x")'


@pytest.mark.parametrize(
    "name", ["student", "representative", "specialist", "lecturer", "administration", "sysadmin", "outsider"]
)
def test_everyone_else_gets_404_and_nothing_is_logged_as_an_export(client, request, registered, name):
    client.force_login(request.getfixturevalue(name))
    assert client.get(CSV).status_code == 404
    assert client.get(XML).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


@pytest.mark.parametrize("url", [CSV, XML])
def test_no_query_per_row(client, centre_head, many_documents, django_assert_max_num_queries, url):  # noqa: F811
    client.force_login(centre_head)
    client.get(url)  # warm the content-type cache
    # Session, user, roles, permissions; the access log (its row, the chain's lock, head and link); the
    # documents with their students, their files.
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.content.count(b"\xd3\xa8\xd0\xa2-") >= 30  # "ӨТ-": every one of the 30 rows
