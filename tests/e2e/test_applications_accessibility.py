"""Axe on every page of the application step, for the roles that use it, including error states."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from students import services
from tests.factories import EnrolmentFactory, pdf_bytes, submitted_application

pytestmark = pytest.mark.e2e


def _submitted(student):
    application = submitted_application(student)
    services.document_upload(
        application=application,
        actor=student,
        upload=SimpleUploadedFile("anyktama.pdf", pdf_bytes(), "application/pdf"),
        kind="mse",
    )
    return application


def test_student_pages_pass_axe(page, live_server, login, axe_check, student):
    submitted = _submitted(student)
    draft = services.application_start(actor=student, student=student.student)
    login(page, live_server, student)
    for path in [
        "/applications/",
        f"/applications/{submitted.public_id}/",
        f"/applications/{draft.public_id}/",
        f"/applications/{draft.public_id}/consent/",
        f"/applications/{draft.public_id}/documents/new/",
        f"/applications/{submitted.public_id}/consent/withdraw/",
        f"/applications/{submitted.public_id}/withdraw/",
        "/applications/new/",
        "/accounts/notifications/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        axe_check(page)

    # The form's error state: an empty submission shows the summary and the messages next to the fields.
    page.goto(f"{live_server.url}/applications/{draft.public_id}/edit/")
    axe_check(page)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)

    # Sending without consent is refused on the case page itself.
    page.goto(f"{live_server.url}/applications/{draft.public_id}/")
    page.locator(f"form[action$='/applications/{draft.public_id}/submit/'] button").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)


def test_centre_head_pages_pass_axe(page, live_server, login, axe_check, student, centre_head):
    submitted = _submitted(student)
    login(page, live_server, centre_head)
    for path in [
        "/centre/inbox/",
        "/centre/inbox/?overdue=on",
        f"/applications/{submitted.public_id}/",
        f"/applications/{submitted.public_id}/reject/",
        "/applications/paper/",
        "/accounts/notifications/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        axe_check(page)
    # Register through the button, then the case page shows the number.
    page.goto(f"{live_server.url}/applications/{submitted.public_id}/")
    page.locator(f"form[action$='/applications/{submitted.public_id}/register/'] button").click()
    expect(page.locator("h1")).to_contain_text("ӨТ-")
    axe_check(page)


def test_referring_lecturer_pages_pass_axe(page, live_server, login, axe_check, lecturer, student):
    assignment = lecturer.teaching_assignments.get()
    EnrolmentFactory(student=student.student, course=assignment.course, term=assignment.term)
    login(page, live_server, lecturer)
    page.goto(f"{live_server.url}/applications/new/")
    axe_check(page)
    page.locator("main input[type=radio]").first.check()
    page.locator("main textarea").fill("Тақтадағы жазуды оқи алмайды")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .tag--status")).to_be_visible()
    axe_check(page)
