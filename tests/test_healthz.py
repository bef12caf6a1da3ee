from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthy_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_database_down_answers_503_naming_it(client):
    with mock.patch("inclusion_centre.views.connections") as connections:
        connections.__getitem__.return_value.cursor.side_effect = OperationalError("connection refused to db.internal")
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "unavailable", "checks": {"database": "error"}, "failed": ["database"]}
    # Nothing about why: not the driver's exception, not its message (issue #20, item 7).
    assert b"OperationalError" not in response.content
    assert b"db.internal" not in response.content


def test_redis_checked_when_configured(client, settings):
    if not settings.TEST_REDIS_URL:
        pytest.skip("no Redis reachable on this machine (CI always has one)")
    settings.REDIS_URL = settings.TEST_REDIS_URL
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_redis_down_answers_503_naming_it(client, settings):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "error"
    assert b"ConnectionError" not in response.content


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
