import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from audit.chain import verify_chain
from audit.services import read_anchor

EXIT_TAMPERED = 1


def _anchor(value: str) -> tuple[int, str]:
    match = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip().lower())
    if match is None:
        raise ValueError(value)
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = (
        "Check the tamper-evident audit chain: every status change, access-log entry and document registration is "
        "recomputed from its current row, and every link from the entry before it. Writes nothing. Exit status 0 "
        "when all is intact; 1 naming the first entry that was edited, deleted or reordered."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            type=_anchor,
            metavar="SEQ:HASH",
            help="A head printed by an earlier run and kept elsewhere: the chain must still hold exactly that entry.",
        )
        parser.add_argument(
            "--anchor-file",
            metavar="PATH",
            help="Without --anchor, the chain is checked against the newest head in this file, when it exists "
            "(default: the AUDIT_ANCHOR_FILE setting, where the daily routine appends it).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help="Language of the report (default: %(default)s).",
        )

    def handle(self, *args, anchor, language, anchor_file=None, **options):
        with translation.override(language):
            if anchor is None:
                path = anchor_file or settings.AUDIT_ANCHOR_FILE
                try:
                    anchor = read_anchor(path)
                except ValueError as empty:
                    raise CommandError(
                        _("The anchor file %(path)s holds no head: it was emptied or overwritten.") % {"path": path},
                        returncode=EXIT_TAMPERED,
                    ) from empty
            report = verify_chain(anchor=anchor)
            if not report.ok:
                raise CommandError(
                    _("The audit chain is broken. %(problem)s (%(checked)s entries before it are intact.)")
                    % {"problem": report.problem.message, "checked": report.checked},
                    returncode=EXIT_TAMPERED,
                )
            self.stdout.write(
                _("The audit chain is intact: %(count)s entries checked. Head: %(seq)s:%(hash)s")
                % {"count": report.checked, "seq": report.head_seq, "hash": report.head_hash}
            )
            if anchor is not None:
                self.stdout.write(_("It holds the kept head %(seq)s:%(hash)s.") % {"seq": anchor[0], "hash": anchor[1]})
