"""The Celery application. The broker is REDIS_URL; without it, settings make tasks run in-process."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_centre.settings.local")

app = Celery("inclusion_centre")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Renders of PDFs (slow, CPU-bound) and e-mails (slow, network-bound) each get a queue of their own, so neither
# holds up the other or the short tasks.
app.conf.task_queues = (Queue("default"), Queue("documents"), Queue("notifications"))
app.autodiscover_tasks()


@app.task(name="inclusion_centre.ping")
def ping() -> str:
    """Answers "pong": lets operators and tests see that a worker consumes the queue."""
    return "pong"
