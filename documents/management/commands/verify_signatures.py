"""`manage.py verify_signatures`: check every stored qualified signature again (CMS, chain, key usage, validity
at the signing time, revocation, IIN) against the stored PDF; exits 1 when any fails."""

from django.core.management.base import BaseCommand, CommandError

from documents.signatures.services import signatures_recheck


class Command(BaseCommand):
    help = "Re-check every stored qualified electronic signature (ЭЦП) against its registered PDF."

    def handle(self, *args, **options):
        passed, failed = signatures_recheck()
        for signature, reason in failed:
            self.stderr.write(
                f"FAIL {signature.document.number} v{signature.document.version} {signature.language} "
                f"{signature.role} {signature.signer.full_name}: {reason}"
            )
        self.stdout.write(f"{passed} signature(s) verified, {len(failed)} failed.")
        if failed:
            raise CommandError(f"{len(failed)} signature(s) failed verification.")
