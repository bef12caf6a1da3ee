"""Service requests and equipment in a real browser, with axe: the student's page with its form (and its error
state), the centre's queue, a request's page with the answer form, the equipment page and the lending form."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routes import services
from routes.models import Equipment, ServiceQueue

pytestmark = pytest.mark.e2e


def test_service_request_pages_pass_axe(page, live_server, login, axe_check, student, specialist, centre_head):
    ServiceQueue.objects.filter(kind="interpreter").update(owner=specialist)
    item = services.service_request_create(actor=student, student=student.student, kind="interpreter")
    magnifier = Equipment.objects.create(name="Бейнеұлғайтқыш", kind="magnifier", inventory_number="INV-E2E-1")
    services.equipment_lend(
        equipment=Equipment.objects.create(name="FM", kind="hearing", inventory_number="INV-E2E-2"),
        actor=specialist,
        borrower=student.student,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )

    login(page, live_server, student)
    page.goto("/requests/")
    expect(page.locator("table caption")).to_be_visible()
    axe_check(page)
    page.fill("#id_needed_on", "2000-01-01")
    page.locator("section[aria-labelledby=new-title] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.goto(f"/requests/{item.pk}/")
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, specialist)
    page.goto("/requests/queue/")
    expect(page.locator(".tag").first).to_be_visible()
    axe_check(page)
    page.goto(f"/requests/{item.pk}/")
    expect(page.locator("#answer-title")).to_be_visible()
    axe_check(page)
    page.goto("/equipment/")
    expect(page.locator("#inventory-title")).to_be_visible()
    axe_check(page)
    page.goto(f"/equipment/{magnifier.pk}/lend/")
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, centre_head)
    page.goto("/requests/new/")
    axe_check(page)
