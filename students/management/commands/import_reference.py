from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from inclusion_centre.accounts.models import User
from students.importing import KINDS, Report, import_reference

# Exit statuses: 0 every row is good; 1 the file was refused as a whole (nothing imported); 2 some rows were
# refused (the good ones are imported). Scripts can tell the three apart.
EXIT_FILE_REFUSED = 1
EXIT_ROWS_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import reference data exported by the student information system (CSV or XLSX). Kinds, in the order to "
        "import them: " + ", ".join(KINDS) + ". The columns of each kind are in docs/importing.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="What the file holds.")
        parser.add_argument("file", type=Path, help="A .csv (UTF-8; comma or semicolon) or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file is a complete export: also list records of this kind it lacks (nothing is deleted).",
        )
        parser.add_argument(
            "--no-invitations",
            action="store_true",
            help="Do not send new accounts an invitation to set their first password (send them later).",
        )
        parser.add_argument(
            "--actor",
            metavar="EMAIL",
            help="The user recorded in history as the author of the changes (default: none).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the report (default: %(default)s).",
        )

    def handle(self, *args, kind, file, dry_run, full, actor, language, no_invitations, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        actor_user = None
        if actor:
            actor_user = User.objects.filter(email__iexact=actor).first()
            if actor_user is None:
                raise CommandError(f"No user has the e-mail address {actor}.")
        with translation.override(language):
            with file.open("rb") as stream:
                report = import_reference(
                    kind=kind, file=stream, actor=actor_user, dry_run=dry_run, full=full, invite=not no_invitations
                )
            self.print_report(report, file, verbosity=options["verbosity"])
            if not report.readable:
                raise CommandError(_("Correct the file and import it again."), returncode=EXIT_FILE_REFUSED)
            if report.rejected:
                raise CommandError(
                    _("Some rows were refused; the other rows were imported.")
                    if not dry_run
                    else _("Some rows would be refused."),
                    returncode=EXIT_ROWS_REFUSED,
                )

    def print_report(self, report: Report, file: Path, *, verbosity: int) -> None:
        out = self.stdout
        if not report.readable:
            title = _("The file was not imported.")
        elif report.dry_run:
            title = _("Dry run: nothing was saved.")
        else:
            title = _("Import finished.")
        out.write(f"{KINDS[report.kind].label}: {file.name}. {title}")
        for problem in report.file_problems:
            out.write(self.style.ERROR(self.describe(problem)))
        for note in report.notes:
            out.write(self.style.WARNING(note.message))
        if report.readable:
            counts = [
                (_("Rows in the file"), report.rows),
                (_("Would be created") if report.dry_run else _("Created"), report.created),
                (_("Would be updated") if report.dry_run else _("Updated"), report.updated),
                (_("Unchanged"), report.unchanged),
                (_("Refused"), report.rejected),
            ]
            if report.invited:
                counts.append((_("Invitations sent to new accounts"), report.invited))
            for label, count in counts:
                out.write(f"  {label}: {count}")
            out.write(f"  {_('Time, seconds')}: {report.seconds:.1f}")
        for problem in report.problems:
            out.write(self.style.ERROR(self.describe(problem)))
        if verbosity >= 2:
            for change in report.changes:
                out.write(f"{_('Line')} {change.line}: {change.key}: {', '.join(change.columns) or _('role added')}")
        if report.full and report.readable:
            heading = _("In this system but not in the file (nothing was deleted): %(count)s")
            out.write(heading % {"count": len(report.missing)})
            for key in report.missing:
                out.write(f"  {key}")

    @staticmethod
    def describe(problem) -> str:
        where = []
        if problem.line:
            where.append(f"{_('Line')} {problem.line}")
        if problem.column:
            where.append(f"{_('column')} {problem.column}")
        return f"{', '.join(where)}: {problem.message}" if where else problem.message
