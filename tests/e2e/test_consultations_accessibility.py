"""Consultations, guidance notes and training in a real browser, with axe: the lecturer's page with its form (and its
error state), the centre's queue, a request's page with the answer form, the guidance library and editor, the training
list, an event's page with the attendance form, and the report of untrained lecturers."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routes import services
from routes.models import Adaptation

pytestmark = pytest.mark.e2e


def test_consultation_and_training_pages_pass_axe(
    page, live_server, login, axe_check, lecturer, specialist, centre_head
):
    course = lecturer.teaching_assignments.first().course
    item = services.consultation_request(actor=lecturer, course=course, question="Қалай бейімдеймін?")
    services.consultation_take(item=item, actor=specialist)
    adaptation = Adaptation.objects.get(code="extra_time")
    services.guidance_note_save(
        adaptation=adaptation, actor=centre_head, texts={"title_kk": "Уақыт", "body_kk": "Мәтін"}
    )
    event = services.training_event_plan(
        actor=specialist,
        title="Семинар",
        kind="seminar",
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        hours=4,
        organiser="Орталық",
    )
    event = services.training_event_move(event=event, actor=specialist, to_status="held")

    login(page, live_server, lecturer)
    page.goto("/consultations/")
    expect(page.locator("table caption")).to_be_visible()
    axe_check(page)
    page.locator("section[aria-labelledby=new-title] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.goto(f"/guidance/{adaptation.pk}/")
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, specialist)
    page.goto("/consultations/queue/")
    axe_check(page)
    page.goto(f"/consultations/{item.pk}/")
    expect(page.locator("#answer-title")).to_be_visible()
    axe_check(page)
    page.goto("/training/")
    axe_check(page)
    page.goto(f"/training/{event.pk}/")
    expect(page.locator("#attend-title")).to_be_visible()
    axe_check(page)
    page.goto("/training/report/")
    axe_check(page)

    page.context.clear_cookies()
    login(page, live_server, centre_head)
    page.goto("/guidance/")
    axe_check(page)
    page.goto(f"/guidance/{adaptation.pk}/edit/")
    axe_check(page)
