"""Pointing the Celery app at a broker for one test: a dead one, a silent one, or the live Redis."""

import os
import socket
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from kombu import pools

from inclusion_centre.celery import app
from inclusion_centre.outbox import services as outbox

# Nothing listens on port 1: the connection is refused at once.
REFUSED_URL = "redis://127.0.0.1:1/0"
# Redis database of this branch's tests, so that other runs' leftovers are not read here (and ours not there); under
# pytest-xdist each worker (gw0, gw1, ...) takes the next one, so two workers never read each other's messages.
REDIS_DB = 13 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def _forget_connections() -> None:
    # kombu keeps its pools in a registry of its own, keyed by connection: close and drop them all.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    outbox.resume_broker()


@contextmanager
def pointed_at(url: str):
    """Publish to the broker at `url` (not in-process) until the block ends, with the project's transport
    options (timeouts, no retries) as a web process has them."""
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    _forget_connections()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        _forget_connections()
        app.conf.update(saved)


@contextmanager
def silent_redis():
    """A server that accepts TCP connections and never answers: a Redis that hangs. Yields its URL."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


def live_redis_url() -> str:
    if not settings.TEST_REDIS_URL:
        pytest.skip("no Redis reachable on this machine (CI always has one)")
    parts = urlsplit(settings.TEST_REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))
