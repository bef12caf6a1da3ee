"""The security tests share one world, built once per module inside a transaction that is rolled back at the end;
each test runs in a savepoint of it (pytest-django's `db`), so what one test changes the next does not see."""

import pytest
from django.db import transaction
from django.test import override_settings

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
def _private_files(request, settings):
    """Replaces the root conftest's fixture: a test of this package reads the files of the module's world."""
    if "world" in request.fixturenames:
        root = request.getfixturevalue("world").private_root
        settings.PRIVATE_FILES_ROOT = settings.MEDIA_ROOT = root
