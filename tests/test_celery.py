"""The Celery app: queues, routing, eager mode without Redis, and a real worker (`make worker`) on Redis."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings as django_settings

from inclusion_centre.celery import app, ping

ROOT = Path(__file__).resolve().parent.parent


def test_three_queues_are_declared():
    assert {q.name for q in app.conf.task_queues} == {"default", "documents", "notifications"}


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("documents.tasks.render_registered_pdf", "documents"),
        ("students.tasks.send_application_received", "notifications"),
        ("routes.tasks.notify_lecturers", "notifications"),
        ("inclusion_centre.ping", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(task_name, queue):
    route = app.amqp.router.route({}, task_name, args=(), kwargs={})
    assert route["queue"].name == queue


def test_without_redis_tasks_run_in_process():
    assert app.conf.task_always_eager is True
    assert ping.delay().get() == "pong"


@pytest.fixture
def redis_url():
    if not django_settings.TEST_REDIS_URL:
        pytest.skip("no Redis reachable on this machine (CI always has one)")
    # A database of its own, so that leftovers of other runs are not consumed here (one per pytest-xdist worker).
    parts = urlsplit(django_settings.TEST_REDIS_URL)
    database = 9 - int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def test_a_real_worker_consumes_from_redis(redis_url, tmp_path):
    """Start the worker exactly as `make worker` does, with REDIS_URL set, and send it a task over Redis."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CI"}}
    env.update(
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="inclusion_centre.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "inclusion_centre",
            "worker",
            "--queues",
            "default,documents,notifications",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = Celery("client", broker=redis_url, backend=redis_url)
    try:
        result = client.send_task("inclusion_centre.ping", queue="default")
        assert result.get(timeout=60) == "pong"
        assert result.status == "SUCCESS"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        client.close()
    assert "inclusion_centre.ping" in output
    assert "redis://" in output
