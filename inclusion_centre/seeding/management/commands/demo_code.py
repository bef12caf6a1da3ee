import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from inclusion_centre.seeding import people as demo


class Command(BaseCommand):
    help = "Print the current two-step sign-in code of the demo staff accounts (seed_demo's published key)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code is for the demo data; it runs only with DEBUG on.")
        totp = TOTP(bytes.fromhex(demo.DEMO_OTP_KEY))
        totp.time = time.time()
        left = 30 - int(totp.time) % 30
        self.stdout.write(f"{totp.token():06d}  (valid for {left} s more; each code signs in once per account)")
