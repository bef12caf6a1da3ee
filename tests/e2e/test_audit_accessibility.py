"""Axe on the audit pages: the history diff, the access log with its filters (and their error state), the audit
home, and the student's "who has opened my file"."""

import pytest
from playwright.sync_api import expect

from inclusion_centre.history import acting_as
from students.models import NeedCategory
from tests.factories import submitted_application

pytestmark = pytest.mark.e2e


def test_auditor_pages_pass_axe(page, live_server, login, axe_check, auditor, centre_head, student):
    application = submitted_application(student)
    with acting_as(centre_head):
        application.categories.set(NeedCategory.objects.filter(code__in=["speech"]))
    login(page, live_server, centre_head)
    page.goto(f"{live_server.url}/applications/{application.public_id}/")  # a read for the log to show
    page.context.clear_cookies()
    login(page, live_server, auditor)
    for path in [
        "/",
        "/audit/",
        "/audit/access/",
        f"/audit/access/?user={centre_head.pk}&action=view_case",
        f"/audit/history/students/application/{application.pk}/",
        f"/audit/history/accounts/user/{student.pk}/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        axe_check(page)
    # The filters' error state: a date that is no date.
    page.goto(f"{live_server.url}/audit/access/")
    page.locator("main input[name=date_from]").evaluate("el => { el.type = 'text'; el.value = 'not a date'; }")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)


def test_student_sees_who_opened_their_file_accessibly(page, live_server, login, axe_check, student, centre_head):
    application = submitted_application(student)
    login(page, live_server, centre_head)
    page.goto(f"{live_server.url}/applications/{application.public_id}/")
    page.context.clear_cookies()
    login(page, live_server, student)
    page.goto(f"{live_server.url}/applications/{application.public_id}/")
    page.locator("main a[href='/audit/my-file/']").click()
    expect(page.locator("main table")).to_contain_text(centre_head.full_name)
    axe_check(page)
