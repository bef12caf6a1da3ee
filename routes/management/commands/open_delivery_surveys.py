"""`manage.py open_delivery_surveys [--as-of YYYY-MM-DD]`: open the end-of-term delivery surveys now (the daily
beat task does the same at 06:45). Safe to run again."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from routes.services import open_delivery_surveys


class Command(BaseCommand):
    help = "Open the delivery surveys of terms that ended before the date (today by default); expire late ones."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="the date to act as of (YYYY-MM-DD); today by default")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(f"--as-of: not a date: {options['as_of']!r}") from error
        opened = open_delivery_surveys(as_of=as_of, actor=None)
        self.stdout.write(f"surveys opened: {len(opened)}")
