"""The public verification page a printed QR code opens: no sign-in, no personal data, byte-identity check."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import RegisteredDocument
from documents.services import document_change_status

from .conftest import NAME_MARKER, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _url(document):
    return reverse("documents:verify", args=[document.verification_token])


def _upload(client, document, content: bytes, name="copy.pdf"):
    return client.post(_url(document), {"file": SimpleUploadedFile(name, content, "application/pdf")})


def test_the_short_link_is_the_site_address_and_an_unguessable_token(application_document, settings):
    assert application_document.verification_url() == f"{settings.SITE_URL}/v/{application_document.verification_token}"
    assert application_document.number not in application_document.verification_url()


def test_anyone_sees_type_number_date_status_and_hashes_but_no_personal_data(client, application_document):
    response = client.get(_url(application_document))
    assert response.status_code == 200
    html = response.content.decode()
    assert application_document.number in html
    assert application_document.registered_on.strftime("%d.%m.%Y") in html
    assert "In force" in html or str(RegisteredDocument.Status.IN_FORCE.label) in html
    for stored in application_document.files.all():
        assert stored.sha256 in html
    student = application_document.student
    for personal in (NAME_MARKER, student.user.full_name, student.user.email, student.external_id, "MARKER-HEALTH"):
        assert personal not in html
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_superseded_or_cancelled_document_says_so(client, application_document, centre_head):
    document_change_status(
        document=application_document, to_status=RegisteredDocument.Status.CANCELLED, actor=centre_head, reason="Қате"
    )
    html = client.get(_url(application_document)).content.decode()
    assert str(RegisteredDocument.Status.CANCELLED.label) in html
    assert "no longer valid" in html


def test_unknown_token_is_404(client, application_document):
    assert client.get(reverse("documents:verify", args=["not-a-real-token-at-all"])).status_code == 404


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_identical_copy_is_confirmed(client, application_document, language):
    response = _upload(client, application_document, stored_bytes(application_document, language))
    assert response.status_code == 200
    assert response.context["result"]["match"].language == language
    assert "identical" in response.content.decode()
    assert "not identical" not in response.content.decode()


def test_a_changed_copy_is_refused(client, application_document):
    original = stored_bytes(application_document, "kk")
    middle = len(original) // 2
    one_byte_changed = original[:middle] + bytes([original[middle] ^ 0x01]) + original[middle + 1 :]
    for changed in (one_byte_changed, original + b"\n"):
        assert changed != original
        response = _upload(client, application_document, changed)
        assert response.status_code == 200
        assert response.context["result"]["match"] is None
        assert "not identical" in response.content.decode()


def test_another_documents_pdf_is_not_taken_for_this_one(client, application_document, conclusion_document):
    response = _upload(client, application_document, stored_bytes(conclusion_document, "kk"))
    assert response.context["result"]["match"] is None


def test_a_file_over_the_limit_is_refused_unread(client, application_document, settings):
    settings.DOCUMENT_VERIFY_MAX_BYTES = 1000
    response = _upload(client, application_document, b"%PDF-" + b"0" * 200_000)
    assert response.status_code == 413
    assert response.context["result"] is None
    assert "too large" in response.content.decode()
    # Slightly over the limit, within the framing allowance: refused after reading, all the same.
    response = _upload(client, application_document, b"%PDF-" + b"0" * 2000)
    assert response.status_code == 413


def test_no_file_is_a_form_error(client, application_document):
    response = client.post(_url(application_document), {})
    assert response.status_code == 422
    assert response.context["form"].errors


def test_behind_the_trusted_proxy_the_rate_limit_counts_per_client(client, application_document, settings):
    # Issue #20, item 16: the limit read REMOTE_ADDR, so behind the TLS proxy every visitor shared one bucket.
    settings.TRUSTED_PROXIES = ["10.9.0.0/16"]
    settings.DOCUMENT_VERIFY_UPLOADS_PER_HOUR = 2
    content = stored_bytes(application_document, "kk")

    def upload(forwarded):
        return client.post(
            _url(application_document),
            {"file": SimpleUploadedFile("copy.pdf", content, "application/pdf")},
            REMOTE_ADDR="10.9.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert [upload("203.0.113.7").status_code for _ in range(3)] == [200, 200, 429]
    # Writing another address on the left does not escape the count: the proxy appended the real one.
    assert upload("198.51.100.1, 203.0.113.7").status_code == 429
    # Another visitor behind the same proxy has a bucket of their own.
    assert upload("198.51.100.20").status_code == 200


def test_uploads_are_rate_limited_per_address(client, application_document, settings):
    settings.DOCUMENT_VERIFY_UPLOADS_PER_HOUR = 2
    content = stored_bytes(application_document, "kk")
    assert _upload(client, application_document, content).status_code == 200
    assert _upload(client, application_document, content).status_code == 200
    response = _upload(client, application_document, content)
    assert response.status_code == 429
    assert response.context["result"] is None
    # Reading the page is not limited.
    assert client.get(_url(application_document)).status_code == 200
