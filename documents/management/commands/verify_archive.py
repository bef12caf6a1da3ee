from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from documents.archive import verify_archive

EXIT_REFUSED = 1


def _certificates(path: str) -> list:
    from cryptography import x509

    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


class Command(BaseCommand):
    help = (
        "Check a case's archival package on its own, offline: every file against the manifest's SHA-256, the "
        "manifest's signature (the institution seal's CMS, or this installation's HMAC), each audit-chain entry's "
        "hashes and links, and that every PDF and register row is one the chain registered. Reads nothing but the "
        "ZIP (and SECRET_KEY for an HMAC). Exit status 0 when all is intact, 1 on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The package (a ZIP) to check.")
        parser.add_argument(
            "--trust-root",
            action="append",
            metavar="PEM_OR_DER",
            help="A root certificate the seal's certificate must be issued by (may be repeated).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help="Language of the report (default: %(default)s).",
        )

    def handle(self, *args, archive, language, trust_root=None, **options):
        with translation.override(language):
            roots = [c for path in trust_root for c in _certificates(path)] if trust_root else None
            report = verify_archive(archive, trust_roots=roots)
            for line in report.passed:
                self.stdout.write(f"OK   {line}")
            for line in report.problems:
                self.stdout.write(f"FAIL {line}")
            if not report.ok:
                raise CommandError(
                    _("The package is refused: %(count)s problem(s).") % {"count": len(report.problems)},
                    returncode=EXIT_REFUSED,
                )
            self.stdout.write(self.style.SUCCESS(_("The package is intact.")))
