"""No personal data where it outlives the page: in browser and proxy caches, in URLs, in e-mail subjects and in the
server's access log."""

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.middleware import NoStoreForSignedInMiddleware
from inclusion_centre.accounts.models import Notification
from routes import services as route_services
from students import services

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent

# What a placeholder of a URL may be: numbers and random identifiers only. The named exceptions carry no
# personal data: a slug naming an import kind or a model, and the password-reset token pair Django defines.
ALLOWED_CONVERTERS = {"IntConverter", "UUIDConverter"}
ALLOWED_NAMED = {
    ("kind", "SlugConverter"),
    ("language", "SlugConverter"),  # a PDF's language code: kk or ru
    ("app_label", "SlugConverter"),
    ("model_name", "SlugConverter"),
    ("uidb64", "StringConverter"),
    ("token", "StringConverter"),
}


def _patterns(resolver=None, prefix=""):
    """(route, converters, name) of every URL the project answers, admin excluded (it is Django's own)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        converters = getattr(entry.pattern, "converters", {})
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            for sub_route, sub_converters, name in _patterns(entry, route):
                yield sub_route, {**converters, **sub_converters}, name
        elif isinstance(entry, URLPattern):
            yield route, converters, entry.name


def test_urls_carry_only_numbers_and_random_identifiers():
    offending = [
        (route, name, type(converter).__name__)
        for route, converters, _name in _patterns()
        for name, converter in converters.items()
        if type(converter).__name__ not in ALLOWED_CONVERTERS and (name, type(converter).__name__) not in ALLOWED_NAMED
    ]
    assert offending == []


def _sample(route: str, converters: dict) -> str:
    values = {
        "IntConverter": "1",
        "UUIDConverter": str(uuid.uuid4()),
        "SlugConverter": "students",
        "StringConverter": "x",
        "PathConverter": "x",
    }

    def fill(match):
        name = match.group("name")
        return values[type(converters[name]).__name__]

    return "/" + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, route).replace("^", "").replace("$", "")


def test_every_page_for_a_signed_in_user_forbids_caching(client, centre_head, registered):
    """Every URL of the project, with whatever the user may or may not see behind it: 200, 302, 404 alike."""
    client.force_login(centre_head)
    seen = 0
    for route, converters, name in _patterns():
        if name in {"logout"}:
            continue
        response = client.get(_sample(route, converters))
        assert "no-store" in response.get("Cache-Control", ""), (route, response.status_code)
        seen += 1
    assert seen > 30
    # The real pages, with personal data on them, too.
    for url in (
        reverse("home"),
        reverse("students:application_detail", args=[registered.public_id]),
        reverse("students:inbox"),
        reverse("audit:history", args=["students", "application", registered.pk]),
        reverse("accounts:notifications"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_the_public_home_page_for_visitors_who_are_not_signed_in_is_left_as_it_was(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_that_sets_its_own_cache_policy_keeps_it(rf, student):
    def view(request):
        response = HttpResponse("public, unchanging")
        response["Cache-Control"] = "private, max-age=60"
        return response

    request = rf.get("/")
    request.user = student
    assert NoStoreForSignedInMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"
    request.user = AnonymousUser()
    assert NoStoreForSignedInMiddleware(lambda r: HttpResponse())(request).get("Cache-Control") is None


# --- E-mail subjects ---------------------------------------------------------------------------------------------


@override_settings(LANGUAGE_CODE="kk")
def test_no_notification_subject_names_the_student(
    django_capture_on_commit_callbacks, submitted, student, representative, centre_head, specialist, lecturer
):
    """Run a case through every step that notifies someone, then read every subject that was stored or sent."""
    from tests.factories import EnrolmentFactory, submitted_application

    with django_capture_on_commit_callbacks(execute=True):
        registered = services.application_register(application=submitted, actor=centre_head)
        assignment = route_services.assignment_add(
            application=registered, specialist=specialist, area="speech", actor=centre_head
        )
        route_services.assessment_save(
            assessment=assignment.assessment,
            actor=specialist,
            findings="Findings",
            strengths="",
            barriers="",
            adaptations=[],
            free_texts=["Extra time"],
        )
        route_services.assessment_finish(assessment=assignment.assessment, actor=specialist)
        conclusion = route_services.conclusion_draft(application=registered, actor=centre_head)
        route_services.conclusion_update(
            conclusion=conclusion,
            actor=centre_head,
            analysis="Analysis",
            support_level="2",
            revision_reason="",
            keep_items=[item.pk for item in conclusion.items.all()],
        )
        route_services.conclusion_sign(conclusion=conclusion, actor=centre_head)
        services.consent_withdraw(application=registered, actor=student, reason="")
        # A referral by a lecturer, a withdrawal and a rejection of other applications of the same student.
        taught = lecturer.teaching_assignments.get()
        EnrolmentFactory(student=student.student, course=taught.course, term=taught.term)
        services.application_start(actor=lecturer, student=student.student, referral_note="Noticed")
        second = submitted_application(student)
        services.application_withdraw(application=second, actor=student, reason="")
        third = submitted_application(student)
        services.application_reject(application=third, actor=centre_head, reason="Not our centre")

    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert len(kinds) >= 8, kinds  # the walk above reached every kind of notification there is so far
    person = student.student
    identifying = {student.full_name, *student.full_name.split(), student.email, person.external_id}
    subjects = [*Notification.objects.values_list("subject", flat=True), *(message.subject for message in mail.outbox)]
    assert mail.outbox
    for subject in subjects:
        assert not any(part in subject for part in identifying), subject


def test_notification_subjects_in_the_code_have_no_placeholders():
    """Subjects are fixed texts: a placeholder in one is where a name would get in."""
    offending = []
    for path in [*ROOT.glob("*/services.py"), *ROOT.glob("*/*/services.py"), *ROOT.glob("*/tasks.py")]:
        if ".venv" in path.parts:
            continue
        for match in re.finditer(r"subject=(?:gettext_noop|_|gettext_lazy)\(\s*\"([^\"]*)\"", path.read_text()):
            if "%(" in match.group(1) or "{" in match.group(1):
                offending.append((path.name, match.group(1)))
    assert offending == []


def test_the_password_reset_subject_names_nobody(client, student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is an outbox job, sent after the commit
        client.post(reverse("accounts:password_reset"), {"email": student.email})
    (message,) = mail.outbox
    assert student.full_name not in message.subject and student.email not in message.subject


# --- The server's access log ---------------------------------------------------------------------------------------


def test_the_servers_access_log_keeps_no_query_strings(tmp_path):
    """A search by name travels in the query string (the inbox filter): gunicorn's log line must not keep it."""
    from tests.test_deploy import _free_port, _get

    port = _free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "SYSTEM_PYTHON": "1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DJANGO_SETTINGS_MODULE": "inclusion_centre.settings.production",
        "SECRET_KEY": "a-deployment-secret-with-more-than-fifty-characters-0123456789-xyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'log.sqlite3'}",
        "SECURE_SSL_REDIRECT": "False",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    server = subprocess.Popen(
        ["make", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                _status, _headers, _body = _get(
                    f"http://127.0.0.1:{port}/centre/inbox/?q=Secret+Surname",
                    Referer="http://127.0.0.1/centre/inbox/?q=Referred+Surname",
                )
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        time.sleep(0.3)
    finally:
        os.killpg(server.pid, 15)
        output, _ = server.communicate(timeout=15)
    access_lines = [line for line in output.splitlines() if "/centre/inbox/" in line]
    assert access_lines, output[-2000:]
    assert "Surname" not in output
