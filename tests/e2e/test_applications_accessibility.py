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


def test_assessment_and_conclusion_pages_pass_axe(
    page, live_server, login, axe_check, student, specialist, centre_head
):
    from routes import services as route_services
    from routes.models import Adaptation

    application = students_services_register(_submitted(student), centre_head)
    # The head assigns through the case page.
    login(page, live_server, centre_head)
    page.goto(f"{live_server.url}/applications/{application.public_id}/")
    axe_check(page)
    page.select_option("#id_specialist", value=str(specialist.pk))
    page.select_option("#id_area", value="cognitive")
    page.locator(f"form[action$='/applications/{application.public_id}/assign/'] button").click()
    expect(page.locator("main table").first).to_contain_text(specialist.full_name)
    axe_check(page)

    assignment = application.assignments.get()
    page.context.clear_cookies()
    login(page, live_server, specialist)
    page.goto(f"{live_server.url}/assessments/{assignment.pk}/")
    axe_check(page)
    page.locator("main button[value=finish]").click()  # nothing written yet: refused with the reasons
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)

    route_services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="Findings",
        strengths="",
        barriers="",
        adaptations=list(Adaptation.objects.filter(code="extra_time")),
        free_texts=[],
    )
    route_services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    conclusion = route_services.conclusion_draft(application=application, actor=specialist)
    page.goto(f"{live_server.url}/conclusions/{conclusion.pk}/")
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, centre_head)
    page.goto(f"{live_server.url}/conclusions/{conclusion.pk}/")
    page.locator(f"form[action$='/conclusions/{conclusion.pk}/sign/'] button").click()
    expect(page.locator(".error-summary")).to_be_visible()  # no analysis, no level yet
    axe_check(page)
    page.locator("#id_analysis").fill("Analysis")
    page.locator("input[name=support_level][value='2']").check()
    page.locator("main form button[type=submit]").first.click()
    page.locator(f"form[action$='/conclusions/{conclusion.pk}/sign/'] button").click()
    expect(page.locator("h1")).to_contain_text("-")

    page.context.clear_cookies()
    login(page, live_server, student)
    page.goto(f"{live_server.url}/conclusions/{conclusion.pk}/")
    axe_check(page)
    page.goto(f"{live_server.url}/applications/{application.public_id}/")
    axe_check(page)


def students_services_register(application, centre_head):
    return services.application_register(application=application, actor=centre_head)
