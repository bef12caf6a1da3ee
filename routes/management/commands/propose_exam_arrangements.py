"""`manage.py propose_exam_arrangements --from YYYY-MM-DD --to YYYY-MM-DD`: propose the arrangements of every exam
session starting in the period (a whole exam session of the university) for the centre to confirm. Safe to run
again: students who already have an arrangement for an exam are left as they are. Prints how many are new, the
time taken and the process's peak memory."""

import datetime
import resource
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from routes.models import ExamSession
from routes.services import arrangements_propose


def _day(value: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--{name}: not a date: {value!r}") from error


class Command(BaseCommand):
    help = "Propose the exam arrangements of every session starting between --from and --to (inclusive)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", required=True, help="last day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        start, end = _day(options["start"], "from"), _day(options["end"], "to")
        if end < start:
            raise CommandError("--to comes before --from")
        began = time.perf_counter()
        since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        until = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
        sessions = ExamSession.objects.filter(starts_at__gte=since, starts_at__lt=until)
        created = arrangements_propose(actor=None, sessions=sessions)
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        self.stdout.write(
            f"sessions: {sessions.count()}, arrangements proposed: {created}, {seconds:.2f} s, peak {peak} MB"
        )
