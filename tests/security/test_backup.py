"""Item 7 of issue #13: `make backup` / `make restore`. A backup restored into a fresh PostgreSQL database holds the
same rows, and the private files come back with the same SHA-256; a non-empty database and a damaged backup are
refused."""

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from students.models import SupportingDocument

ROOT = Path(__file__).resolve().parent.parent.parent


def _url(name: str) -> str:
    conf = connection.settings_dict
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    return f"postgres://{conf['USER']}{password}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


def _manage(*arguments, database: str, files: Path) -> subprocess.CompletedProcess:
    """manage.py as `make backup` / `make restore` run it, against `database` and the files under `files`."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(
        DATABASE_URL=_url(database),
        PRIVATE_FILES_ROOT=str(files),
        DJANGO_SETTINGS_MODULE="inclusion_centre.settings.local",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _counts(conninfo: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


@pytest.fixture
def fresh_database():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL")
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_database_has_the_same_records_and_files(
    migrated_data, submitted, fresh_database, tmp_path
):
    files = Path(settings.PRIVATE_FILES_ROOT)
    upload = SupportingDocument.objects.get(application=submitted)
    assert (files / upload.file.name).is_file()
    source = connection.settings_dict["NAME"]
    tables = sorted(connection.introspection.table_names())

    made = _manage("backup", "--output-dir", str(tmp_path / "backups"), database=source, files=files)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert sorted(path.name for path in backup.iterdir()) == ["database.dump", "manifest.json", "private-files.tar.gz"]
    assert oct(backup.stat().st_mode & 0o777) == oct(0o700)  # health data: the owner only

    restored_files = tmp_path / "restored-private"
    done = _manage("restore", str(backup), database=fresh_database, files=restored_files)
    assert done.returncode == 0, done.stderr

    # Every table holds as many rows as the original, and the rows are the same ones.
    counts = _counts(_url(source), tables)
    assert counts["students_application"] >= 1
    assert _counts(_url(fresh_database), tables) == counts
    with psycopg.connect(_url(fresh_database)) as restored:
        row = restored.execute(
            "SELECT status, public_id FROM students_application WHERE id = %s", [submitted.pk]
        ).fetchone()
        document = restored.execute(
            "SELECT file, sha256 FROM students_supportingdocument WHERE id = %s", [upload.pk]
        ).fetchone()
    assert row == (submitted.status, submitted.public_id)
    assert document == (upload.file.name, upload.sha256)

    # The private files: the same names with the same SHA-256, and the upload matches the hash its row recorded.
    assert _hashes(restored_files) == _hashes(files)
    assert _hashes(restored_files)[upload.file.name] == upload.sha256

    # A second restore onto what is now a full database is refused, and changes nothing.
    again = _manage("restore", str(backup), database=fresh_database, files=tmp_path / "elsewhere")
    assert again.returncode != 0
    assert "--force" in again.stderr  # "The database is not empty ... or add --force", in the default language
    assert not (tmp_path / "elsewhere").exists()

    # A damaged backup is refused before anything is touched, even with --force.
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    with (damaged / "private-files.tar.gz").open("ab") as archive:
        archive.write(b"\0")
    broken = _manage("restore", str(damaged), "--force", database=fresh_database, files=restored_files)
    assert broken.returncode != 0
    assert "private-files.tar.gz" in broken.stderr and "SHA-256" in broken.stderr  # in the default language
    assert _hashes(restored_files) == _hashes(files)


def test_make_has_the_backup_and_restore_targets():
    dry = subprocess.run(
        ["make", "-n", "backup", "restore", "BACKUP=var/backups/x", "FORCE=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    assert "manage.py backup" in dry.stdout
    assert 'manage.py restore "var/backups/x" --force' in dry.stdout
