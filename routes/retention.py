"""Retention: the personal data of cases that ended long ago is removed (Law No. 94-V: kept no longer than needed).

A case ends when its application is closed, rejected or withdrawn. How long each document type is kept after that
move is the retention schedule (documents.RetentionRule: years and the article of the national list of standard
documents that sets them, edited in the admin). `apply_retention` (run nightly by Celery beat, or
`manage.py apply_retention`)

- hands over to the archive, first, every registered document of an ended case whose type's period has run out:
  they are packed into the signed archival package of the case (documents.archive), written to the archive's
  folder (settings.ARCHIVE_HANDOVER_ROOT), recorded as a HandOver and in the audit chain; only then are their
  stored PDFs destroyed, keeping each register entry with its number, date and the SHA-256 of every file (a
  printed copy can still be checked), marked as destroyed. A document type without a rule is kept;

and once the longest period of the schedule has run out since the case ended:

- clears the free text of the case (the application's answers, the assessments, the conclusion, the routes, the
  reports of changed needs, the student's comments on the route, the team's notes and records about it) and the
  categories and conditions asked for;
- deletes the uploaded supporting documents, rows and files;
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
import hashlib
import logging
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from audit.models import AuditChainEntry, StatusChange
from audit.services import chain_append
from documents.archive import build_case_archive
from documents.models import DocumentType, RegisteredDocument, RegisteredFile, RetentionRule
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
    HandOver,
    MeetingMember,
    PartnerLetter,
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
    handovers: list[int] = field(default_factory=list)
    schedule: dict[str, int] = field(default_factory=dict)
    uploads_deleted: int = 0
    pdfs_deleted: int = 0
    history_rows_purged: int = 0
    dry_run: bool = False


def retention_schedule() -> dict[str, int]:
    """Years kept after the case ends, by document type of a case (documents.RetentionRule)."""
    return dict(
        RetentionRule.objects.exclude(document_type=DocumentType.PROTOCOL).values_list("document_type", "years")
    )


def longest_period(schedule: dict[str, int]) -> int | None:
    """The case's own personal data is kept as long as the longest period of a case document in the schedule (None:
    no schedule). The protocol of a meeting about several students belongs to no case and is never destroyed."""
    return max((years for kind, years in schedule.items() if kind != DocumentType.PROTOCOL), default=None)


def retention_cutoff(now: datetime.datetime | None = None, years: int = 0) -> datetime.datetime:
    """The moment before which a case must have ended for a period of `years` to have run out."""
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def ended_applications(cutoff: datetime.datetime):
    """Applications that ended (closed, rejected, withdrawn) before `cutoff`, with the moment they ended."""
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
        Application.objects.filter(status__in=FINAL)
        .annotate(ended_at=Subquery(ended))
        .filter(ended_at__lt=cutoff)
        .order_by("pk")
    )


def due_applications(cutoff: datetime.datetime):
    """Applications that ended (closed, rejected, withdrawn) before `cutoff` and are not anonymised yet."""
    return ended_applications(cutoff).filter(anonymised_at__isnull=True)


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


def case_documents(application_ids: list[int]) -> dict[int, list[RegisteredDocument]]:
    """The registered documents still holding their PDFs of these cases (the application's, its conclusions',
    routes', letters' and protocol extracts'), by case, with their files."""
    sources = {
        Application: {pk: pk for pk in application_ids},
        Conclusion: dict(
            Conclusion.objects.filter(application_id__in=application_ids).values_list("pk", "application")
        ),
        Route: dict(Route.objects.filter(application_id__in=application_ids).values_list("pk", "application")),
        PartnerLetter: dict(
            PartnerLetter.objects.filter(application_id__in=application_ids).values_list("pk", "application")
        ),
        ProtocolItem: dict(
            ProtocolItem.objects.filter(item__application_id__in=application_ids).values_list("pk", "item__application")
        ),
    }
    types = ContentType.objects.get_for_models(*sources)
    wanted = models.Q(pk__in=[])
    for model, case_of in sources.items():
        wanted |= models.Q(content_type=types[model], object_id__in=list(case_of))
    by_case: dict[int, list[RegisteredDocument]] = {}
    found = RegisteredDocument.objects.filter(wanted, destroyed_at__isnull=True).prefetch_related("files")
    model_of = {types[model].pk: model for model in sources}
    for document in found.order_by("pk"):
        case = sources[model_of[document.content_type_id]].get(document.object_id)
        by_case.setdefault(case, []).append(document)
    return by_case


def _destroy(documents: list[RegisteredDocument], scrub: _Scrubber, report: RetentionReport) -> None:
    """The stored PDFs of these documents; the rows stay with their SHA-256: the verification page still confirms
    a printed copy."""
    for document in documents:
        for stored in document.files.all():
            if stored.file:
                _delete_file_after_commit(stored.file.storage, stored.file.name)
                report.pdfs_deleted += 1
        scrub.clear(RegisteredFile.objects.filter(document=document), file="")
        scrub.clear(RegisteredDocument.objects.filter(pk=document.pk), destroyed_at=timezone.now())
        report.registered_documents.append(document.pk)


def hand_over(*, application: Application, documents: list[RegisteredDocument], dry_run: bool = False) -> HandOver:
    """Pack `documents` (with their files prefetched) into the signed archival package of the case, write it to the
    archive's folder and record the hand-over, in the audit chain too. Inside the retention's transaction, before
    anything is destroyed: if writing the package fails, nothing is destroyed. A dry run writes no file."""
    numbers = [f"{document.number} v{document.version}" for document in documents]
    package = build_case_archive(title=f"Hand-over to the archive: case {application.public_id}", documents=documents)
    with package:
        content = package.read()
    record = HandOver(
        application=application,
        handed_over_at=timezone.now(),
        numbers=numbers,
        package_sha256=hashlib.sha256(content).hexdigest(),
        package_size=len(content),
    )
    if not dry_run:
        record.package.save(f"{record.public_id}.zip", ContentFile(content), save=False)
    record.save()
    record.documents.set(documents)
    chain_append(
        kind=AuditChainEntry.Kind.EVENT,
        obj_or_payload={
            "event": "archive_handover",
            "handover": record.public_id,
            "application": application.pk,
            "documents": numbers,
            "package": record.package.name,
            "package_sha256": record.package_sha256,
            "package_size": record.package_size,
        },
    )
    return record


def _expire_documents(now: datetime.datetime, schedule: dict[str, int], scrub, report, dry_run: bool) -> None:
    """Hand over, then destroy, the documents of ended cases whose type's period has run out."""
    if not schedule:
        return
    ended = {
        application.pk: application for application in ended_applications(retention_cutoff(now, min(schedule.values())))
    }
    for case_id, documents in case_documents(list(ended)).items():
        ended_at = ended[case_id].ended_at
        expired = [
            document
            for document in documents
            if document.document_type in schedule and ended_at < retention_cutoff(now, schedule[document.document_type])
        ]
        if not expired:
            continue
        _hand_over_and_destroy(ended[case_id], expired, scrub, report, dry_run)


def _hand_over_and_destroy(application, documents, scrub, report, dry_run: bool) -> HandOver:
    record = hand_over(application=application, documents=documents, dry_run=dry_run)
    _destroy(documents, scrub, report)
    scrub.clear(HandOver.objects.filter(pk=record.pk), destroyed_at=timezone.now())
    report.handovers.append(record.pk)
    return record


def hand_over_now(*, application: Application, documents: list[RegisteredDocument]) -> HandOver:
    """Hand these documents of an ended case to the archive and destroy their PDFs now, whatever the schedule says
    (the demo data; an archivist's request). Files are deleted after the commit."""
    if not application.is_final:
        raise ValueError("Only the documents of a case that ended are handed to the archive.")
    started = timezone.now()
    with transaction.atomic(), acting_as(None):
        documents = list(
            RegisteredDocument.objects.filter(pk__in=[d.pk for d in documents], destroyed_at__isnull=True)
            .prefetch_related("files")
            .order_by("pk")
        )
        return _hand_over_and_destroy(
            application, documents, _Scrubber(started), RetentionReport(cutoff=started), False
        )


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
    """Hand over and destroy the documents whose period has run out, then remove the personal data of every case
    that ended before the longest period of the schedule; return what was done.

    With `dry_run` everything is worked out and counted inside a transaction that is then rolled back: nothing
    changes, no file is written or deleted, nothing is chained. Files are deleted only after the transaction commits.
    """
    started = timezone.now()
    now = now or started
    schedule = retention_schedule()
    longest = longest_period(schedule)
    report = RetentionReport(cutoff=retention_cutoff(now, longest or 0), dry_run=dry_run, schedule=schedule)
    if longest is None:
        return report
    with transaction.atomic(), acting_as(None):
        scrub = _Scrubber(started)
        _expire_documents(now, schedule, scrub, report, dry_run)
        due = list(due_applications(report.cutoff).select_for_update(of=("self",)))
        if not due and not report.handovers:
            return report
        by_student: dict[int, list[int]] = {}
        for application in due:
            _anonymise_case(application, scrub, report)
            by_student.setdefault(application.student_id, []).append(application.pk)
        for student in Student.objects.filter(pk__in=by_student).select_related("user").order_by("pk"):
            if not Application.objects.filter(student=student, anonymised_at__isnull=True).exists():
                _anonymise_student(student, scrub, report)
        report.history_rows_purged = scrub.purge_history()
        chain_append(
            kind=AuditChainEntry.Kind.EVENT,
            obj_or_payload={
                "event": "retention_applied",
                "schedule": schedule,
                "cutoff": report.cutoff,
                "applications": report.applications,
                "students": report.students,
                "registered_documents": report.registered_documents,
                "handovers": report.handovers,
                "uploads_deleted": report.uploads_deleted,
                "pdfs_deleted": report.pdfs_deleted,
                "history_rows_purged": report.history_rows_purged,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
