"""Retention (issue #8, item 6): `manage.py apply_retention` removes the personal data of cases that ended longer
than RETENTION_YEARS ago, keeps the register entries and their hashes, purges the history, records what it did,
and is safe to run every night."""

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
from documents.models import RegisteredDocument, RegisteredFile
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


def test_a_dry_run_changes_nothing(closed_long_ago, django_capture_on_commit_callbacks, settings):
    settings.RETENTION_YEARS = 0
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


def test_the_command_reports_and_a_recent_case_is_kept(closed_long_ago, settings):
    settings.RETENTION_YEARS = 5  # the case ended today: well inside the period
    out = io.StringIO()
    with translation.override("en"):
        call_command("apply_retention", stdout=out)
    assert "Removed the personal data of 0 case(s)" in out.getvalue()
    closed_long_ago.refresh_from_db()
    assert closed_long_ago.anonymised_at is None
    settings.RETENTION_YEARS = 0
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
    settings.RETENTION_YEARS = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.apply_retention.apply().get() == 1
        assert tasks.apply_retention.apply().get() == 0
