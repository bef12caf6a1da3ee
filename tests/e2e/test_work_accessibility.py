"""The work list and the home page's summary in a real browser, with axe: filters, an error state, pages."""

import pytest
from playwright.sync_api import expect

from routes import services as route_services
from students import services
from tests.factories import StudentFactory, submitted_application

pytestmark = pytest.mark.e2e


def test_the_work_list_passes_axe_for_the_head_and_the_specialist(
    page, live_server, login, axe_check, student, specialist, centre_head
):
    registered = services.application_register(application=submitted_application(student), actor=centre_head)
    route_services.assignment_add(application=registered, specialist=specialist, area="cognitive", actor=centre_head)
    submitted_application(StudentFactory().user)  # one to register

    login(page, live_server, centre_head)
    page.goto("/")
    expect(page.locator("#work-title")).to_be_visible()
    axe_check(page)
    page.goto("/work/")
    expect(page.locator("table caption")).to_be_visible()
    axe_check(page)
    page.select_option("#id_kind", value="register")
    page.check("#id_overdue")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator(".empty-state")).to_be_visible()  # nothing registered is overdue yet
    axe_check(page)
    page.goto("/work/?kind=nonsense")
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, specialist)
    page.goto("/work/")
    expect(page.locator("tbody tr")).to_have_count(1)
    axe_check(page)
