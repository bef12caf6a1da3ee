"""`manage.py remind_mse_expiry [--as-of YYYY-MM-DD]`: remind the student and the centre of MSE conclusions that
lapse within 30 days, and mark lapsed the ones past their date (the daily beat task does the same at 06:50).
Safe to run again."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from routes.services import remind_mse_expiry


class Command(BaseCommand):
    help = "Remind of MSE conclusions that lapse within 30 days of the date (today by default); mark lapsed ones."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="the date to act as of (YYYY-MM-DD); today by default")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(f"--as-of: not a date: {options['as_of']!r}") from error
        reminded, lapsed = remind_mse_expiry(as_of=as_of, actor=None)
        self.stdout.write(f"reminded: {reminded}, lapsed: {lapsed}")
