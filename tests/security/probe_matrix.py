"""Not a test: prints what each persona gets from each URL, to write the matrix from (run it explicitly)."""

import pytest
from django.urls import reverse

from .urls_under_test import KWARGS, url_names
from .world import PERSONAS

pytestmark = pytest.mark.django_db


def test_probe(client, world):
    from documents.models import RegisteredDocument
    from documents.services import render_document_files

    for d in RegisteredDocument.objects.all():
        render_document_files(document_id=d.pk)
    missing = [n for n in url_names() if n not in KWARGS]
    print("MISSING", missing)
    for name in url_names():
        if name not in KWARGS:
            continue
        url = reverse(name, kwargs=KWARGS[name](world))
        row = []
        for persona in PERSONAS:
            client.logout()
            if persona != "anonymous":
                client.force_login(getattr(world, persona))
            g = client.get(url).status_code
            row.append(f"{persona}={g}")
        print("GET", name, " ".join(row))


def test_probe_post(client, world):
    from django.db import transaction

    from .test_authorization_matrix import snapshot

    for name in url_names():
        url = reverse(name, kwargs=KWARGS[name](world))
        row = []
        for persona in PERSONAS:
            client.logout()
            if persona != "anonymous":
                client.force_login(getattr(world, persona))
            with transaction.atomic():
                before = snapshot()
                code = client.post(url, {}).status_code
                changed = snapshot() != before
                transaction.set_rollback(True)
            row.append(f"{persona}={code}{'*' if changed else ''}")
        print("POST", name, " ".join(row))
