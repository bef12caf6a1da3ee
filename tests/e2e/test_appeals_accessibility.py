"""Appeals and the register of disclosures in a real browser, with axe: the form to appeal a rejection (and its error
state), the appeal's page with the answer form, the reviewer's queue, the register with its filters, the form to
record a disclosure, and the student's "who has opened my file" with the disclosures."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.services import disclosure_record
from students import services as student_services
from tests.factories import submitted_application

pytestmark = pytest.mark.e2e


def test_appeal_and_disclosure_pages_pass_axe(
    page, live_server, login, axe_check, student, specialist, centre_head, administration
):
    application = student_services.application_reject(
        application=submitted_application(student), actor=centre_head, reason="Құжат жоқ."
    )
    disclosure_record(
        actor=specialist,
        student=student.student,
        recipient="МӘС бөлімі",
        categories=["identity", "health"],
        ground="request",
        ground_text="№ 12/4",
        disclosed_on=timezone.localdate(),
    )

    login(page, live_server, student)
    page.goto(f"/applications/{application.public_id}/appeal/")
    axe_check(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("main input[name=decision]").first.check()
    page.fill("#id_grounds", "Құжатты кейін әкелдім.")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/appeals/\d+/$"))
    axe_check(page)
    page.goto("/appeals/")
    expect(page.locator("table caption")).to_be_visible()
    axe_check(page)
    page.goto("/audit/my-file/")
    expect(page.locator("#disclosures-title")).to_be_visible()
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, administration)
    page.goto("/appeals/queue/")
    expect(page.locator(".tag").first).to_be_visible()
    axe_check(page)
    page.locator("main table a").first.click()
    expect(page.locator("#answer-title")).to_be_visible()
    axe_check(page)
    page.goto("/audit/disclosures/")
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, specialist)
    page.goto("/audit/disclosures/new/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
