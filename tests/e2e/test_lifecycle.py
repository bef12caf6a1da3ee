"""The whole lifecycle through the user interface only, in Chromium, once in Kazakh and once in Russian.

A student applies with consent and a PDF → the centre head registers and assigns a specialist → the specialist
records the assessment and drafts the conclusion → the centre head signs it → the specialist drafts a route with two
course sections → one lecturer asks for changes, the specialist amends, both lecturers agree → the administration
approves → the team meeting's protocol is signed → the student opens the route in force, downloads its PDF and the
verification page confirms it.

Each person works in the language of the run (the language cookie, as the switcher sets it). At each step the page
must show the expected state in that language (the status tags' texts, the page's `lang`), and a full-page
screenshot is saved under $E2E_ARTIFACTS_DIR/<lang>/ (default var/artifacts/e2e/<lang>/, git-ignored). The axe scan
runs on every page of the Kazakh walk; the Russian walk draws the same templates, so it checks the language only,
which keeps both walks together within a few minutes.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import expect

from routes.models import Protocol, ProtocolItem, Route, TeamMeeting
from students.models import Application
from tests.factories import CourseFactory, EnrolmentFactory, TeachingAssignmentFactory, UserFactory, pdf_bytes

pytestmark = pytest.mark.e2e

SIGNED = gettext_lazy("Signed")  # the conclusion's state
ROOT = Path(__file__).resolve().parents[2]
AXE_LANGUAGES = {"kk"}
# A step that renders PDFs (registration, signing, approval) runs WeasyPrint in the request when no worker is
# configured; on a busy machine that outlasts the harness's 10 s by far.
STEP_TIMEOUT_MS = 60_000


def artifacts_dir(language: str) -> Path:
    """Where the screenshots of one walk go: $E2E_ARTIFACTS_DIR/<lang>/, by default var/artifacts/e2e/<lang>/."""
    base = os.environ.get("E2E_ARTIFACTS_DIR") or ROOT / "var" / "artifacts" / "e2e"
    return Path(base) / language


def in_language(language: str, text) -> str:
    """`text` (a lazy string or a choice's label) as the page in `language` shows it; refused when that language
    shows the English text, so a step cannot pass on an untranslated page."""
    with translation.override(language):
        shown = str(text)
    with translation.override("en"):
        english = str(text)
    assert shown != english, f"{english!r} is not translated into {language}"
    return shown


class Journey:
    """The browser page plus a numbered screenshot, the page's language and (in Kazakh) an axe scan at each step."""

    def __init__(self, page, live_server, login, axe_check, language: str):
        self.page, self.live_server, self._login, self._axe = page, live_server, login, axe_check
        self.language = language
        self.step = 0
        self.artifacts = artifacts_dir(language)
        self.artifacts.mkdir(parents=True, exist_ok=True)
        for old in self.artifacts.glob("lifecycle-*.png"):
            old.unlink()
        page.context.set_default_timeout(STEP_TIMEOUT_MS)
        expect.set_options(timeout=STEP_TIMEOUT_MS)

    def as_anonymous(self):
        """Nobody signed in; the language chosen (without the cookie, the browser's English would be offered)."""
        self.page.context.clear_cookies()
        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": self.language, "url": self.live_server.url}
        self.page.context.add_cookies([cookie])

    def as_user(self, user):
        self.as_anonymous()
        self._login(self.page, self.live_server, user)

    def tag(self, css: str, choice):
        """The status tag `css` shows `choice` in the walk's language."""
        expect(self.page.locator(css).first).to_have_text(in_language(self.language, choice.label))

    def check(self, name: str):
        self.page.wait_for_load_state()
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        if self.language in AXE_LANGUAGES:
            self._axe(self.page)
        self.step += 1
        self.page.screenshot(path=str(self.artifacts / f"lifecycle-{self.step:02d}-{name}.png"), full_page=True)

    def submit(self, form_selector: str, button: str = "button[type=submit]"):
        """Press the form's button with the keyboard (Enter on the focused button), as a keyboard user would."""
        self.page.locator(f"{form_selector} {button}").first.press("Enter")
        self.page.wait_for_load_state()

    def until(self, condition, what: str):
        """Wait (up to 10 s) until the server has recorded what the last click asked for."""
        for _ in range(100):
            if condition():
                return
            self.page.wait_for_timeout(100)
        pytest.fail(f"the server never recorded: {what}")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_whole_lifecycle_through_the_interface(
    page,
    live_server,
    login,
    axe_check,
    tmp_path,
    student,
    specialist,
    centre_head,
    lecturer,
    administration,
    term,
    language,
):
    second_lecturer = UserFactory(roles=["lecturer"], full_name="Бақытжан Омаров")
    second_course = CourseFactory(name_en="Mathematics")
    TeachingAssignmentFactory(lecturer=second_lecturer, course=second_course, term=term)
    first_course = lecturer.teaching_assignments.get().course
    for course in (first_course, second_course):
        EnrolmentFactory(student=student.student, course=course, term=term)
    scan = tmp_path / "mse-conclusion.pdf"
    scan.write_bytes(pdf_bytes("MSE conclusion"))
    journey = Journey(page, live_server, login, axe_check, language)

    # 1. The student applies: the form, consent, a PDF, and sends it.
    journey.as_user(student)
    page.goto("/applications/new/")
    journey.check("start")
    journey.submit("main form")
    expect(page).to_have_url(re.compile(r"/edit/$"))
    application_url = page.url.removesuffix("edit/")
    page.locator("input[name=categories]").first.check()
    page.locator("#id_description").fill("I cannot read the board; I need large print.")
    page.locator("input[name=contact_channel][value=email]").check()
    journey.check("application-form")
    journey.submit("main form")
    expect(page).to_have_url(re.compile(r"/consent/$"))  # the form leads on to the consent
    journey.check("consent")
    page.locator("input[name=agree]").check()
    journey.submit("main form")
    page.goto(f"{application_url}documents/new/")
    page.locator("input[name=kind][value=mse]").check()
    page.set_input_files("input[name=file]", str(scan))
    journey.check("upload")
    journey.submit("main form")
    page.goto(application_url)
    journey.submit("form[action$='/submit/']")
    journey.tag(".tag--submitted", Application.Status.SUBMITTED)
    journey.check("submitted")

    # 2. The centre head registers it and assigns the specialist.
    journey.as_user(centre_head)
    page.goto("/centre/inbox/")
    journey.check("inbox")
    page.goto(application_url)
    journey.submit("form[action$='/register/']")
    expect(page.locator("h1")).to_contain_text("ӨТ-")
    page.select_option("#id_specialist", value=str(specialist.pk))
    page.select_option("#id_area", value="cognitive")
    journey.submit("form[action$='/assign/']")
    expect(page.locator("main table").first).to_contain_text(specialist.full_name)
    journey.tag(".tag--under_assessment", Application.Status.UNDER_ASSESSMENT)
    journey.check("assigned")

    # 3. The specialist records the assessment and drafts the conclusion.
    journey.as_user(specialist)
    page.goto(application_url)
    page.locator("a[href*='/assessments/']").first.click()
    page.locator("#id_findings").fill("Reads slowly; large print and extra time help.")
    page.locator("input[name=adaptations]").nth(0).check()  # a format of materials
    page.locator("label", has_text="+25%").locator("input").check()  # extra time: a form of assessment
    journey.check("assessment")
    page.locator("button[name=action][value=finish]").click()
    page.wait_for_load_state()
    journey.submit("form[action$='/conclusion/']")
    page.locator("#id_analysis").fill("The student needs materials in large print and extra time in assessments.")
    page.locator("input[name=support_level][value='2']").check()
    journey.check("conclusion-draft")
    journey.submit("main form[action$='/conclusions/" + page.url.rstrip("/").rsplit("/", 1)[1] + "/']")

    # 4. The centre head signs it.
    conclusion_url = page.url
    journey.as_user(centre_head)
    page.goto(conclusion_url)
    journey.submit("form[action$='/sign/']")
    expect(page.locator("h1")).to_contain_text("ҚОР-")
    expect(page.locator("main .tag--agreed").first).to_have_text(in_language(language, SIGNED))
    journey.check("conclusion-signed")

    # 5. The specialist drafts a route with two course sections and sends it.
    journey.as_user(specialist)
    page.goto(application_url)
    page.select_option("#id_academic_year", value=term.academic_year)
    journey.submit("form[action$='/route/']")
    expect(page.locator("main section.card[id^=section-]")).to_have_count(2)
    route_edit_url = page.url
    page.locator("#id_measure-who").fill("Tutor")
    page.locator("#id_measure-what").fill("A weekly meeting to plan the study week")
    page.locator("form[action$='/measures/add/'] button[type=submit]").click()
    expect(page.locator("#measures table")).to_contain_text("A weekly meeting")
    page.locator("#id_goals").fill("Complete the term's courses with the adaptations agreed.")
    journey.submit("form[action$='/edit/']")  # the general part saves alone (htmx): the page stays
    expect(page.locator("#general-part [data-saved-note]")).to_be_visible()
    journey.check("route-editor")
    journey.submit("form[action$='/send/']")
    journey.tag(".tag--route-in_agreement", Route.Status.IN_AGREEMENT)
    route_url = page.url

    # 6. The first lecturer asks for changes.
    journey.as_user(lecturer)
    page.goto("/routes/agreements/")
    journey.check("lecturer-list")
    page.goto(route_url)
    page.locator("input[name=decision][value=changes]").check()
    page.locator("textarea[name=comment]").fill("Please allow an oral answer in the midterm.")
    journey.check("lecturer-answer")
    journey.submit("form[action*='/answer/']")
    journey.tag(".tag--route-draft", Route.Status.DRAFT)

    # 7. The specialist amends that section and sends again; only that lecturer is asked again.
    journey.as_user(specialist)
    page.goto(route_edit_url)
    section = page.locator("main section.card[id^=section-]", has_text=first_course.code)
    section.locator("textarea[name$=assessment_forms]").fill("Extra time (+25%); an oral answer in the midterm.")
    section.locator("button[type=submit]").first.click()
    expect(section.locator("[data-saved-note]")).to_be_visible()
    journey.submit("form[action$='/send/']")
    journey.tag(".tag--route-in_agreement", Route.Status.IN_AGREEMENT)
    journey.check("route-resent")

    # 8. Both lecturers agree.
    for person in (lecturer, second_lecturer):
        journey.as_user(person)
        page.goto(route_url)
        page.locator("input[name=decision][value=agreed]").check()
        journey.submit("form[action*='/answer/']")
    journey.tag(".tag--route-in_approval", Route.Status.IN_APPROVAL)
    journey.check("agreed")

    # 9. The administration approves.
    journey.as_user(administration)
    page.goto("/routes/approvals/")
    journey.check("approvals")
    page.goto(route_url)
    journey.submit("form[action$='/approve/']")
    journey.tag(".tag--route-in_force", Route.Status.IN_FORCE)
    journey.check("approved")

    # 10. The team meets about the route: the centre head plans, the secretary records, chair and secretary sign.
    secretary = UserFactory(roles=["specialist"], full_name="Хатшы Маманова")
    journey.as_user(centre_head)
    page.goto("/meetings/new/")
    day = timezone.localdate() + datetime.timedelta(days=1)
    page.locator("#id_date").fill(day.isoformat())
    page.locator("#id_starts").fill("10:00")
    page.locator("#id_ends").fill("11:00")
    page.locator("#id_place").fill("Room 204")
    page.select_option("#id_chair", value=str(centre_head.pk))
    page.select_option("#id_secretary", value=str(secretary.pk))
    page.locator(f"input[name=members][value='{specialist.pk}']").check()
    journey.submit("main form")
    meeting = TeamMeeting.objects.get()
    route_id = route_url.rstrip("/").rsplit("/", 1)[1]
    page.select_option("#id_item-route", value=route_id)
    page.select_option("#id_item-topic", value="measures")
    page.locator("form[action$='/items/add/'] button[type=submit]").click()
    expect(page.locator("#agenda table")).to_contain_text(student.full_name)
    journey.check("meeting-planned")
    # The day of the meeting comes.
    start = timezone.now() - datetime.timedelta(hours=1)
    TeamMeeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    journey.as_user(secretary)
    page.goto(f"/meetings/{meeting.pk}/")
    journey.submit("form[action$='/hold/']")
    protocol = Protocol.objects.get(meeting=meeting)
    record = protocol.records.get()
    for row in protocol.attendance.all():
        page.select_option(f"#id_a{row.pk}-presence", value="present")
    page.locator(f"#id_r{record.pk}-heard").fill("The specialist presented the route.")
    page.locator(f"#id_r{record.pk}-decision").fill("Approve the support measures of the route.")
    page.locator(f"input[name=r{record.pk}-outcome][value=approve_measures]").check()
    page.locator(f"input[name=r{record.pk}-measures]").first.check()
    page.locator(f"#id_r{record.pk}-votes_for").fill("3")
    journey.check("protocol-draft")
    journey.submit("main form[action$='/protocol/']")
    journey.until(lambda: ProtocolItem.objects.get(pk=record.pk).decision, "the protocol's decision")
    journey.submit("form[action$='/sign/']")
    journey.until(
        lambda: Protocol.objects.get(pk=protocol.pk).secretary_signed_at is not None, "the secretary's signature"
    )
    journey.as_user(centre_head)
    page.goto(f"/protocols/{protocol.pk}/")
    journey.submit("form[action$='/sign/']")
    journey.tag(".tag--protocol-signed", Protocol.Status.SIGNED)
    expect(page.locator("h1")).to_contain_text("ХТ-")
    journey.check("protocol-signed")

    # 11. The student opens the route in force, downloads its PDF, and the verification page confirms it.
    journey.as_user(student)
    page.goto(application_url)
    page.locator(f"main a[href='{route_url.replace(live_server.url, '')}']").first.click()
    expect(page.locator("h1")).to_be_visible()
    journey.check("student-route")
    with page.expect_download() as download_info:
        page.locator("a[href$='/kk.pdf']").first.click()
    downloaded = tmp_path / "route.pdf"
    download_info.value.save_as(downloaded)
    assert downloaded.read_bytes().startswith(b"%PDF")

    # The printed short link, read off the PDF as a person holding the paper would.
    from tests.documents.conftest import pdf_text

    link = re.search(r"/v/[A-Za-z0-9_-]{22}", pdf_text(downloaded.read_bytes()).replace(" ", ""))
    assert link is not None
    journey.as_anonymous()  # the verification page is public
    page.goto(link.group(0))
    journey.check("verification")
    page.set_input_files("input[type=file]", str(downloaded))
    journey.submit("main form")
    expect(page.locator(".notification--success")).to_be_visible()
    journey.check("verified")
