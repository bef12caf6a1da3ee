"""Plain language on the student's pages (issue #11, item 5), over the demo world: an application in every state
and a route in every state. Each page the applicant can open is read as a person reads it (the text, not the
markup): no internal codes, every status tag carries words, no sentence of the interface runs on."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from routes.models import Route
from students.models import Application
from students.stages import label_stages

pytestmark = pytest.mark.django_db

# snake_case tokens are enum values and field names (in_force, under_assessment, agreed_remarks…); Python's and
# Django's leftovers show a template fed the wrong thing.
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\bNone\b|\bTrue\b|\bFalse\b|\bobject \(\d+\)")
# Longer than this, a sentence of the interface is hard to follow for many of the people the centre serves.
MAX_WORDS = 30


class _PageText(HTMLParser):
    """The text a person sees in <main>, and the text of each status tag."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside <main>
        self.skip = 0  # inside <script>/<style>
        self.chunks: list[str] = []
        self.tags: list[list[str]] = []
        self._tag_stack: list[int] = []  # depths of the open status tags
        self._level = 0

    def handle_starttag(self, tag, attrs):
        self._level += 1
        classes = (dict(attrs).get("class") or "").split()
        if tag == "main":
            self.depth = self._level
        if tag in {"script", "style"}:
            self.skip += 1
        if "tag" in classes:
            self._tag_stack.append(self._level)
            self.tags.append([])
        if tag in {"p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "div", "br", "label", "legend"}:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.skip -= 1
        if self._tag_stack and self._tag_stack[-1] == self._level:
            self._tag_stack.pop()
        if tag == "main":
            self.depth = 0
        self._level -= 1

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.chunks.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self._tag_stack:
            self.tags[-1].append(data)
        if self.depth:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def read(response) -> _PageText:
    parser = _PageText()
    parser.feed(response.content.decode())
    return parser


def long_sentences(text: str) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+|\n", text)
    return [s.strip() for s in sentences if len(s.split()) > MAX_WORDS]


@pytest.fixture
def demo_world(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def _student_pages(client, application):
    """(name, response) for each page the applicant opens about this application."""
    yield "home", client.get(reverse("home"))
    yield "applications", client.get(reverse("students:my_applications"))
    yield "case", client.get(reverse("students:application_detail", args=[application.public_id]))
    yield "notifications", client.get(reverse("accounts:notifications"))
    for route in application.routes.all():
        yield f"route {route.get_status_display()}", client.get(reverse("routes:route", args=[route.pk]))


def test_the_students_pages_speak_plainly_in_every_state(client, demo_world, capsys):
    application_states = set()
    route_states = set()
    problems = []
    pages = 0
    applications = Application.objects.select_related("student__user").prefetch_related("routes")
    for application in applications:
        client.force_login(application.student.user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for name, response in _student_pages(client, application):
            where = f"{application.get_status_display()} / {name}"
            if response.status_code == 404 and name.startswith("route"):
                continue  # a route the student may not open yet (a draft): the case page speaks for it
            assert response.status_code == 200, where
            pages += 1
            page = read(response)
            for code in sorted(set(CODE.findall(page.text))):
                problems.append(f"{where}: internal code {code!r}")
            for sentence in long_sentences(page.text):
                problems.append(f"{where}: long sentence ({len(sentence.split())} words): {sentence[:80]}…")
            for tag in page.tags:
                if not "".join(tag).strip():
                    problems.append(f"{where}: a status tag without words")
            if name == "case":
                application_states.add(application.status)
                # The state in words: a concluded case reads as the stage its route reached (students/stages.py).
                (labelled,) = label_stages([application])
                assert labelled.stage_label in page.text, where
            if name.startswith("route"):
                route_states.add(name)
    assert not problems, "\n".join(sorted(set(problems)))
    # The demo world really covers every state, so the loop above read them all.
    assert application_states == set(Application.Status.values)
    # A student opens a route once it is approved; before that (and when cancelled) the case page tells them.
    assert {f"route {Route.Status(status).label}" for status in Route.APPROVED} <= route_states
    assert pages > 40


def test_the_reader_catches_what_it_looks_for():
    page = _PageText()
    page.feed(
        '<main><p>State: in_force</p><strong class="tag tag--route-in_force"></strong>'
        '<p class="hint">' + "word " * 31 + ".</p></main>"
    )
    assert CODE.findall(page.text) == ["in_force"]  # the class attribute is not text
    assert page.tags == [[]]
    assert len(long_sentences(page.text)) == 1
