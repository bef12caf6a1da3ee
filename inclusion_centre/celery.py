"""The Celery application. The broker is REDIS_URL; without it, settings make tasks run in-process."""

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_centre.settings.local")

app = Celery("inclusion_centre")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Renders of PDFs (slow, CPU-bound) and e-mails (slow, network-bound) each get a queue of their own, so neither
# holds up the other or the short tasks.
app.conf.task_queues = (Queue("default"), Queue("documents"), Queue("notifications"))
app.autodiscover_tasks()


@signals.worker_init.connect
def _workers_wait_for_the_broker(**kwargs) -> None:
    # The settings make a publish fail fast, for web requests (the outbox keeps their jobs). A worker has no one
    # waiting on it: its publishes (retries, the relay) retry and reconnect as Celery does by default, and its
    # reads wait longer than the BRPOP it blocks on by design (1 s), while still noticing a half-open connection.
    app.conf.task_publish_retry = True
    options = dict(app.conf.broker_transport_options or {})
    options.pop("max_retries", None)
    options["socket_timeout"] = max(options.get("socket_timeout") or 0, 10.0)
    app.conf.broker_transport_options = options


@app.task(name="inclusion_centre.ping")
def ping() -> str:
    """Answers "pong": lets operators and tests see that a worker consumes the queue."""
    return "pong"
