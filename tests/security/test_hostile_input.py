"""Every form of every view, as a user permitted to use it with its object in the right state, given random,
oversized, malformed and hostile values by hypothesis: never a 500, nothing written when the answer is a refusal,
and a 422 always explains itself in the reader's language.

Every URL of the project is listed in CASES (read-only pages too: a POST to them must change nothing), so a new
view makes `test_every_url_is_covered` fail until it is given a case here.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audit.selectors import PROJECT_APPS
from routes import services as route_services
from routes.models import Adaptation
from tests.factories import pdf_bytes, png_bytes
from tests.routes.conftest import into_the_past

pytestmark = pytest.mark.django_db

EXAMPLES = 20

# --- Values -------------------------------------------------------------------------------------------------------

HOSTILE_STRINGS = [
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    "'; DROP TABLE students_application; --",
    "../../../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${jndi:ldap://example.invalid/a}",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=y",
    "\u202e\u200b\ufeff",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "0x10",
    "true",
    "null",
    "[]",
    "{}",
    " ",
    "",
    "🙂" * 50,
    "ӘҒҚҢӨҰҮҺІ" * 30,
]
BAD_DATES = [
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "31.12.9999",
    "-2026-01-01",
    "2026-01-01T25:61",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "1970-01-01",
]

texts = st.text(max_size=60)
control_texts = st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=20)
long_texts = st.builds(lambda s, n: (s * n)[:n], st.text(min_size=1, max_size=5), st.integers(300, 30_000))
numbers = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 2**31, 2**63])).map(str)
floats = st.floats(allow_nan=True, allow_infinity=True).map(str)
dates = st.one_of(
    st.sampled_from(BAD_DATES),
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(lambda d: d.isoformat()),
)


def scalar_values(ids: list[str]):
    return st.one_of(
        texts,
        control_texts,
        long_texts,
        numbers,
        floats,
        dates,
        st.sampled_from(HOSTILE_STRINGS),
        st.sampled_from(ids) if ids else st.just("1"),  # ids of other people's objects
        st.uuids().map(str),
    )


def field_values(ids: list[str]):
    value = scalar_values(ids)
    return st.one_of(value, st.lists(value, min_size=2, max_size=3))  # a field sent twice (or more)


def file_values():
    names = st.sampled_from(
        ["scan.pdf", "photo.png", "x.exe", "a" * 300 + ".pdf", "../../evil.pdf", "no-extension", "\x00.pdf"]
    )
    contents = st.one_of(
        st.binary(max_size=2000),
        st.just(pdf_bytes()),
        st.just(png_bytes()),
        st.just(b"<html><script>alert(1)</script></html>"),
        st.just(b"%PDF-1.4\n" + b"\x00" * 100),
        st.just(b"external_id,name_kk\n" + b"\xff\xfe" * 50),
    )
    types = st.sampled_from(["application/pdf", "image/png", "text/html", "application/octet-stream", "text/csv"])
    return st.builds(lambda n, c, t: SimpleUploadedFile(n, c, t), names, contents, types)


# --- What was written ------------------------------------------------------------------------------------------------

# Written on purpose while refusing: the access log (a refused attempt is logged) and its chain; sessions.
NOT_COMPARED = {"audit.accesslog", "audit.historicalaccesslog", "audit.auditchainentry", "accounts.usersession"}


def _tables() -> list[str]:
    tables = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower in NOT_COMPARED or model._meta.proxy or not model._meta.managed:
                continue
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def snapshot() -> tuple:
    """A fingerprint of every row of every project table (history tables included): any write changes it."""
    # Table names come from the models, never from input.
    names = [connection.ops.quote_name(name) for name in _tables()]
    if connection.vendor == "postgresql":
        template = "(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t)"
    else:
        template = "(SELECT count(*) FROM {})"
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(template.format(n) for n in names))
        return tuple(cursor.fetchone())


def _changed_tables(before: tuple, after: tuple) -> list[str]:
    return [name for name, a, b in zip(_tables(), before, after, strict=True) if a != b]


# --- Forms on pages ----------------------------------------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)
ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def discover_fields(html: str, action: str, page: str) -> tuple[set[str], set[str]]:
    """Names of the fields (and of the file fields) of the forms on the page that post to `action`."""
    names, files = set(), set()
    for attrs, body in FORM.findall(html):
        form_attrs = dict(ATTR.findall(attrs))
        target = unescape(form_attrs.get("action", "")) or page
        if target.split("?")[0] != action or form_attrs.get("method", "get").lower() != "post":
            continue
        for _tag, field_attrs in FIELD.findall(body):
            attrs_dict = dict(ATTR.findall(field_attrs))
            name = attrs_dict.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            (files if attrs_dict.get("type") == "file" else names).add(name)
    return names, files


ERROR_TEXT = re.compile(r'<p class="error-message"[^>]*>(.*?)</p>|<div class="error-summary".*?<ul>(.*?)</ul>', re.S)
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def error_texts(html: str) -> list[str]:
    found = []
    for message, summary in ERROR_TEXT.findall(html):
        for text in (message, summary):
            text = re.sub(r"<[^>]+>", " ", text)
            text = re.sub(r"\s+", " ", unescape(text)).strip()
            if text:
                found.append(text)
    return found


# --- The cases: who, which object in which state -----------------------------------------------------------------


@dataclass
class Case:
    persona: str | None  # a fixture name; None: anonymous
    post: Callable  # (request) -> the URL to post to
    page: Callable | None = None  # (request) -> a page showing the form; default: the URL itself
    enforce_otp: bool = False
    fields: tuple = ()  # fields the page cannot show (forms drawn by htmx on demand)


def fx(request, name):
    return request.getfixturevalue(name)


def memo(factory):
    """Build the object once per test, however many times the case's URLs ask for it."""

    def built(request):
        cache = request.node.__dict__.setdefault("_hostile_objects", {})
        if factory.__name__ not in cache:
            cache[factory.__name__] = factory(request)
        return cache[factory.__name__]

    built.__name__ = factory.__name__
    return built


def _route_draft(request):
    return fx(request, "route")


@memo
def _support_session(request):
    return route_services.support_session_log(
        measure=fx(request, "in_force").measures.first(),
        actor=fx(request, "specialist"),
        held_on=timezone.localdate(),
        minutes=45,
        notes="Жаттығулар",
        attended=True,
    )


@memo
def _service_request(request):
    from routes.models import ServiceQueue

    ServiceQueue.objects.filter(kind="interpreter").update(owner=fx(request, "specialist"))
    student = fx(request, "student")
    return route_services.service_request_create(actor=student, student=student.student, kind="interpreter")


@memo
def _consultation(request):
    lecturer = fx(request, "lecturer")
    course = lecturer.teaching_assignments.first().course
    return route_services.consultation_request(actor=lecturer, course=course, question="Қалай бейімдеймін?")


@memo
def _taken_consultation(request):
    return route_services.consultation_take(item=_consultation(request), actor=fx(request, "specialist"))


@memo
def _guided(request):
    adaptation = Adaptation.objects.get(code="extra_time")
    route_services.guidance_note_save(
        adaptation=adaptation, actor=fx(request, "centre_head"), texts={"title_kk": "Уақыт", "body_kk": "Мәтін"}
    )
    return adaptation


@memo
def _training(request):
    return route_services.training_event_plan(
        actor=fx(request, "specialist"),
        title="Семинар",
        kind="seminar",
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        hours=2,
        organiser="Орталық",
    )


@memo
def _held_training(request):
    event = route_services.training_event_plan(
        actor=fx(request, "specialist"),
        title="Курс",
        kind="course",
        held_on=timezone.localdate() - datetime.timedelta(days=2),
        hours=16,
        organiser="Орталық",
    )
    return route_services.training_event_move(event=event, actor=fx(request, "specialist"), to_status="held")


@memo
def _attendance(request):
    return route_services.training_attendance_add(
        event=_held_training(request), actor=fx(request, "specialist"), attendee=fx(request, "lecturer")
    )


@memo
def _appeal(request):
    """The student's appeal against the route in force; the centre head reviews it (the administration approved)."""
    fx(request, "centre_head")
    route = fx(request, "in_force")
    return route_services.appeal_file(
        actor=fx(request, "student"), application=route.application, subject="route", route=route, grounds="Себеп."
    )


@memo
def _equipment(request):
    from routes.models import Equipment

    return Equipment.objects.create(name="Бейнеұлғайтқыш", kind="magnifier", inventory_number="INV-H-1")


@memo
def _loan(request):
    from routes.models import Equipment

    item = Equipment.objects.create(name="FM", kind="hearing", inventory_number="INV-H-2")
    return route_services.equipment_lend(
        equipment=item,
        actor=fx(request, "specialist"),
        borrower=fx(request, "student").student,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


@memo
def _letter(request):
    from routes.models import AccommodationLetter
    from tests.factories import CourseFactory, EnrolmentFactory, TeachingAssignmentFactory

    route, term = fx(request, "in_force"), fx(request, "term")
    course = CourseFactory()
    TeachingAssignmentFactory(lecturer=fx(request, "second_lecturer"), course=course, term=term)
    EnrolmentFactory(student=fx(request, "student").student, course=course, term=term)
    route_services.sections_follow_enrolments(route=route, actor=None, today=term.starts_on)
    return AccommodationLetter.objects.get(route=route)


@memo
def _organisation(request):
    from routes.services import partners

    return partners.organisation_save(actor=fx(request, "specialist"), kind="ngo", name="«Жол» бірлестігі")


@memo
def _contact(request):
    from routes.services import partners

    return partners.contact_save(actor=fx(request, "specialist"), organisation=_organisation(request), full_name="Асан")


@memo
def _on_case(request):
    application = fx(request, "registered")
    route_services.assignment_add(
        application=application,
        specialist=fx(request, "specialist"),
        area="cognitive",
        actor=fx(request, "centre_head"),
    )
    application.refresh_from_db()
    return application


@memo
def _partner_draft(request):
    from routes.services import partners

    return partners.letter_draft(
        actor=fx(request, "specialist"),
        application=_on_case(request),
        organisation=_organisation(request),
        contact=_contact(request),
        subject="Сұрау",
        body="Мәтін",
        letter_date=timezone.localdate(),
    )


@memo
def _partner_sent(request):
    from routes.services import partners

    letter = partners.letter_draft(
        actor=fx(request, "specialist"),
        application=_on_case(request),
        organisation=_organisation(request),
        contact=None,
        subject="Жіберілген хат",
        body="Мәтін",
        letter_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    return partners.letter_send(actor=fx(request, "specialist"), letter=letter)


@memo
def _survey(request):
    term = fx(request, "term")
    route = fx(request, "in_force")
    route_services.surveys_open(route=route, term=term, actor=None, as_of=term.ends_on + datetime.timedelta(days=1))
    from routes.models import DeliverySurvey

    return DeliverySurvey.objects.get(respondent=fx(request, "student"))


@memo
def _sent(request):
    from tests.routes.conftest import send

    return send(fx(request, "route"), fx(request, "specialist"))


@memo
def _fresh_assignment(request):
    return route_services.assignment_add(
        application=fx(request, "registered"),
        specialist=fx(request, "specialist"),
        area="cognitive",
        actor=fx(request, "centre_head"),
    )


@memo
def _finished_assessment(request):
    assignment = _fresh_assignment(request)
    fx(request, "courses")
    specialist = fx(request, "specialist")
    route_services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="Оқу жылдамдығы төмен.",
        strengths="",
        barriers="",
        adaptations=list(Adaptation.objects.filter(code__in=["extra_time", "large_print"])),
        free_texts=[],
    )
    route_services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    return assignment.application


@memo
def _draft_conclusion(request):
    return route_services.conclusion_draft(application=_finished_assessment(request), actor=fx(request, "specialist"))


@memo
def _past_meeting(request):
    return into_the_past(fx(request, "planned"))


def _reset_link(request):
    user = fx(request, "student")
    return reverse(
        "accounts:password_reset_confirm",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )


def _invitation_link(request):
    from inclusion_centre.accounts.tokens import invitation_tokens

    user = fx(request, "student")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return reverse(
        "accounts:invitation",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), invitation_tokens.make_token(user)],
    )


@memo
def _enrolled(request):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from inclusion_centre.accounts.two_factor import new_recovery_codes

    specialist = fx(request, "specialist")
    TOTPDevice.objects.create(user=specialist, name="app", confirmed=True)
    return new_recovery_codes(user=specialist)


@memo
def _enrol_proved(request):
    """The specialist signed in and past the e-mailed code, so the set-up page shows its form (the test's own
    sign-ins afterwards keep the session's data: same user)."""
    from inclusion_centre.accounts.two_factor import ENROL_PROOF_SESSION_KEY

    client, specialist = fx(request, "client"), fx(request, "specialist")
    client.force_login(specialist)
    session = client.session
    session[ENROL_PROOF_SESSION_KEY] = specialist.pk
    session.save()
    return True


@memo
def _notification(request):
    from inclusion_centre.accounts.models import Notification

    return Notification.objects.create(recipient=fx(request, "student"), kind="test", subject="Тест").pk


def _registered_document(request):
    from documents.models import RegisteredDocument

    fx(request, "registered")
    return RegisteredDocument.objects.get()


@memo
def _signed_document(request):
    """The registered application with its stored PDFs and one signature confirmed in the system: what a
    signature sheet is issued for."""
    from django.test import override_settings

    from documents.models import Signature
    from documents.services import render_document_files
    from documents.signatures.services import expected_signers, signature_add

    document = _registered_document(request)
    render_document_files(document_id=document.pk)
    role, person = next((role, person) for role, person in expected_signers(document) if person is not None)
    with override_settings(SIGNATURE_METHOD=Signature.Method.IN_SYSTEM):
        signature_add(document=document, role=role, signer=person, language="kk")
    return document


@memo
def _second_case(request):
    """A second case of the student, sent while the first is open: what the centre merges or rejects."""
    from tests.factories import submitted_application

    fx(request, "submitted")
    return submitted_application(fx(request, "student")).public_id


def _application(name):
    return lambda request: fx(request, name).public_id


R = reverse
CASES: dict[str, Case] = {
    # inclusion_centre
    "home": Case("student", lambda r: R("home")),
    "healthz": Case(None, lambda r: R("healthz")),
    "security_txt": Case(None, lambda r: R("security_txt")),
    "bench_floor": Case("student", lambda r: R("bench_floor")),
    "set_language": Case(None, lambda r: R("set_language"), fields=("language", "next")),
    # accounts
    "accounts:login": Case(None, lambda r: R("accounts:login")),
    "accounts:logout": Case("student", lambda r: R("accounts:logout")),
    "accounts:account": Case("student", lambda r: R("accounts:account")),
    "accounts:two_factor_enrol": Case(
        "specialist", lambda r: _enrol_proved(r) and R("accounts:two_factor_enrol"), enforce_otp=True
    ),
    "accounts:two_factor_enrol_check": Case(
        "specialist", lambda r: R("accounts:two_factor_enrol_check"), enforce_otp=True
    ),
    "accounts:two_factor_verify": Case(
        "specialist",
        lambda r: _enrolled(r) and R("accounts:two_factor_verify"),
        enforce_otp=True,
    ),
    "accounts:two_factor_recovery_codes": Case(
        "specialist", lambda r: _enrolled(r) and R("accounts:two_factor_recovery_codes")
    ),
    "accounts:notifications": Case("student", lambda r: R("accounts:notifications")),
    "accounts:notification_read": Case("student", lambda r: R("accounts:notification_read", args=[_notification(r)])),
    "accounts:password_change": Case("student", lambda r: R("accounts:password_change")),
    "accounts:password_change_done": Case("student", lambda r: R("accounts:password_change_done")),
    "accounts:password_reset": Case(None, lambda r: R("accounts:password_reset")),
    "accounts:password_reset_done": Case(None, lambda r: R("accounts:password_reset_done")),
    "accounts:password_reset_confirm": Case(None, _reset_link),
    "accounts:password_reset_complete": Case(None, lambda r: R("accounts:password_reset_complete")),
    "accounts:invitation": Case(None, _invitation_link),
    "accounts:invitation_done": Case(None, lambda r: R("accounts:invitation_done")),
    "accounts:oidc_start": Case(None, lambda r: R("accounts:oidc_start")),
    "accounts:oidc_callback": Case(None, lambda r: R("accounts:oidc_callback")),
    # students
    "students:my_applications": Case("student", lambda r: R("students:my_applications")),
    "students:application_start": Case("student", lambda r: R("students:application_start")),
    "students:paper_application": Case("centre_head", lambda r: R("students:paper_application")),
    "students:application_detail": Case(
        "student", lambda r: R("students:application_detail", args=[_application("draft")(r)])
    ),
    "students:application_edit": Case(
        "student", lambda r: R("students:application_edit", args=[_application("draft")(r)])
    ),
    "students:application_consent": Case(
        "student", lambda r: R("students:application_consent", args=[_application("draft")(r)])
    ),
    "students:consent_withdraw": Case(
        "student",
        lambda r: R("students:consent_withdraw", args=[_application("submitted")(r)]),
        page=lambda r: R("students:application_detail", args=[_application("submitted")(r)]),
    ),
    "students:application_submit": Case(
        "student",
        lambda r: R("students:application_submit", args=[_application("draft")(r)]),
        page=lambda r: R("students:application_detail", args=[_application("draft")(r)]),
    ),
    "students:application_withdraw": Case(
        "student", lambda r: R("students:application_withdraw", args=[_application("submitted")(r)])
    ),
    "students:application_register": Case(
        "centre_head",
        lambda r: R("students:application_register", args=[_application("submitted")(r)]),
        page=lambda r: R("students:application_detail", args=[_application("submitted")(r)]),
    ),
    "students:application_reject": Case(
        "centre_head", lambda r: R("students:application_reject", args=[_application("submitted")(r)])
    ),
    "students:application_duplicate": Case(
        "centre_head", lambda r: R("students:application_duplicate", args=[_second_case(r)])
    ),
    "students:document_upload": Case(
        "student", lambda r: R("students:document_upload", args=[_application("draft")(r)])
    ),
    "students:document_download": Case(
        "student",
        lambda r: R(
            "students:document_download",
            args=[fx(r, "submitted").public_id, fx(r, "submitted").documents.get().public_id],
        ),
    ),
    "students:application_incoming": Case(
        "centre_head",
        lambda r: R("students:application_incoming", args=[_application("registered")(r)]),
        page=lambda r: R("students:application_detail", args=[_application("registered")(r)]),
    ),
    "students:case_archive": Case(
        "centre_head", lambda r: R("students:case_archive", args=[_application("registered")(r)])
    ),
    "students:inbox": Case("centre_head", lambda r: R("students:inbox")),
    "students:reference_import": Case("sysadmin", lambda r: R("students:reference_import")),
    "students:reference_import_preview": Case("sysadmin", lambda r: R("students:reference_import_preview")),
    "students:reference_import_confirm": Case(
        "sysadmin", lambda r: R("students:reference_import_confirm"), fields=("token", "kind", "full")
    ),
    "students:reference_import_report": Case("sysadmin", lambda r: R("students:reference_import_report")),
    "students:reference_import_sample": Case(
        "sysadmin", lambda r: R("students:reference_import_sample", args=["faculties"])
    ),
    # routes: assessment and conclusion
    "routes:assign": Case(
        "centre_head",
        lambda r: R("routes:assign", args=[_application("registered")(r)]),
        page=lambda r: R("students:application_detail", args=[_application("registered")(r)]),
    ),
    "routes:unassign": Case(
        "centre_head",
        lambda r: R("routes:unassign", args=[_fresh_assignment(r).pk]),
        page=lambda r: R("students:application_detail", args=[_application("registered")(r)]),
    ),
    "routes:assessment": Case("specialist", lambda r: R("routes:assessment", args=[_fresh_assignment(r).pk])),
    "routes:conclusion_draft": Case(
        "specialist",
        lambda r: R("routes:conclusion_draft", args=[_finished_assessment(r).public_id]),
        page=lambda r: R("students:application_detail", args=[_application("registered")(r)]),
    ),
    "routes:conclusion": Case("specialist", lambda r: R("routes:conclusion", args=[_draft_conclusion(r).pk])),
    "routes:conclusion_sign": Case(
        "centre_head",
        lambda r: R("routes:conclusion_sign", args=[_draft_conclusion(r).pk]),
        page=lambda r: R("routes:conclusion", args=[_draft_conclusion(r).pk]),
    ),
    # routes: the route
    "routes:route_draft": Case("specialist", lambda r: R("routes:route_draft", args=[_application("concluded")(r)])),
    "routes:changed_needs": Case(
        "student", lambda r: R("routes:changed_needs", args=[fx(r, "in_force").application.public_id])
    ),
    "routes:case_close": Case(
        "centre_head", lambda r: R("routes:case_close", args=[fx(r, "in_force").application.public_id])
    ),
    "routes:agreements": Case("lecturer", lambda r: R("routes:agreements")),
    "routes:approvals": Case("administration", lambda r: R("routes:approvals")),
    "routes:route": Case("specialist", lambda r: R("routes:route", args=[_route_draft(r).pk])),
    "routes:route_edit": Case("specialist", lambda r: R("routes:route_edit", args=[_route_draft(r).pk])),
    "routes:section_add": Case(
        "specialist",
        lambda r: R("routes:section_add", args=[_route_draft(r).pk]),
        page=lambda r: R("routes:route_edit", args=[_route_draft(r).pk]),
    ),
    "routes:section_update": Case(
        "specialist",
        lambda r: R("routes:section_update", args=[_route_draft(r).pk, _route_draft(r).sections.first().pk]),
        page=lambda r: R("routes:route_edit", args=[_route_draft(r).pk]),
    ),
    "routes:section_remove": Case(
        "specialist",
        lambda r: R("routes:section_remove", args=[_route_draft(r).pk, _route_draft(r).sections.first().pk]),
    ),
    "routes:measure_add": Case(
        "specialist",
        lambda r: R("routes:measure_add", args=[_route_draft(r).pk]),
        page=lambda r: R("routes:route_edit", args=[_route_draft(r).pk]),
    ),
    "routes:measure_remove": Case(
        "specialist",
        lambda r: R("routes:measure_remove", args=[_route_draft(r).pk, _route_draft(r).measures.first().pk]),
        page=lambda r: R("routes:route_edit", args=[_route_draft(r).pk]),
    ),
    "routes:route_send": Case(
        "specialist",
        lambda r: R("routes:route_send", args=[_route_draft(r).pk]),
        page=lambda r: R("routes:route", args=[_route_draft(r).pk]),
    ),
    "routes:route_withdraw": Case(
        "specialist",
        lambda r: R("routes:route_withdraw", args=[_sent(r).pk]),
        page=lambda r: R("routes:route", args=[_route_draft(r).pk]),
    ),
    "routes:route_approve": Case(
        "administration",
        lambda r: R("routes:route_approve", args=[fx(r, "in_approval").pk]),
        page=lambda r: R("routes:route", args=[fx(r, "in_approval").pk]),
    ),
    "routes:route_return": Case(
        "administration",
        lambda r: R("routes:route_return", args=[fx(r, "in_approval").pk]),
        page=lambda r: R("routes:route", args=[fx(r, "in_approval").pk]),
    ),
    "routes:route_cancel": Case(
        "centre_head",
        lambda r: R("routes:route_cancel", args=[_route_draft(r).pk]),
        page=lambda r: R("routes:route", args=[_route_draft(r).pk]),
    ),
    "routes:route_review": Case(
        "specialist",
        lambda r: R("routes:route_review", args=[fx(r, "in_force").pk]),
        page=lambda r: R("routes:route", args=[fx(r, "in_force").pk]),
    ),
    "routes:support": Case("specialist", lambda r: R("routes:support", args=[fx(r, "in_force").pk])),
    "routes:support_correct": Case(
        "specialist", lambda r: R("routes:support_correct", args=[fx(r, "in_force").pk, _support_session(r).pk])
    ),
    "routes:consultations": Case("lecturer", lambda r: R("routes:consultations")),
    "routes:consultation_queue": Case("specialist", lambda r: R("routes:consultation_queue")),
    "routes:consultation": Case("specialist", lambda r: R("routes:consultation", args=[_consultation(r).pk])),
    "routes:consultation_take": Case(
        "specialist",
        lambda r: R("routes:consultation_take", args=[_consultation(r).pk]),
        page=lambda r: R("routes:consultation", args=[_consultation(r).pk]),
    ),
    "routes:consultation_answer": Case(
        "specialist",
        lambda r: R("routes:consultation_answer", args=[_taken_consultation(r).pk]),
        page=lambda r: R("routes:consultation", args=[_taken_consultation(r).pk]),
    ),
    "routes:consultation_close": Case(
        "centre_head",
        lambda r: R("routes:consultation_close", args=[_consultation(r).pk]),
        page=lambda r: R("routes:consultation", args=[_consultation(r).pk]),
    ),
    "routes:guidance": Case("lecturer", lambda r: R("routes:guidance")),
    "routes:guidance_note": Case("lecturer", lambda r: R("routes:guidance_note", args=[_guided(r).pk])),
    "routes:guidance_edit": Case("centre_head", lambda r: R("routes:guidance_edit", args=[_guided(r).pk])),
    "routes:training": Case("specialist", lambda r: R("routes:training")),
    "routes:training_report": Case("centre_head", lambda r: R("routes:training_report")),
    "routes:training_event": Case("specialist", lambda r: R("routes:training_event", args=[_training(r).pk])),
    "routes:training_event_move": Case(
        "specialist",
        lambda r: R("routes:training_event_move", args=[_training(r).pk]),
        page=lambda r: R("routes:training_event", args=[_training(r).pk]),
    ),
    "routes:training_attend": Case(
        "specialist",
        lambda r: R("routes:training_attend", args=[_held_training(r).pk]),
        page=lambda r: R("routes:training_event", args=[_held_training(r).pk]),
    ),
    "routes:training_attendance_remove": Case(
        "specialist",
        lambda r: R("routes:training_attendance_remove", args=[_attendance(r).pk]),
        page=lambda r: R("routes:training_event", args=[_held_training(r).pk]),
    ),
    "routes:service_requests": Case("student", lambda r: R("routes:service_requests")),
    "routes:service_request_new": Case("centre_head", lambda r: R("routes:service_request_new")),
    "routes:service_request_queue": Case("specialist", lambda r: R("routes:service_request_queue")),
    "routes:service_request": Case("specialist", lambda r: R("routes:service_request", args=[_service_request(r).pk])),
    "routes:appeals": Case("student", lambda r: R("routes:appeals")),
    "routes:appeal_queue": Case("centre_head", lambda r: R("routes:appeal_queue")),
    "routes:appeal": Case("centre_head", lambda r: R("routes:appeal", args=[_appeal(r).pk])),
    "routes:appeal_assign": Case(
        "centre_head",
        lambda r: R("routes:appeal_assign", args=[_appeal(r).pk]),
        page=lambda r: R("routes:appeal", args=[_appeal(r).pk]),
    ),
    "routes:appeal_new": Case(
        "student", lambda r: R("routes:appeal_new", args=[fx(r, "in_force").application.public_id])
    ),
    "routes:equipment": Case("specialist", lambda r: R("routes:equipment")),
    "routes:equipment_lend": Case("specialist", lambda r: R("routes:equipment_lend", args=[_equipment(r).pk])),
    "routes:loan_return": Case("specialist", lambda r: R("routes:loan_return", args=[_loan(r).pk])),
    "routes:exam_sessions": Case("exam_office", lambda r: R("routes:exam_sessions")),
    "routes:exam_sessions_import": Case("exam_office", lambda r: R("routes:exam_sessions_import")),
    "routes:exam_session": Case("specialist", lambda r: R("routes:exam_session", args=[fx(r, "exam_session").pk])),
    "routes:exam_session_propose": Case(
        "specialist",
        lambda r: R("routes:exam_session_propose", args=[fx(r, "exam_session").pk]),
        page=lambda r: R("routes:exam_session", args=[fx(r, "exam_session").pk]),
    ),
    "routes:exam_arrangement": Case("specialist", lambda r: R("routes:exam_arrangement", args=[fx(r, "proposed").pk])),
    "routes:exam_arrangement_confirm": Case(
        "specialist",
        lambda r: R("routes:exam_arrangement_confirm", args=[fx(r, "proposed").pk]),
        page=lambda r: R("routes:exam_arrangement", args=[fx(r, "proposed").pk]),
    ),
    "routes:exam_arrangement_book": Case(
        "specialist",
        lambda r: R("routes:exam_arrangement_book", args=[fx(r, "confirmed").pk]),
        page=lambda r: R("routes:exam_arrangement", args=[fx(r, "confirmed").pk]),
    ),
    "routes:exam_arrangement_hold": Case(
        "specialist",
        lambda r: R("routes:exam_arrangement_hold", args=[fx(r, "booked").pk]),
        page=lambda r: R("routes:exam_arrangement", args=[fx(r, "booked").pk]),
    ),
    "routes:exam_arrangement_cancel": Case(
        "specialist", lambda r: R("routes:exam_arrangement_cancel", args=[fx(r, "proposed").pk])
    ),
    "routes:exam_day": Case("exam_office", lambda r: R("routes:exam_day")),
    "routes:exam_day_xlsx": Case("exam_office", lambda r: R("routes:exam_day_xlsx")),
    "routes:exam_day_pdf": Case("exam_office", lambda r: R("routes:exam_day_pdf")),
    "routes:letters": Case("second_lecturer", lambda r: R("routes:letters")),
    "routes:letter": Case("second_lecturer", lambda r: R("routes:letter", args=[_letter(r).pk])),
    "routes:organisations": Case("specialist", lambda r: R("routes:organisations")),
    "routes:organisation_new": Case("specialist", lambda r: R("routes:organisation_new")),
    "routes:organisation": Case("centre_head", lambda r: R("routes:organisation", args=[_organisation(r).pk])),
    "routes:contact_new": Case("specialist", lambda r: R("routes:contact_new", args=[_organisation(r).pk])),
    "routes:contact_edit": Case("specialist", lambda r: R("routes:contact_edit", args=[_contact(r).pk])),
    "routes:partner_letter_new": Case(
        "specialist",
        lambda r: R("routes:partner_letter_new", args=[_on_case(r).public_id]),
        page=lambda r: (_organisation(r), _contact(r), R("routes:partner_letter_new", args=[_on_case(r).public_id]))[
            -1
        ],
    ),
    "routes:partner_letter": Case("student", lambda r: R("routes:partner_letter", args=[_partner_sent(r).pk])),
    "routes:partner_letter_edit": Case(
        "specialist", lambda r: R("routes:partner_letter_edit", args=[_partner_draft(r).pk])
    ),
    "routes:partner_letter_send": Case(
        "specialist",
        lambda r: R("routes:partner_letter_send", args=[_partner_draft(r).pk]),
        page=lambda r: R("routes:partner_letter", args=[_partner_draft(r).pk]),
    ),
    "routes:partner_letter_answer": Case(
        "specialist",
        lambda r: R("routes:partner_letter_answer", args=[_partner_sent(r).pk]),
        page=lambda r: R("routes:partner_letter", args=[_partner_sent(r).pk]),
    ),
    "routes:handovers": Case("centre_head", lambda r: R("routes:handovers")),
    "routes:delivery_surveys": Case("student", lambda r: R("routes:delivery_surveys")),
    # The student's voice on the draft route, and the MSE conclusion's date (issue 25)
    "routes:route_voice": Case("student", lambda r: R("routes:route_voice", args=[_route_draft(r).pk])),
    "routes:mse": Case("centre_head", lambda r: R("routes:mse", args=[_application("concluded")(r)])),
    "routes:delivery_survey": Case("student", lambda r: R("routes:delivery_survey", args=[_survey(r).pk])),
    "routes:agreement_answer": Case(
        "lecturer",
        lambda r: R("routes:agreement_answer", args=[_sent(r).agreements.get(lecturer=fx(r, "lecturer")).pk]),
        page=lambda r: R("routes:route", args=[_route_draft(r).pk]),
    ),
    "routes:dashboard": Case("centre_head", lambda r: R("routes:dashboard")),
    "routes:work": Case("specialist", lambda r: R("routes:work")),
    "routes:reports": Case("centre_head", lambda r: R("routes:reports")),
    # routes: team meetings
    "routes:meetings": Case("centre_head", lambda r: R("routes:meetings")),
    "routes:meeting_new": Case("centre_head", lambda r: R("routes:meeting_new")),
    "routes:meeting": Case("centre_head", lambda r: R("routes:meeting", args=[fx(r, "planned").pk])),
    "routes:meeting_edit": Case("centre_head", lambda r: R("routes:meeting_edit", args=[fx(r, "planned").pk])),
    "routes:meeting_item_add": Case(
        "centre_head",
        lambda r: R("routes:meeting_item_add", args=[fx(r, "planned").pk]),
        page=lambda r: R("routes:meeting", args=[fx(r, "planned").pk]),
    ),
    "routes:meeting_item_remove": Case(
        "centre_head",
        lambda r: R("routes:meeting_item_remove", args=[fx(r, "planned").pk, fx(r, "planned").items.first().pk]),
        page=lambda r: R("routes:meeting", args=[fx(r, "planned").pk]),
    ),
    "routes:meeting_member_add": Case(
        "centre_head",
        lambda r: R("routes:meeting_member_add", args=[fx(r, "planned").pk]),
        page=lambda r: R("routes:meeting", args=[fx(r, "planned").pk]),
    ),
    "routes:meeting_member_remove": Case(
        "centre_head",
        lambda r: R("routes:meeting_member_remove", args=[fx(r, "planned").pk, fx(r, "planned").members.first().pk]),
        page=lambda r: R("routes:meeting", args=[fx(r, "planned").pk]),
    ),
    "routes:meeting_rsvp": Case(
        "specialist",
        lambda r: R("routes:meeting_rsvp", args=[fx(r, "planned").pk]),
        page=lambda r: R("routes:meeting", args=[fx(r, "planned").pk]),
    ),
    "routes:meeting_cancel": Case(
        "centre_head",
        lambda r: R("routes:meeting_cancel", args=[fx(r, "planned").pk]),
        page=lambda r: R("routes:meeting", args=[fx(r, "planned").pk]),
    ),
    "routes:meeting_hold": Case(
        "secretary",
        lambda r: R("routes:meeting_hold", args=[_past_meeting(r).pk]),
        page=lambda r: R("routes:meeting", args=[fx(r, "planned").pk]),
    ),
    "routes:meeting_protocol": Case(
        "secretary", lambda r: R("routes:meeting_protocol", args=[fx(r, "held").meeting_id])
    ),
    "routes:meeting_correct": Case(
        "centre_head",
        lambda r: R("routes:meeting_correct", args=[fx(r, "signed").meeting_id]),
        page=lambda r: R("routes:meeting", args=[fx(r, "signed").meeting_id]),
    ),
    "routes:protocol": Case("centre_head", lambda r: R("routes:protocol", args=[fx(r, "held").pk])),
    "routes:protocol_sign": Case(
        "centre_head",
        lambda r: R("routes:protocol_sign", args=[fx(r, "held").pk]),
        page=lambda r: R("routes:protocol", args=[fx(r, "held").pk]),
    ),
    # documents
    "documents:verify": Case(
        None, lambda r: R("documents:verify", args=[_registered_document(r).verification_token]), fields=("file",)
    ),
    "documents:download": Case(
        "student", lambda r: R("documents:download", args=[_registered_document(r).public_id, "kk"])
    ),
    "documents:register": Case("centre_head", lambda r: R("documents:register")),
    "documents:register_export": Case("centre_head", lambda r: R("documents:register_export")),
    "documents:register_export_csv": Case("centre_head", lambda r: R("documents:register_export_csv")),
    "documents:register_export_xml": Case("centre_head", lambda r: R("documents:register_export_xml")),
    "documents:signatures": Case(
        "centre_head", lambda r: R("documents:signatures", args=[_registered_document(r).public_id])
    ),
    "documents:signature_content": Case(
        "centre_head", lambda r: R("documents:signature_content", args=[_registered_document(r).public_id, "kk"])
    ),
    "documents:signature_sheet": Case(
        "centre_head",
        lambda r: R("documents:signature_sheet", args=[_signed_document(r).public_id]),
        page=lambda r: R("documents:signatures", args=[_signed_document(r).public_id]),
    ),
    "documents:my_data": Case("student", lambda r: R("documents:my_data", args=[fx(r, "student").student.pk])),
    "documents:personal_file": Case(
        "centre_head", lambda r: R("documents:personal_file", args=[fx(r, "student").student.pk])
    ),
    # audit
    "audit:index": Case("centre_head", lambda r: R("audit:index")),
    "audit:history": Case(
        "centre_head", lambda r: R("audit:history", args=["students", "application", fx(r, "submitted").pk])
    ),
    "audit:access_log": Case("auditor", lambda r: R("audit:access_log")),
    "audit:access_log_export": Case("auditor", lambda r: R("audit:access_log_export")),
    "audit:my_file": Case("student", lambda r: R("audit:my_file")),
    "audit:disclosures": Case("centre_head", lambda r: R("audit:disclosures")),
    "audit:disclosures_export": Case("centre_head", lambda r: R("audit:disclosures_export")),
    "audit:disclosure_new": Case("specialist", lambda r: R("audit:disclosure_new")),
}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # Django's own admin site
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_covered():
    assert sorted(set(_url_names()) - set(CASES)) == []
    assert sorted(set(CASES) - set(_url_names())) == []


# --- The property ----------------------------------------------------------------------------------------------------


def _id_pool() -> list[str]:
    """Primary keys and public ids of rows that exist, most of them someone else's."""
    ids = set()
    for label in ("students", "routes", "documents", "accounts"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in NOT_COMPARED or model.__name__.startswith("Historical"):
                continue
            ids.update(str(pk) for pk in model.objects.values_list("pk", flat=True)[:5])
            if any(f.name == "public_id" for f in model._meta.fields):
                ids.update(str(v) for v in model.objects.values_list("public_id", flat=True)[:3])
    return sorted(ids)


@pytest.mark.parametrize("url_name", sorted(CASES))
def test_hostile_values_never_break_a_form(url_name, client, request, settings):
    case = CASES[url_name]
    settings.OTP_ENFORCE = case.enforce_otp
    post_url = case.post(request)
    page_url = (case.page(request) if case.page else None) or post_url
    if case.persona:
        client.force_login(fx(request, case.persona))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    page = client.get(page_url)
    assert page.status_code < 500
    html = b"" if page.streaming else page.content  # a download has no form
    names, files = discover_fields(html.decode(errors="replace"), post_url.split("?")[0], page_url)
    names |= set(case.fields) - files
    if not names and not files:
        names = {"id", "reason", "comment", "revision", "next"}  # a POST-only action, or a page without a form
    names, files = sorted(names), sorted(files)
    pool = _id_pool()
    statuses = []

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(
        data=st.fixed_dictionaries({}, optional={name: field_values(pool) for name in names}),
        uploads=st.fixed_dictionaries({}, optional={name: file_values() for name in files}),
    )
    def post_hostile(data, uploads):
        for upload in uploads.values():
            upload.seek(0)
        savepoint = transaction.savepoint()
        try:
            before = snapshot()
            response = client.post(post_url, {**data, **uploads})
            statuses.append(response.status_code)
            assert response.status_code < 500, (url_name, data)
            if 400 <= response.status_code < 500:
                after = snapshot()
                assert before == after, (url_name, response.status_code, _changed_tables(before, after), data)
            if response.status_code == 422:
                messages = error_texts(response.content.decode())
                assert messages, (url_name, "a 422 without an error message", data)
                english = [m for m in messages if not CYRILLIC.search(m)]
                assert english == [], (url_name, "untranslated", english, data)
        finally:
            transaction.savepoint_rollback(savepoint)
            if case.persona:
                client.force_login(fx(request, case.persona))  # a successful sign-out or password change

    post_hostile()
    # The case really exercised the view: it was not refused as a whole for lack of permission.
    assert set(statuses) != {404}, (url_name, "every attempt answered 404: wrong persona or state")
