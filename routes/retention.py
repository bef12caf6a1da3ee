"""Retention: the personal data of cases that ended long ago is removed (Law No. 94-V: kept no longer than needed).

A case ends when its application is closed, rejected or withdrawn; `settings.RETENTION_YEARS` after that move,
`apply_retention` (run nightly by Celery beat, or `manage.py apply_retention`)

- clears the free text of the case (the application's answers, the assessments, the conclusion, the routes, the
  reports of changed needs, the student's comments on the route, the team's notes and records about it) and the
  categories and conditions asked for;
- deletes the uploaded supporting documents, rows and files;
- destroys the stored PDFs of the case's registered documents, keeping each register entry with its number, date
  and the SHA-256 of every file (a printed copy can still be checked), marked as destroyed;
- once every case of a student has been anonymised: replaces the student's name and e-mail by placeholders,
  clears the date of birth and the external identifier, deactivates the account, removes the legal
  representations and the student's notifications;
- purges the history (django-simple-history) of every row it changed or deleted, which would otherwise keep copies
  of what was removed; one history row, the anonymised state, remains;
- appends one entry to the audit chain saying what it did.

Left as they are, because the audit chain protects them and editing them would break `verify_audit`: the
status changes (their comments) and the access log (who read the file, from which address). A protocol about
several students keeps its PDF. Safe to run every night: an anonymised case is never picked again, and a run that
finds nothing writes nothing.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from audit.models import AuditChainEntry, StatusChange
from audit.services import chain_append
from documents.models import RegisteredDocument, RegisteredFile
from inclusion_centre.accounts.models import Notification, User
from inclusion_centre.history import acting_as
from students.models import Application, Consent, Representation, Student, SupportingDocument

from .models import (
    AgendaItem,
    Agreement,
    Assessment,
    ChangedNeedsReport,
    Conclusion,
    ConclusionItem,
    MeetingMember,
    ProtocolItem,
    Recommendation,
    Route,
    RouteReview,
    RouteSection,
    StudentVoice,
    SupportMeasure,
    SupportSession,
)

logger = logging.getLogger(__name__)

FINAL = sorted(Application.final_statuses())
PLACEHOLDER_NAME = "Anonymised student {pk}"  # stored, not shown through gettext: the data is gone in every language
PLACEHOLDER_EMAIL = "anonymised-{pk}@anonymised.invalid"


@dataclass
class RetentionReport:
    cutoff: datetime.datetime
    applications: list[int] = field(default_factory=list)
    students: list[int] = field(default_factory=list)
    registered_documents: list[int] = field(default_factory=list)
    uploads_deleted: int = 0
    pdfs_deleted: int = 0
    history_rows_purged: int = 0
    dry_run: bool = False


def retention_cutoff(now: datetime.datetime | None = None, years: int | None = None) -> datetime.datetime:
    """The moment before which a case must have ended for its personal data to be removed."""
    now = now or timezone.now()
    years = settings.RETENTION_YEARS if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def due_applications(cutoff: datetime.datetime):
    """Applications that ended (closed, rejected, withdrawn) before `cutoff` and are not anonymised yet."""
    ended = (
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=OuterRef("pk"),
            to_status__in=FINAL,
        )
        .values("object_id")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    return (
        Application.objects.filter(status__in=FINAL, anonymised_at__isnull=True)
        .annotate(ended_at=Subquery(ended))
        .filter(ended_at__lt=cutoff)
        .order_by("pk")
    )


class _Scrubber:
    """Saves rows with their personal fields cleared and remembers them, so their older history can be purged."""

    def __init__(self, started: datetime.datetime):
        self.started = started
        self.changed: dict[type[models.Model], set[int]] = {}
        self.deleted: dict[type[models.Model], set[int]] = {}

    def clear(self, queryset: models.QuerySet, **values) -> None:
        for obj in queryset:
            for name, value in values.items():
                setattr(obj, name, value)
            obj._change_reason = "retention"
            obj.save()
            self.changed.setdefault(type(obj), set()).add(obj.pk)

    def delete(self, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.deleted.setdefault(type(obj), set()).add(obj.pk)
            obj.delete()

    def purge_history(self) -> int:
        """Remove the history rows that hold copies of what was removed: every row of a deleted object, every row
        older than this run of a changed one (its anonymised state, written now, stays)."""
        purged = 0
        for model, pks in self.changed.items():
            purged += model.history.filter(id__in=pks, history_date__lt=self.started).delete()[0]
        for model, pks in self.deleted.items():
            purged += model.history.filter(id__in=pks).delete()[0]
        return purged


def _delete_file_after_commit(storage, name: str) -> None:
    def delete():
        try:
            storage.delete(name)
        except OSError:  # already gone: the run is safe to repeat
            logger.warning("Could not delete %s under retention.", name)

    transaction.on_commit(delete)


def _anonymise_case(application: Application, scrub: _Scrubber, report: RetentionReport) -> None:
    scrub.clear(
        Application.objects.filter(pk=application.pk),
        description="",
        referral_note="",
        conditions_other="",
        disability_group="",
        contact_phone="",
        contact_notes="",
        rejection_reason="",
        anonymised_at=timezone.now(),
    )
    locked = Application.objects.get(pk=application.pk)
    locked.categories.clear()
    locked.conditions.clear()
    scrub.clear(Consent.objects.filter(application=application), withdrawal_reason="")
    for upload in SupportingDocument.objects.filter(application=application):
        if upload.file:
            _delete_file_after_commit(upload.file.storage, upload.file.name)
        report.uploads_deleted += 1
    scrub.delete(SupportingDocument.objects.filter(application=application))
    _scrub_centre_work(application, scrub)
    report.applications.append(application.pk)


def _scrub_centre_work(application: Application, scrub: _Scrubber) -> None:
    """The free text of the centre's work on the case: assessments, conclusions, routes, reports, the team's notes."""
    scrub.clear(Assessment.objects.filter(assignment__application=application), findings="", strengths="", barriers="")
    scrub.clear(Recommendation.objects.filter(assessment__assignment__application=application), text="")
    scrub.clear(Conclusion.objects.filter(application=application), analysis="", revision_reason="")
    scrub.clear(ConclusionItem.objects.filter(conclusion__application=application), text="")
    scrub.clear(
        Route.objects.filter(application=application),
        goals="",
        timetable="",
        methods="",
        revision_reason="",
        closed_reason="",
    )
    scrub.clear(
        RouteSection.objects.filter(route__application=application),
        content_adaptation="",
        methods="",
        assessment_forms="",
        removal_reason="",
    )
    scrub.clear(SupportMeasure.objects.filter(route__application=application), who="", what="", frequency="")
    scrub.clear(SupportSession.objects.filter(measure__route__application=application), notes="")
    scrub.clear(Agreement.objects.filter(route__application=application), comment="")
    scrub.clear(RouteReview.objects.filter(route__application=application), comment="")
    scrub.clear(ChangedNeedsReport.objects.filter(application=application), text="")
    scrub.clear(StudentVoice.objects.filter(route__application=application), text="")
    scrub.clear(AgendaItem.objects.filter(application=application), note="")
    scrub.clear(
        ProtocolItem.objects.filter(item__application=application),
        heard="",
        decision="",
        dissent="",
        measures_snapshot=[],
    )


def _destroy_documents(student: Student, scrub: _Scrubber, report: RetentionReport, cases: list[int]) -> None:
    """The stored PDFs of the registered documents of these cases (and of their conclusions and routes)."""
    sources = [
        (Application, cases),
        (Conclusion, list(Conclusion.objects.filter(application_id__in=cases).values_list("pk", flat=True))),
        (Route, list(Route.objects.filter(application_id__in=cases).values_list("pk", flat=True))),
    ]
    documents = RegisteredDocument.objects.none()
    for model, pks in sources:
        documents |= RegisteredDocument.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=pks
        )
    for document in documents.filter(destroyed_at__isnull=True).order_by("pk"):
        for stored in RegisteredFile.objects.filter(document=document):
            if stored.file:
                _delete_file_after_commit(stored.file.storage, stored.file.name)
                report.pdfs_deleted += 1
        # The rows stay with their SHA-256: the verification page still confirms a printed copy.
        scrub.clear(RegisteredFile.objects.filter(document=document), file="")
        scrub.clear(RegisteredDocument.objects.filter(pk=document.pk), destroyed_at=timezone.now())
        report.registered_documents.append(document.pk)


def _anonymise_student(student: Student, scrub: _Scrubber, report: RetentionReport) -> None:
    user = student.user
    scrub.clear(
        User.objects.filter(pk=user.pk),
        full_name=PLACEHOLDER_NAME.format(pk=student.pk),
        email=PLACEHOLDER_EMAIL.format(pk=user.pk),
        is_active=False,
        password=make_password(None),  # unusable: nobody signs in as an anonymised student
    )
    scrub.clear(Student.objects.filter(pk=student.pk), date_of_birth=None, external_id=f"anonymised-{student.pk}")
    scrub.clear(MeetingMember.objects.filter(user=user), answer_comment="")
    scrub.delete(Representation.objects.filter(student=student))
    scrub.delete(Notification.objects.filter(recipient=user))
    report.students.append(student.pk)


def apply_retention(*, dry_run: bool = False, now: datetime.datetime | None = None) -> RetentionReport:
    """Remove the personal data of every case that ended more than RETENTION_YEARS ago; return what was done.

    With `dry_run` everything is worked out and counted inside a transaction that is then rolled back: nothing
    changes, no file is deleted, nothing is chained. Files are deleted only after the transaction commits.
    """
    started = timezone.now()
    report = RetentionReport(cutoff=retention_cutoff(now), dry_run=dry_run)
    with transaction.atomic(), acting_as(None):
        due = list(due_applications(report.cutoff).select_for_update(of=("self",)))
        if not due:
            return report
        scrub = _Scrubber(started)
        by_student: dict[int, list[int]] = {}
        for application in due:
            _anonymise_case(application, scrub, report)
            by_student.setdefault(application.student_id, []).append(application.pk)
        for student in Student.objects.filter(pk__in=by_student).select_related("user").order_by("pk"):
            _destroy_documents(student, scrub, report, by_student[student.pk])
            if not Application.objects.filter(student=student, anonymised_at__isnull=True).exists():
                _anonymise_student(student, scrub, report)
        report.history_rows_purged = scrub.purge_history()
        chain_append(
            kind=AuditChainEntry.Kind.EVENT,
            obj_or_payload={
                "event": "retention_applied",
                "retention_years": settings.RETENTION_YEARS,
                "cutoff": report.cutoff,
                "applications": report.applications,
                "students": report.students,
                "registered_documents": report.registered_documents,
                "uploads_deleted": report.uploads_deleted,
                "pdfs_deleted": report.pdfs_deleted,
                "history_rows_purged": report.history_rows_purged,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
