"""The register of documents: the centre head and the auditor only; filters; pinned query count; XLSX export."""

import datetime
import io

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AccessLog
from documents.models import DocumentType, RegisteredDocument
from documents.services import document_change_status, register_document
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("documents:register")
EXPORT = reverse("documents:register_export")


@pytest.fixture
def many_documents(centre_head):
    """30 registered applications over two years, each of another student; one cancelled."""
    documents = []
    for index in range(30):
        application = ApplicationFactory(student__user__full_name=f"Студент Тізім {index:02d}")
        year = 2025 if index < 10 else 2026
        with transaction.atomic():
            documents.append(
                register_document(
                    source=application,
                    document_type=DocumentType.APPLICATION,
                    student=application.student,
                    number=f"ӨТ-{year}/{index + 1:04d}",
                    registered_on=datetime.date(year, 3, 1) + datetime.timedelta(days=index),
                    actor=centre_head,
                )
            )
    document_change_status(
        document=documents[3], to_status=RegisteredDocument.Status.CANCELLED, actor=centre_head, reason="Қате"
    )
    return documents


@pytest.mark.parametrize("name", ["centre_head", "auditor"])
def test_the_centre_head_and_the_auditor_read_the_register(client, request, many_documents, name):
    client.force_login(request.getfixturevalue(name))
    response = client.get(REGISTER)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["page"].paginator.count == 30
    assert "ӨТ-2026/0030" in html  # newest first
    assert "Студент Тізім 29" in html
    assert REGISTER in html  # the menu links to it


@pytest.mark.parametrize(
    "name", ["student", "representative", "specialist", "lecturer", "administration", "sysadmin", "outsider"]
)
def test_everyone_else_gets_404(client, request, registered, name):
    client.force_login(request.getfixturevalue(name))
    assert client.get(REGISTER).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(REGISTER).status_code == 302


def test_filters_by_type_status_year_and_number(client, centre_head, many_documents):
    client.force_login(centre_head)

    def count(**params):
        response = client.get(REGISTER, params)
        assert response.status_code == 200
        return response.context["page"].paginator.count

    assert count(document_type="application") == 30
    assert count(document_type="conclusion") == 0
    assert count(status="cancelled") == 1
    assert count(status="in_force") == 29
    assert count(year=2025) == 10
    assert count(year=2026, status="in_force") == 20
    assert count(q="2026/0030") == 1
    assert count(q="Тізім 07") == 1
    assert client.get(REGISTER, {"year": "soon"}).status_code == 422


def test_only_the_head_gets_links_to_the_cases(client, centre_head, auditor, many_documents):
    case_url = reverse("students:application_detail", args=[many_documents[-1].source.public_id])
    client.force_login(centre_head)
    assert case_url in client.get(REGISTER).content.decode()
    client.force_login(auditor)
    assert case_url not in client.get(REGISTER).content.decode()


def test_the_register_page_makes_no_query_per_row(client, centre_head, many_documents, django_assert_max_num_queries):
    client.force_login(centre_head)
    client.get(REGISTER)  # warm the content-type cache
    # Session, user, roles, permissions, the count, the page, its files, its sources, the notification count.
    with django_assert_max_num_queries(12):
        response = client.get(REGISTER, {"page": 1})
    assert len(response.context["rows"]) == 25


def test_the_export_opens_as_a_workbook_with_the_filtered_rows(client, auditor, many_documents):
    client.force_login(auditor)
    response = client.get(EXPORT, {"year": 2025})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 10
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {f"ӨТ-2025/{n:04d}" for n in range(1, 11)}
    cancelled = next(row for row in rows[1:] if row[0] == "ӨТ-2025/0004")
    assert cancelled[3] == "Студент Тізім 03"
    assert cancelled[5] == 1
    logged = AccessLog.objects.get(action=AccessLog.Action.EXPORT, user=auditor)
    assert logged.path == EXPORT


def test_text_that_a_spreadsheet_would_run_is_kept_as_text(client, centre_head):
    application = ApplicationFactory(student__user__full_name='=HYPERLINK("http://example.com","x")')
    with transaction.atomic():
        register_document(
            source=application,
            document_type=DocumentType.APPLICATION,
            student=application.student,
            number="ӨТ-2026/0777",
            registered_on=datetime.date(2026, 5, 5),
            actor=centre_head,
        )
    client.force_login(centre_head)
    sheet = load_workbook(io.BytesIO(client.get(EXPORT).content)).active
    (row,) = sheet.iter_rows(min_row=2, values_only=True)
    assert row[3] == '\'=HYPERLINK("http://example.com","x")'
    assert sheet.cell(row=2, column=4).data_type == "s"
