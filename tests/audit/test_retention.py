"""Retention (issue #8, item 6; issue 25, §10.2 c): `manage.py apply_retention` follows the retention schedule
(documents.RetentionRule): the documents whose period ran out are handed to the archive, then destroyed; the personal
data of cases that ended before the longest period is removed, the register entries and their hashes kept, the
history purged; it records what it did and is safe to run every night."""

import datetime
import io
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from audit.chain import verify_chain
from audit.models import AccessLog, AuditChainEntry
from documents.models import RegisteredDocument, RegisteredFile, RetentionRule
from documents.services import render_document_files
from routes import services as route_services
from routes.retention import apply_retention
from students import services as application_services
from students.models import Application, Student, SupportingDocument
from tests.factories import submitted_application

# The route world of tests/routes: a concluded case, a route approved and in force.
from tests.routes.conftest import (  # noqa: F401
    HEALTH,
    concluded,
    courses,
    in_approval,
    in_force,
    route,
    second_lecturer,
)

pytestmark = pytest.mark.django_db

NAME = "Студент Тестов"  # tests/conftest.py's student
MARKERS = ["MARKER-HEALTH", HEALTH, NAME]
# Rows the audit chain protects: editing them would break verify_audit, so retention leaves them (see
# routes/retention.py). The chain itself holds their canonical content.
CHAINED = {"audit.statuschange", "audit.accesslog", "audit.auditchainentry", "audit.historicalstatuschange"}
CHAINED |= {"audit.historicalaccesslog"}


def set_schedule(years: int) -> None:
    """Every document type kept `years` after the case ends."""
    for rule in RetentionRule.objects.all():
        rule.years = years
        rule.save()


def years_later(years: int) -> datetime.datetime:
    """A moment `years` from now: the run sees the cases of today as ended that long ago. (Moving the status
    changes into the past instead would be tampering with chained rows, and verify_audit would say so.)"""
    return timezone.now() + datetime.timedelta(days=365 * years + 2)


@pytest.fixture
def closed_long_ago(request, centre_head, student, client):
    """The route world, every PDF stored, a report of changed needs, a support session, the case closed today."""
    case_route = request.getfixturevalue("in_force")
    application = case_route.application
    for document in RegisteredDocument.objects.filter(student=student.student):
        render_document_files(document_id=document.pk)
    route_services.changed_needs_report(application=application, actor=student, text="Көзім нашарлады MARKER-HEALTH")
    route_services.voice_acknowledge(route=case_route, actor=student, agrees=False, text="Көру MARKER-HEALTH")
    route_services.support_session_log(
        measure=case_route.measures.first(),
        actor=request.getfixturevalue("specialist"),
        held_on=timezone.localdate(),
        minutes=45,
        notes="Жаттығулар MARKER-HEALTH",
        attended=True,
    )
    application.refresh_from_db()
    route_services.case_close(application=application, actor=centre_head, reason="Оқуды бітірді")
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """apply_retention as a real run: the files are deleted after the commit, so run the commit's callbacks."""

    def run_retention(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return apply_retention(**kwargs)

    return run_retention


def _rows_with_markers() -> list[str]:
    """Every model row (history included) outside the chained audit tables that still holds a marker."""
    found = []
    for model in apps.get_models():
        if model._meta.label_lower in CHAINED or model._meta.app_label not in {
            "students",
            "routes",
            "documents",
            "accounts",
            "audit",
        }:
            continue
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.get_internal_type() in {"CharField", "TextField", "JSONField", "EmailField"}
        ]
        for values in model.objects.values_list(*text_fields):
            blob = json.dumps(values, ensure_ascii=False, default=str)
            found += [f"{model._meta.label}: {marker}" for marker in MARKERS if marker in blob]
    return found


def test_a_case_closed_long_ago_loses_its_personal_data_and_keeps_its_register(closed_long_ago, student, run):
    application = closed_long_ago
    student_pk = student.student.pk
    upload_names = list(SupportingDocument.objects.filter(application=application).values_list("file", flat=True))
    registered = list(RegisteredDocument.objects.filter(student_id=student_pk).order_by("pk"))
    stored = {f.pk: (f.file.name, f.sha256) for f in RegisteredFile.objects.filter(document__in=registered)}
    assert upload_names and len(registered) == 3 and stored
    assert all(default_storage.exists(name) for name, _sha in stored.values())
    assert _rows_with_markers(), "the markers must be there before retention, or this test proves nothing"

    report = run(now=years_later(6))

    assert report.applications == [application.pk] and report.students == [student_pk]
    application.refresh_from_db()
    assert application.anonymised_at is not None
    assert (application.description, application.contact_phone, application.conditions_other) == ("", "", "")
    assert not application.categories.exists()
    # Uploads: rows and files gone.
    assert not SupportingDocument.objects.filter(application=application).exists()
    assert not any(default_storage.exists(name) for name in upload_names)
    # Register: every entry kept with its number and each file's SHA-256; the PDFs themselves destroyed.
    for document in registered:
        kept = RegisteredDocument.objects.get(pk=document.pk)
        assert (kept.number, kept.registered_on, kept.version) == (
            document.number,
            document.registered_on,
            document.version,
        )
        assert kept.destroyed_at is not None
    for pk, (name, sha256) in stored.items():
        row = RegisteredFile.objects.get(pk=pk)
        assert row.sha256 == sha256 and not row.file
        assert not default_storage.exists(name)
    # The student: placeholder name and address, no date of birth, cannot sign in.
    anonymised = Student.objects.select_related("user").get(pk=student_pk)
    assert anonymised.user.full_name.startswith("Anonymised student") and NAME not in anonymised.user.full_name
    assert anonymised.user.email.endswith(".invalid") and not anonymised.user.is_active
    assert not anonymised.user.has_usable_password() and anonymised.date_of_birth is None
    assert not anonymised.representations.exists()
    # Nothing left anywhere, history included (simple-history kept copies of everything).
    assert _rows_with_markers() == []


def test_it_records_what_it_did_and_the_chain_still_verifies(closed_long_ago, student, run):
    run(now=years_later(6))
    entry = AuditChainEntry.objects.filter(kind=AuditChainEntry.Kind.EVENT).latest("seq")
    payload = json.loads(entry.content)
    assert payload["event"] == "retention_applied"
    assert payload["applications"] == [closed_long_ago.pk] and payload["students"] == [student.student.pk]
    assert payload["pdfs_deleted"] >= 3 and payload["uploads_deleted"] == 1
    report = verify_chain()
    assert report.problem is None, report.problem


def test_a_second_run_does_nothing(closed_long_ago, run):
    run(now=years_later(6))
    entries = AuditChainEntry.objects.count()
    history = Application.history.count()
    again = run(now=years_later(6))
    assert again.applications == [] and again.students == [] and again.registered_documents == []
    assert AuditChainEntry.objects.count() == entries and Application.history.count() == history


def test_a_dry_run_changes_nothing(closed_long_ago, django_capture_on_commit_callbacks):
    set_schedule(0)
    names = [f.file.name for f in RegisteredFile.objects.all()]
    entries = AuditChainEntry.objects.count()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, translation.override("en"):
        call_command("apply_retention", "--dry-run", stdout=out)
    assert callbacks == []
    assert "Dry run" in out.getvalue() and "1 case(s)" in out.getvalue()
    closed_long_ago.refresh_from_db()
    assert closed_long_ago.anonymised_at is None and "MARKER-HEALTH" in closed_long_ago.description
    assert all(default_storage.exists(name) for name in names)
    assert AuditChainEntry.objects.count() == entries
    assert SupportingDocument.objects.filter(application=closed_long_ago).exists()


def test_the_command_reports_and_a_recent_case_is_kept(closed_long_ago):
    # The default schedule (5 years for the case's documents): the case ended today, well inside the period.
    out = io.StringIO()
    with translation.override("en"):
        call_command("apply_retention", stdout=out)
    assert "Removed the personal data of 0 case(s)" in out.getvalue()
    closed_long_ago.refresh_from_db()
    assert closed_long_ago.anonymised_at is None
    set_schedule(0)
    call_command("apply_retention", stdout=out)
    closed_long_ago.refresh_from_db()
    assert closed_long_ago.anonymised_at is not None


def test_an_open_case_keeps_the_student_and_a_case_in_progress_is_never_touched(student, centre_head, run):
    """A rejected application long ago is anonymised; the student, who has an application in progress, is not."""
    old = application_services.application_reject(
        application=application_services.application_register(
            application=submitted_application(student), actor=centre_head
        ),
        actor=centre_head,
        reason="Құжаттар жоқ",
    )
    current = submitted_application(student)
    report = run(now=years_later(6))
    assert report.applications == [old.pk] and report.students == []
    student.refresh_from_db()
    assert student.full_name == NAME and student.is_active
    current.refresh_from_db()
    assert current.anonymised_at is None and "MARKER-HEALTH" in current.description


def test_a_destroyed_pdf_answers_410_and_the_printed_copy_still_verifies(client, closed_long_ago, centre_head, run):
    document = RegisteredDocument.objects.filter(student=closed_long_ago.student).first()
    run(now=years_later(6))
    client.force_login(centre_head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("documents:download", args=[document.public_id, document.languages[0]]))
    assert response.status_code == 410 and "The PDF no longer exists" in response.content.decode()
    client.logout()
    verify = client.get(reverse("documents:verify", args=[document.verification_token]))
    assert verify.status_code == 200 and document.number in verify.content.decode()


def test_the_access_log_keeps_who_read_the_file(client, closed_long_ago, centre_head, run):
    """Reads stay in the log (the chain protects them), now about an anonymised student."""
    client.force_login(centre_head)
    client.get(reverse("students:application_detail", args=[closed_long_ago.public_id]))
    reads = AccessLog.objects.filter(student=closed_long_ago.student).count()
    run(now=years_later(6))
    assert AccessLog.objects.filter(student=closed_long_ago.student).count() == reads > 0


def test_it_runs_every_night(closed_long_ago, settings, django_capture_on_commit_callbacks):
    from routes import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == tasks.apply_retention.name == "routes.tasks.apply_retention"
    set_schedule(0)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.apply_retention.apply().get() == 1
        assert tasks.apply_retention.apply().get() == 0


# --- The schedule and the hand-over to the archive (issue 25, §10.2 c) ---------------------------------------


def test_expired_documents_are_handed_to_the_archive_before_they_are_destroyed(closed_long_ago, student, run):
    from documents.archive import verify_archive
    from routes.models import HandOver

    registered = list(RegisteredDocument.objects.filter(student=student.student).order_by("pk"))
    run(now=years_later(6))
    handover = HandOver.objects.get()
    assert handover.application == closed_long_ago and handover.destroyed_at is not None
    assert sorted(d.pk for d in handover.documents.all()) == [d.pk for d in registered]
    assert handover.numbers == [f"{d.number} v{d.version}" for d in registered]
    # The package is in the archive's folder, whole, and checks offline like any archival package of a case.
    with handover.package.open("rb") as handle:
        content = handle.read()
    import hashlib

    assert hashlib.sha256(content).hexdigest() == handover.package_sha256 and len(content) == handover.package_size
    with handover.package.open("rb") as handle:
        report = verify_archive(handle)
    assert report.ok, report.problems
    assert sum(name.endswith(".pdf") for name in __import__("zipfile").ZipFile(io.BytesIO(content)).namelist()) >= 3
    # The chain records the hand-over before the retention that destroyed the PDFs.
    events = [json.loads(e.content) for e in AuditChainEntry.objects.filter(kind="event").order_by("seq")]
    kinds = [e["event"] for e in events]
    assert kinds.index("archive_handover") < kinds.index("retention_applied")
    handed = next(e for e in events if e["event"] == "archive_handover")
    assert handed["package_sha256"] == handover.package_sha256 and handed["application"] == closed_long_ago.pk
    assert verify_chain().problem is None


def test_each_document_type_has_its_own_period(closed_long_ago, student, run):
    from routes.models import HandOver

    rule = RetentionRule.objects.get(document_type="application")
    rule.years = 1
    rule.save()
    report = run(now=years_later(2))
    application_document = RegisteredDocument.objects.get(student=student.student, document_type="application")
    others = RegisteredDocument.objects.filter(student=student.student).exclude(pk=application_document.pk)
    assert report.registered_documents == [application_document.pk] and report.applications == []
    assert application_document.destroyed_at is not None and all(d.destroyed_at is None for d in others)
    closed_long_ago.refresh_from_db()
    assert closed_long_ago.anonymised_at is None  # the longest period (5 years) has not run out
    assert run(now=years_later(2)).handovers == []  # nothing new: a second run does nothing
    report = run(now=years_later(6))
    assert report.applications == [closed_long_ago.pk] and HandOver.objects.count() == 2
    assert not RegisteredDocument.objects.filter(student=student.student, destroyed_at__isnull=True).exists()


def test_a_package_that_cannot_be_written_destroys_nothing(closed_long_ago, student, run, monkeypatch):
    from routes import retention
    from routes.models import HandOver

    def broken(**kwargs):
        raise OSError("the archive's folder is not mounted")

    monkeypatch.setattr(retention, "build_case_archive", broken)
    entries = AuditChainEntry.objects.count()
    with pytest.raises(OSError):
        run(now=years_later(6))
    assert not HandOver.objects.exists() and AuditChainEntry.objects.count() == entries
    assert not RegisteredDocument.objects.filter(student=student.student, destroyed_at__isnull=False).exists()
    assert all(default_storage.exists(f.file.name) for f in RegisteredFile.objects.all())
    closed_long_ago.refresh_from_db()
    assert closed_long_ago.anonymised_at is None


def test_a_type_without_a_rule_is_kept(closed_long_ago, student, run):
    RetentionRule.objects.filter(document_type="route").delete()
    run(now=years_later(6))
    route_document = RegisteredDocument.objects.get(student=student.student, document_type="route")
    assert route_document.destroyed_at is None and route_document.files.exclude(file="").exists()


@pytest.mark.parametrize(
    "name, status",
    [
        ("centre_head", 200),
        ("administration", 200),
        ("specialist", 404),
        ("other_student", 404),  # the student of the case is anonymised by then: signed out for good
        ("representative", 404),
        ("lecturer", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_the_hand_overs_are_listed_for_the_centre_head_and_the_administration(
    client, request, closed_long_ago, run, name, status, django_assert_max_num_queries
):
    from routes.models import HandOver

    run(now=years_later(6))
    handover = HandOver.objects.get()
    client.force_login(request.getfixturevalue(name))
    with django_assert_max_num_queries(13):
        response = client.get(reverse("routes:handovers"))
    assert response.status_code == status
    if status == 200:
        assert handover.package_sha256 in response.content.decode()
