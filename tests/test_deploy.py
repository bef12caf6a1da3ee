"""The deployment: the compose file's shape, and the container's own commands (`make migrate`, `make serve`)
run here with production settings, as the image runs them."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _make_targets() -> set[str]:
    targets = set()
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line and not line.startswith(("\t", "#", " ", ".")) and ":" in line and "=" not in line.split(":")[0]:
            targets.add(line.split(":")[0].strip())
    return targets


def test_compose_runs_every_service_with_health_checks(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["env_file"] == ".env"
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
        assert "private-files:/app/var/private" in service["volumes"]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "inclusion_centre.settings.production"
    assert "postgres-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert {"postgres-data", "private-files"} <= set(compose["volumes"])


def test_compose_commands_are_make_targets_ci_knows(compose):
    targets = _make_targets()
    commands = {
        "web": "make migrate && make serve",
        "worker": "make worker",
        "beat": "make beat",
    }
    for name, expected in commands.items():
        command = compose["services"][name]["command"]
        text = command[-1] if command[0] == "sh" else " ".join(command)
        assert text == expected
        for part in text.split("&&"):
            assert part.split()[1] in targets


def test_env_example_names_every_variable_compose_needs():
    example = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "EMAIL_URL", "INSTITUTION_NAME_KK"):
        assert f"\n{name}=" in f"\n{example}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 -- always http://127.0.0.1 here

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=5)
        return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_container_commands_serve_the_app_with_production_settings(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CI"}}
    env.update(
        PATH=f"{Path(sys.executable).parent}:{env['PATH']}",
        SYSTEM_PYTHON="1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        DJANGO_SETTINGS_MODULE="inclusion_centre.settings.production",
        SECRET_KEY="a-deployment-secret-with-more-than-fifty-characters-0123456789-xyz",
        ALLOWED_HOSTS="127.0.0.1,centre.example.edu.kz",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run(["make", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        ["make", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                status, _headers, body = _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        # Health checks come from inside the container over plain HTTP: no redirect to HTTPS.
        assert status == 200
        assert '"database": "ok"' in body

        status, headers, _ = _get(f"{base}/")
        assert status == 301
        assert headers["Location"].startswith("https://")

        status, headers, body = _get(f"{base}/", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        # Static files carry hashed names and are served by the app itself (no CDN, no separate server).
        css = body.split('href="/static/css/app.')[1].split('"')[0]
        status, headers, _ = _get(f"{base}/static/css/app.{css}", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "max-age" in headers["Cache-Control"]
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=15)


def test_backups_work_inside_the_image(compose):
    """`make backup` runs pg_dump in the app image: the image carries bookworm's PostgreSQL 15 client, so the
    compose server must be 15 too (pg_dump refuses a newer server), and backups land on a volume of their own."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "bookworm" in dockerfile and "postgresql-client" in dockerfile
    assert compose["services"]["db"]["image"] == "postgres:15"
    assert "backups" in compose["volumes"]
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        assert "backups:/app/var/backups" in service["volumes"]
        assert service["environment"]["BACKUP_DIR"] == "/app/var/backups"
