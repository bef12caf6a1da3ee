from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from routes.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Apply the retention schedule (documents.RetentionRule): hand the documents whose period ran out to the "
        "archive as a signed package, then destroy their stored PDFs (register entries and hashes kept); remove the "
        "personal data of cases that ended before the longest period: free texts cleared, uploads deleted, students "
        "anonymised once all their cases are, history purged; one audit chain entry records it. Safe to run "
        "every night: a second run finds nothing to do."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed, change nothing, delete no file."
        )

    def handle(self, *args, dry_run, **options):
        report = apply_retention(dry_run=dry_run)
        counts = {
            "cases": len(report.applications),
            "cutoff": f"{report.cutoff:%Y-%m-%d}",
            "years": max(report.schedule.values(), default=0),
            "students": len(report.students),
            "documents": len(report.registered_documents),
            "pdfs": report.pdfs_deleted,
            "uploads": report.uploads_deleted,
            "history": report.history_rows_purged,
        }
        if dry_run:
            message = _(
                "Dry run, nothing changed. Would remove the personal data of %(cases)s case(s) ended before "
                "%(cutoff)s (retention %(years)s years): %(students)s student(s) anonymised, %(documents)s "
                "registered document(s) with %(pdfs)s stored PDF(s) destroyed, %(uploads)s upload(s) deleted, "
                "%(history)s history row(s) purged."
            )
        else:
            message = _(
                "Removed the personal data of %(cases)s case(s) ended before %(cutoff)s (retention %(years)s "
                "years): %(students)s student(s) anonymised, %(documents)s registered document(s) with %(pdfs)s "
                "stored PDF(s) destroyed, %(uploads)s upload(s) deleted, %(history)s history row(s) purged."
            )
        self.stdout.write(message % counts)
        self.stdout.write(_("Hand-overs to the archive: %(count)s.") % {"count": len(report.handovers)})
