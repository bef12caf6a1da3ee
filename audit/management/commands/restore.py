from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from inclusion_centre.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database of DATABASE_URL and into PRIVATE_FILES_ROOT. "
        "Checks the SHA-256 first. Refuses a database with tables or a files directory with files unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup directory.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database holds; keep the files directory found beside the restored one.",
        )

    def handle(self, *args, backup, force=False, **options):
        try:
            manifest = restore_backup(backup=backup, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        count = manifest["private_files"]["count"]
        self.stdout.write(
            ngettext(
                "Restored %(path)s (made %(created)s): the database and %(count)s private file.",
                "Restored %(path)s (made %(created)s): the database and %(count)s private files.",
                count,
            )
            % {"path": backup, "created": manifest["created_at"], "count": count}
        )
