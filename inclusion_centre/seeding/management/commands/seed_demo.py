from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from inclusion_centre.seeding import people as demo
from inclusion_centre.seeding.cases import seed
from inclusion_centre.seeding.partners import seed_handover
from inclusion_centre.seeding.signatures import seed_signatures


class Command(BaseCommand):
    help = "Load demo data: one user per role and an academic structure. Safe to run again: it changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run although DEBUG is off. Demo users have a published password: never on a real server.",
        )

    def handle(self, *args, allow_without_debug=False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError("seed_demo creates users with a published password; it runs only with DEBUG on.")
        with transaction.atomic():
            users = seed()
        # After the commit: the demo signatures sign stored PDFs, which the after-commit render makes (it is
        # repeated here, synchronously, for the few documents signed).
        with transaction.atomic():
            seed_signatures()
        seed_handover()  # the closed case's stored PDFs, after the render, packed for the archive and destroyed
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/ as:"))
        width = max(len(user.email) for user in users.values())
        with translation.override("en"):
            for role, user in users.items():
                self.stdout.write(f"  {role.label:<40} {user.email:<{width}}  password: {demo.DEMO_PASSWORD}")
        self.stdout.write(
            "Staff accounts then ask for a code from an authenticator app (two-step sign-in). Add this key to the\n"
            f"app once (it is the same for every demo account): {demo.demo_otp_secret()}\n"
            "or, without a phone, print the current code with: python manage.py demo_code"
        )
