from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inclusion_centre.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or a copy of the SQLite file) and the private files, with a manifest of "
        "their SHA-256, into a new directory under BACKUP_DIR. Prints the directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, help="Where to write the backup (default: BACKUP_DIR).")

    def handle(self, *args, output_dir=None, **options):
        try:
            target = make_backup(into=output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(_("Backup written: %(path)s") % {"path": target})
        self.stdout.write(str(target))
