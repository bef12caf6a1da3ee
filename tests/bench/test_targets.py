"""The benchmark measures the real pages: the sessions `seed_bench` writes for the load tool open every page it
drives with 200, with two-step sign-in enforced as in production (a session that fell back to the sign-in or the
second-step page would be measured as a fast redirect)."""

import pytest
from django.db import transaction

from documents.services import render_document_files
from inclusion_centre.seeding.bench import Seeder

from .test_list_queries import _scale


@pytest.mark.django_db
def test_the_benchmark_sessions_open_every_page(client, settings):
    settings.OTP_ENFORCE = True
    settings.BENCH_FLOOR = True
    with transaction.atomic():
        seeder = Seeder(_scale(10))
        seeder.seed()
        render_document_files(document_id=seeder.pdf_document.pk)  # as the command does after seeding
        targets = seeder.bench_targets()
        answers = {}
        for name, page in targets["pages"].items():
            client.cookies[targets["session_cookie"]] = page["session"]
            response = client.get(page["url"])
            answers[name] = response.status_code
        transaction.set_rollback(True)
    assert answers == dict.fromkeys(targets["pages"], 200)
