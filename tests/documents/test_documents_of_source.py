"""The registered documents of a source, read with their files in one query for the source's page."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import DocumentType, RegisteredDocument, RegisteredFile
from documents.selectors import documents_of_source
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _document(source, version: int) -> RegisteredDocument:
    return RegisteredDocument.objects.create(
        document_type=DocumentType.APPLICATION,
        content_type=ContentType.objects.get_for_model(source),
        object_id=source.pk,
        number=f"A-{source.pk}",
        registered_on=datetime.date(2026, 9, 1),
        version=version,
    )


def test_newest_version_first_each_with_its_files_by_language_in_one_query():
    application, other = ApplicationFactory(), ApplicationFactory()
    first, second = _document(application, 1), _document(application, 2)
    _document(other, 1)
    for language in ("ru", "kk"):
        RegisteredFile.objects.create(document=first, language=language, file=f"x/{language}.pdf", sha256="0", size=7)
    ContentType.objects.get_for_model(application)  # cached, as on a page
    with CaptureQueriesContext(connection) as queries:
        documents = documents_of_source(application)
        files = {
            document.pk: [(f.language, f.document is document) for f in document.files.all()] for document in documents
        }
    assert len(queries) == 1
    assert documents == [second, first]
    assert documents[0].number == second.number and documents[0].languages == second.languages
    assert files == {second.pk: [], first.pk: [("kk", True), ("ru", True)]}
    assert documents[1].files.all()[0].file.name == "x/kk.pdf"


def test_a_source_without_documents_has_none():
    assert documents_of_source(ApplicationFactory()) == []
