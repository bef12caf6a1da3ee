"""The student's path with the keyboard only (issue #11, item 3), in Chromium, with the axe scan on each page.

Sign in → start an application → send the form empty first (the error summary must take focus) → fill it
(checkboxes with Space, radio groups with the arrows) → give consent → add a document → send it to the centre →
(the centre's part is done through the services) → follow the case page → open the route in force → download its
PDF. On every page the whole Tab order is walked forward and back (tests/e2e/keyboard.py): each stop reached
once, no trap, focus visible.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from routes import services as route_services
from routes.models import Route
from students import services as student_services
from students.models import Application
from tests.e2e.keyboard import focused_matches, tab_to, tab_walk
from tests.factories import (
    PASSWORD,
    CourseFactory,
    EnrolmentFactory,
    TeachingAssignmentFactory,
    UserFactory,
    conclude_case,
    pdf_bytes,
)

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).parent / "artifacts"


def _bring_route_into_force(application, *, centre_head, specialist, administration, term):
    """What the centre, the lecturers and the administration do between the student's visits, through services."""
    application.refresh_from_db()
    student_services.application_register(application=application, actor=centre_head)
    application = conclude_case(application, centre_head=centre_head, specialist=specialist)
    route = route_services.route_draft(
        application=application, actor=specialist, academic_year=term.academic_year, term=term
    )
    route = route_services.route_update(
        route=route, actor=specialist, revision=route.revision, goals="Complete the term's courses."
    )
    route = route_services.route_send_for_agreement(route=route, actor=specialist, revision=route.revision)
    for agreement in route.agreements.filter(status="pending").select_related("lecturer"):
        route_services.agreement_answer(agreement=agreement, actor=agreement.lecturer, decision="agreed", comment="")
    route.refresh_from_db()
    return route_services.route_approve(route=route, actor=administration)


class KeyboardJourney:
    def __init__(self, page, axe_check):
        self.page, self._axe, self.step = page, axe_check, 0
        ARTIFACTS.mkdir(exist_ok=True)

    def check(self, name: str) -> None:
        """axe on the page, a screenshot, then the whole Tab order forward and back."""
        self.page.wait_for_load_state()
        self._axe(self.page)
        self.step += 1
        self.page.screenshot(path=str(ARTIFACTS / f"keyboard-{self.step:02d}-{name}.png"), full_page=True)
        tab_walk(self.page, name)

    def press_on(self, selector: str, key: str = "Enter") -> None:
        tab_to(self.page, selector)
        self.page.keyboard.press(key)

    def choose_radio(self, name: str, value: str) -> None:
        """Tab into the radio group, then move with the down arrow (it selects as it moves) to `value`; Space
        selects the first one when nothing was chosen yet."""
        tab_to(self.page, f"input[type=radio][name={name}]")
        for _ in range(12):
            if focused_matches(self.page, f"input[name={name}][value='{value}']"):
                break
            self.page.keyboard.press("ArrowDown")
        if not focused_matches(self.page, ":checked"):
            self.page.keyboard.press("Space")  # Tab into a group with nothing chosen focuses without choosing
        assert focused_matches(self.page, f"input[name={name}][value='{value}']:checked"), f"{name}={value}"


def test_the_students_path_with_the_keyboard_only(
    page, live_server, axe_check, tmp_path, student, centre_head, specialist, lecturer, administration, term
):
    second_lecturer = UserFactory(roles=["lecturer"], full_name="Second Lecturer")
    second_course = CourseFactory(name_en="Mathematics")
    TeachingAssignmentFactory(lecturer=second_lecturer, course=second_course, term=term)
    for course in (lecturer.teaching_assignments.get().course, second_course):
        EnrolmentFactory(student=student.student, course=course, term=term)
    student.preferred_language = "en"
    student.save(update_fields=["preferred_language"])
    page.context.add_cookies([{"name": "language", "value": "en", "url": live_server.url}])
    scan = tmp_path / "mse-conclusion.pdf"
    scan.write_bytes(pdf_bytes("MSE conclusion"))
    journey = KeyboardJourney(page, axe_check)

    # Sign in.
    page.goto("/accounts/login/")
    journey.check("login")
    tab_to(page, "input[name=username]")
    page.keyboard.type(student.email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    journey.press_on("main form button[type=submit]")
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)
    journey.check("home")

    # Applications → start one.
    journey.press_on("nav a[href='/applications/']")
    expect(page).to_have_url(re.compile(r"/applications/$"))
    journey.check("my-applications")
    journey.press_on("main a[href='/applications/new/']")
    expect(page).to_have_url(re.compile(r"/applications/new/$"))
    journey.check("start")
    journey.press_on("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/edit/$"))
    application_url = page.url.removesuffix("edit/")
    journey.check("application-form")

    # Sent empty: 422, and the error summary has focus so the keyboard user lands on the list of problems.
    journey.press_on("main form button[type=submit]")
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert focused_matches(page, "[data-error-summary]"), "the error summary did not receive focus"
    journey.check("application-form-errors")
    # The summary's links lead to the fields: Enter on the first moves there.
    page.locator("[data-error-summary]").focus()  # back to where the page put focus, after the walk
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#id_categories"))

    tab_to(page, "input[name=categories]")
    page.keyboard.press("Space")
    assert focused_matches(page, "input[name=categories]:checked")
    tab_to(page, "#id_description")
    page.keyboard.type("I cannot read the board; I need large print.")
    journey.choose_radio("contact_channel", "email")
    journey.press_on("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/consent/(#.*)?$"))
    journey.check("consent")
    tab_to(page, "input[name=agree]")
    page.keyboard.press("Space")
    assert focused_matches(page, "input[name=agree]:checked")
    journey.press_on("main form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/consent/(#.*)?$"))
    if page.url.split("#")[0] != application_url:
        page.goto(application_url)  # typed into the address bar
    journey.check("case-draft")

    # A document: the kind with the arrows, the file chosen on the focused input.
    journey.press_on("main a[href$='/documents/new/']")
    expect(page).to_have_url(re.compile(r"/documents/new/(#.*)?$"))
    journey.check("upload")
    journey.choose_radio("kind", "mse")
    tab_to(page, "input[name=file]")
    # Headless Chromium opens no file chooser for Space/Enter, so the file is handed to the input that Tab reached.
    page.locator("input[name=file]:focus").set_input_files(str(scan))
    journey.press_on("main form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/documents/new/(#.*)?$"))
    if page.url.split("#")[0] != application_url:
        page.goto(application_url)
    expect(page.locator("main table")).to_contain_text("mse-conclusion.pdf")

    journey.press_on("form[action$='/submit/'] button[type=submit]")
    expect(page.locator(".tag--submitted")).to_be_visible()
    journey.check("case-submitted")
    application = Application.objects.get(public_id=application_url.rstrip("/").rsplit("/", 1)[1])
    assert application.status == Application.Status.SUBMITTED
    assert application.categories.count() == 1 and application.contact_channel == "email"
    assert application.documents.get().kind == "mse"

    # The centre registers, assesses and concludes; the route is agreed and approved.
    route = _bring_route_into_force(
        application, centre_head=centre_head, specialist=specialist, administration=administration, term=term
    )
    assert route.status == Route.Status.IN_FORCE

    # The student follows the case, opens the route and downloads its PDF.
    page.reload()  # F5: headless Chromium has no browser shortcuts, so the reload is asked for directly

    expect(page.locator(f"main a[href='/routes/{route.pk}/']").first).to_be_visible()
    journey.check("case-route-in-force")
    journey.press_on(f"main a[href='/routes/{route.pk}/']")
    expect(page).to_have_url(re.compile(rf"/routes/{route.pk}/$"))
    journey.check("route")
    tab_to(page, "main a[href$='/kk.pdf']")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    downloaded = tmp_path / "route.pdf"
    download_info.value.save_as(downloaded)
    assert downloaded.read_bytes().startswith(b"%PDF")


# --- The checker itself: it must fail on the faults it looks for ------------------------------------------------

GOOD = """<!DOCTYPE html><html lang="en"><head><title>t</title><style>
:focus-visible { outline: 3px solid #fd0; }</style></head><body>
<a href="#a">one</a> <button>two</button> <input name="r" type="radio" value="1"><input name="r" type="radio" value="2">
<input name="t"></body></html>"""


def test_the_tab_walk_passes_a_page_with_visible_focus_and_no_trap(page):
    page.set_content(GOOD)
    assert len(tab_walk(page, "good page")) == 4  # the radio group is one stop


def test_the_tab_walk_fails_where_focus_is_not_visible(page):
    page.set_content(GOOD.replace("outline: 3px solid #fd0;", "outline: none;"))
    with pytest.raises(AssertionError, match="focus is not visible"):
        tab_walk(page, "no focus style")


def test_the_tab_walk_fails_on_a_keyboard_trap(page):
    page.set_content(
        GOOD.replace(
            "</body>",
            "<script>document.querySelector('button').addEventListener('keydown', e => {"
            " if (e.key === 'Tab') { e.preventDefault(); } });</script></body>",
        )
    )
    with pytest.raises(AssertionError, match="Tab"):
        tab_walk(page, "trap")
