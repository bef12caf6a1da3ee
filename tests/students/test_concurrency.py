"""Two people pressing the same button at once: exactly one wins, the other is refused, nothing is doubled."""

import os
import threading

import pytest
from django.db import connection

from audit.models import StatusChange
from audit.workflow import IllegalMove
from students import services
from students.models import Application
from tests.factories import StudentFactory, UserFactory, submitted_application


def test_two_centre_heads_register_the_same_application_at_once(migrated_data):
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql"
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises the whole database)")
    student = StudentFactory().user
    heads = [UserFactory(roles=["centre_head"]), UserFactory(roles=["centre_head"])]
    application = submitted_application(student)

    barrier = threading.Barrier(2)
    outcomes = []

    def register(head):
        try:
            barrier.wait()
            services.application_register(application=application, actor=head)
            outcomes.append("registered")
        except IllegalMove:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(head,)) for head in heads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "registered"]
    application.refresh_from_db()
    assert application.registration_number.endswith("/0001")
    assert StatusChange.objects.filter(object_id=application.pk, to_status=Application.Status.REGISTERED).count() == 1
