"""Item 5 of issue #13: nothing is lost when Redis is down.

Every background job is an outbox row written in the transaction of the change that caused it and published
after the commit; a job the broker did not take stays pending and the relay (beat, every minute) publishes it.
The last test makes a user's action with Redis dead, then brings the live Redis back and lets a real worker run
the jobs.
"""

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from documents.models import DocumentType, RegisteredDocument
from documents.tasks import render_registered_pdf
from inclusion_centre.accounts.models import Notification
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.accounts.tasks import send_notification_email
from inclusion_centre.celery import app, ping
from inclusion_centre.outbox import services as outbox
from inclusion_centre.outbox.models import OutboxMessage
from inclusion_centre.outbox.services import enqueue, relay_pending
from tests.factories import StudentFactory, UserFactory, submitted_application

from .broker import REFUSED_URL, live_redis_url, pointed_at

ROOT = Path(__file__).resolve().parent.parent.parent
State = OutboxMessage.State


@pytest.mark.django_db
def test_a_job_is_written_with_the_change_and_published_only_after_the_commit(
    django_capture_on_commit_callbacks, centre_head
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        job = enqueue(ping)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.task, job.args, job.kwargs, job.queue, job.state) == (
        "inclusion_centre.ping",
        [],
        {},
        "default",
        "pending",
    )

    callbacks[0]()
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (State.SENT, 1, "")
    assert job.dispatched_at is not None
    assert outbox.dispatch(job.pk) == outbox.SKIPPED  # sent once, never again


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_job(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(ping)
        raise RuntimeError("the caller's step failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_without_redis_the_job_runs_in_process_and_is_marked_sent(django_capture_on_commit_callbacks, centre_head):
    """`make run` has no REDIS_URL: tasks run eagerly, as before the outbox."""
    assert app.conf.task_always_eager
    recipient = UserFactory(email="reader@example.edu.kz")
    from inclusion_centre.history import acting_as

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), acting_as(centre_head):
        notification = notify(recipient=recipient, kind="test", subject="Subject", body="Body")
    assert [message.to for message in mail.outbox] == [["reader@example.edu.kz"]]
    job = OutboxMessage.objects.get()
    assert (job.task, job.args, job.state, job.actor) == (
        send_notification_email.name,
        [notification.pk, centre_head.pk],
        State.SENT,
        centre_head,
    )
    # The acting user reaches the task through the job: the e-mailed-at history row names them.
    notification.refresh_from_db()
    assert notification.history.first().history_user == centre_head


@pytest.mark.django_db
def test_a_job_the_broker_refuses_stays_pending_and_the_caller_is_not_told(django_capture_on_commit_callbacks):
    with pointed_at(REFUSED_URL), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        job = enqueue(ping)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.PENDING, 1)
    assert "Connection refused" in job.last_error
    assert job.history.first().history_type == "~"


@pytest.mark.django_db
def test_a_job_refused_too_often_is_marked_failed_and_left_to_an_operator(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    job = OutboxMessage.objects.create(task="inclusion_centre.ping", queue="default")
    with pointed_at(REFUSED_URL):
        assert outbox.dispatch(job.pk) == outbox.REFUSED
        assert outbox.dispatch(job.pk) == outbox.REFUSED  # paused: not even tried
        job.refresh_from_db()
        assert (job.state, job.attempts) == (State.PENDING, 1)
        outbox.resume_broker()
        assert outbox.dispatch(job.pk) == outbox.REFUSED
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.FAILED, 2)
    assert relay_pending(older_than_seconds=0) == 0


@pytest.mark.django_db
def test_the_relay_sends_old_pending_jobs_only(django_capture_on_commit_callbacks):
    old = OutboxMessage.objects.create(task="inclusion_centre.ping", queue="default")
    young = OutboxMessage.objects.create(task="inclusion_centre.ping", queue="default")
    sent = OutboxMessage.objects.create(task="inclusion_centre.ping", queue="default", state=State.SENT)
    OutboxMessage.objects.filter(pk__in=[old.pk, sent.pk]).update(created_at=old.created_at - timedelta(minutes=5))
    assert relay_pending(older_than_seconds=60) == 1
    states = dict(OutboxMessage.objects.values_list("pk", "state"))
    assert states == {old.pk: State.SENT, young.pk: State.PENDING, sent.pk: State.SENT}
    assert OutboxMessage.objects.get(pk=sent.pk).attempts == 0


def test_beat_runs_the_relay_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]
    assert entry == {"task": "inclusion_centre.outbox.tasks.relay_outbox", "schedule": 60}
    app.loader.import_default_modules()  # what a worker does at start
    assert entry["task"] in app.tasks


def test_a_job_locked_by_another_relay_is_skipped(migrated_data):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    job = OutboxMessage.objects.create(task="inclusion_centre.ping", queue="default")
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=job.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        started = time.monotonic()
        assert outbox.dispatch(job.pk) == outbox.SKIPPED
        assert time.monotonic() - started < 5  # skipped, not waited for
    finally:
        release.set()
        holder.join()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.PENDING, 0)


def _database_url() -> str:
    conf = connection.settings_dict
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    return f"postgres://{conf['USER']}{password}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def test_jobs_made_while_redis_is_down_are_delivered_and_run_once_it_is_back(migrated_data, client, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process shares the test database: PostgreSQL only")
    redis_url = live_redis_url()
    queues = redis.Redis.from_url(redis_url)
    queues.flushdb()

    student = StudentFactory(user__email="student@example.edu.kz", user__notify_by_email=True).user
    application = submitted_application(student)
    head = UserFactory(roles=["centre_head"])
    client.force_login(head)
    before = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # Redis is down: the user's action succeeds, and its jobs wait.
    with pointed_at(REFUSED_URL):
        response = client.post(reverse("students:application_register", args=[application.public_id]))
    assert response.status_code == 302
    jobs = OutboxMessage.objects.filter(pk__gt=before)
    assert sorted(jobs.values_list("task", "state")) == [
        (render_registered_pdf.name, State.PENDING),
        (send_notification_email.name, State.PENDING),
    ]
    document = RegisteredDocument.objects.get(object_id=application.pk, document_type=DocumentType.APPLICATION)
    notification = Notification.objects.get(recipient=student, kind="application_registered")
    assert (document.rendered_at, notification.emailed_at) == (None, None)

    # Redis is back: the relay publishes both, each on its queue.
    with pointed_at(redis_url):
        assert relay_pending(older_than_seconds=0) == 2
    assert {job.state for job in jobs} == {State.SENT}
    waiting = {
        queue: [json.loads(raw)["headers"]["task"] for raw in queues.lrange(queue, 0, -1)]
        for queue in ("documents", "notifications")
    }
    assert waiting == {"documents": [render_registered_pdf.name], "notifications": [send_notification_email.name]}

    # A worker, started as `make worker` starts it, runs them against the same database and files.
    env = {k: v for k, v in os.environ.items() if k not in {"CI"}}
    env.update(
        REDIS_URL=redis_url,
        DATABASE_URL=_database_url(),
        DJANGO_SETTINGS_MODULE="inclusion_centre.settings.local",
        PRIVATE_FILES_ROOT=str(settings.PRIVATE_FILES_ROOT),
        EMAIL_URL="consolemail://",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "inclusion_centre", "worker", "--queues",
         "default,documents,notifications", "--pool", "solo", "--loglevel", "INFO",
         "--hostname", f"outbox-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            document.refresh_from_db()
            notification.refresh_from_db()
            if document.rendered_at and notification.emailed_at:
                break
            assert worker.poll() is None, "the worker stopped"
            time.sleep(1)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=60)
    assert document.rendered_at is not None, output[-3000:]
    assert notification.emailed_at is not None, output[-3000:]
    assert sorted(document.files.values_list("language", flat=True)) == ["kk", "ru"]
    assert "student@example.edu.kz" in output  # the console e-mail backend printed the one e-mail
    assert queues.llen("documents") == queues.llen("notifications") == 0
