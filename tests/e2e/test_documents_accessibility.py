"""Axe on the pages of registered documents: the block on the case page, "being prepared", the public
verification page (with both answers and an error), and the register."""

import pytest
from playwright.sync_api import expect

from documents.models import RegisteredDocument
from students import services
from tests.factories import submitted_application

pytestmark = pytest.mark.e2e


@pytest.fixture
def registered_document(student, centre_head):
    # A real commit: the PDFs render after it, in-process, as `make run` does without Redis.
    application = services.application_register(application=submitted_application(student), actor=centre_head)
    return RegisteredDocument.objects.get(object_id=application.pk)


def test_case_page_block_and_being_prepared_pass_axe(page, live_server, login, axe_check, student, registered_document):
    login(page, live_server, student)
    page.goto(f"{live_server.url}/applications/{registered_document.source.public_id}/")
    expect(page.locator("main a[href$='/kk.pdf']")).to_have_count(1)
    axe_check(page)

    registered_document.files.all().delete()  # as if the worker had not stored them yet
    RegisteredDocument.objects.filter(pk=registered_document.pk).update(rendered_at=None)
    page.goto(f"{live_server.url}/applications/{registered_document.source.public_id}/")
    axe_check(page)
    response = page.goto(f"{live_server.url}/documents/{registered_document.public_id}/kk.pdf")
    assert response.status == 202
    axe_check(page)


def test_verification_page_passes_axe_in_every_state(page, live_server, axe_check, registered_document):
    url = f"{live_server.url}/v/{registered_document.verification_token}"
    assert page.goto(url).status == 200
    axe_check(page)

    stored = registered_document.files.get(language="ru")
    with stored.file.open("rb") as handle:
        content = handle.read()
    page.set_input_files("#id_file", files=[{"name": "copy.pdf", "mimeType": "application/pdf", "buffer": content}])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .notification--success")).to_be_visible()
    axe_check(page)

    changed = content + b"\n"
    page.set_input_files("#id_file", files=[{"name": "copy.pdf", "mimeType": "application/pdf", "buffer": changed}])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .notification--error")).to_be_visible()
    axe_check(page)

    page.locator("main form button[type=submit]").click()  # no file chosen
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize("name", ["centre_head", "auditor"])
def test_register_passes_axe(page, live_server, login, axe_check, request, registered_document, name):
    login(page, live_server, request.getfixturevalue(name))
    page.goto(f"{live_server.url}/")
    page.locator("nav a[href='/documents/register/']").click()
    expect(page.locator("main table")).to_contain_text(registered_document.number)
    axe_check(page)
    page.goto(f"{live_server.url}/documents/register/?year=soon")
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
