"""`manage.py seed_bench`: the scale benchmark's data set (inclusion_centre/seeding/bench.py) into an empty,
migrated database whose name ends in "bench"."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from documents.services import render_document_files
from inclusion_centre import figure_cache
from inclusion_centre.accounts.models import User

from ...bench import Seeder


class Command(BaseCommand):
    help = "Seed the scale benchmark's data set (20,000 students ...) into an empty *bench database."

    def add_arguments(self, parser):
        parser.add_argument("--sessions", help="Write the benchmark's signed-in sessions and URLs to this JSON file.")

    def handle(self, *args, sessions=None, **options):
        name = connection.settings_dict["NAME"]
        if not str(name).endswith("bench"):
            raise CommandError(f"seed_bench runs only on a database whose name ends in 'bench' (not {name!r}).")
        if User.objects.exists():
            raise CommandError("The database is not empty: drop and re-create it first (bench/run.py does).")
        started = time.monotonic()
        seeder = Seeder(log=self.stderr.write)
        seeder.seed()
        figure_cache.data_changed()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # After the commit, as the documents worker does: the one PDF the benchmark downloads.
        render_document_files(document_id=seeder.pdf_document.pk)
        seeder.log("PDF rendered")
        elapsed = time.monotonic() - started
        summary = {"seconds": round(elapsed, 1), "history_rows": seeder.count_history(), "counts": seeder.counts()}
        self.stdout.write(json.dumps(summary))
        if sessions:
            with open(sessions, "w", encoding="utf-8") as out:
                json.dump({"seed": summary, **seeder.bench_targets()}, out, indent=2)
