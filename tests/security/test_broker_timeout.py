"""Item 6 of issue #13: a dead or silent Redis never holds a web request longer than 2 s.

The request registers an application (a PDF render and an e-mail are queued). With the broker unreachable it
still succeeds, quickly, and its jobs wait in the outbox (item 5 shows them delivered once Redis is back).
"""

import time
from contextlib import ExitStack

import pytest
from django.urls import reverse

from documents.tasks import render_registered_pdf
from inclusion_centre.accounts.tasks import send_notification_email
from inclusion_centre.outbox.models import OutboxMessage
from students.models import Application
from tests.factories import StudentFactory, UserFactory, submitted_application

from .broker import REFUSED_URL, pointed_at, silent_redis

# What the issue promises; the settings aim well below it (REDIS_CONNECT_TIMEOUT, REDIS_SOCKET_TIMEOUT).
LIMIT_SECONDS = 2.0


@pytest.mark.parametrize(
    ("broker", "error"),
    [("refused", "Connection refused"), ("silent", "Timeout")],
    ids=["redis-refuses-connections", "redis-accepts-and-never-answers"],
)
def test_a_request_that_queues_jobs_answers_within_two_seconds_and_keeps_the_jobs(broker, error, migrated_data, client):
    student = StudentFactory().user
    application = submitted_application(student)
    head = UserFactory(roles=["centre_head"])
    before = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.force_login(head)
    url = reverse("students:application_register", args=[application.public_id])

    with ExitStack() as stack:
        broker_url = REFUSED_URL if broker == "refused" else stack.enter_context(silent_redis())
        stack.enter_context(pointed_at(broker_url))
        started = time.monotonic()
        response = client.post(url)
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < LIMIT_SECONDS, f"the request took {elapsed:.2f} s"
    application.refresh_from_db()
    assert application.status == Application.Status.REGISTERED
    jobs = list(OutboxMessage.objects.filter(pk__gt=before).order_by("pk"))
    assert {job.task for job in jobs} == {render_registered_pdf.name, send_notification_email.name}
    assert {job.state for job in jobs} == {OutboxMessage.State.PENDING}
    assert all(job.actor == head for job in jobs)
    # The first job met the broker's failure; the others were not even tried (the broker is paused a while).
    assert (jobs[0].attempts, error in jobs[0].last_error) == (1, True)
    assert [job.attempts for job in jobs[1:]] == [0] * (len(jobs) - 1)


def test_web_processes_publish_once_and_workers_keep_celerys_patience():
    from inclusion_centre.celery import _workers_wait_for_the_broker, app

    options = app.conf.broker_transport_options
    assert (app.conf.task_publish_retry, options["max_retries"]) == (False, 0)
    assert options["socket_connect_timeout"] + options["socket_timeout"] < LIMIT_SECONDS
    saved = (app.conf.task_publish_retry, dict(options))
    try:
        _workers_wait_for_the_broker()  # what worker_init runs in `make worker`
        worker = app.conf.broker_transport_options
        assert app.conf.task_publish_retry is True
        assert "max_retries" not in worker
        assert worker["socket_timeout"] > 1  # above the BRPOP a worker blocks on
    finally:
        app.conf.task_publish_retry, app.conf.broker_transport_options = saved
