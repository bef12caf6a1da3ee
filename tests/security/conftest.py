"""Fixtures of the security tests.

The authorization matrix and the minimisation sweep share one world, built once per module inside a transaction that
is rolled back at the end; each test runs in a savepoint of it (pytest-django's `db`), so what one test changes the
next does not see. The other tests use the routes' fixtures (a concluded case, routes in each state, team meetings).
"""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.routes.conftest import (  # noqa: F401  (fixtures)
    booked,
    concluded,
    confirmed,
    courses,
    exam_route,
    exam_session,
    held,
    in_approval,
    in_force,
    planned,
    proposed,
    rooms,
    route,
    second_lecturer,
    secretary,
    signed,
)

from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    private = tmp_path_factory.mktemp("private")
    with override_settings(PRIVATE_FILES_ROOT=private, MEDIA_ROOT=private), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            built.private_root = private
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _private_files(request, settings, tmp_path):
    """Replaces the root conftest's fixture: a test of the world reads the world's files; any other test gets its own
    folder, as everywhere else."""
    world = request.getfixturevalue("world") if "world" in request.fixturenames else None
    root = world.private_root if world is not None else tmp_path / "private"
    settings.PRIVATE_FILES_ROOT = settings.MEDIA_ROOT = root
