"""Backups: the database and the private files, together, with a manifest of their SHA-256.

`manage.py backup` (make backup) writes a directory `BACKUP_DIR/backup-<UTC time>/`:

    database.dump          pg_dump --format=custom (PostgreSQL), or database.sqlite3 (SQLite, the `make run` default)
    private-files.tar.gz   everything under PRIVATE_FILES_ROOT (uploads, registered PDFs)
    manifest.json          what each file is and its SHA-256

`manage.py restore <dir>` (make restore BACKUP=<dir>) checks the hashes, then restores into the database of
DATABASE_URL and into PRIVATE_FILES_ROOT. It refuses a database that has tables, or a files directory that has
files, unless told --force. The backup holds all the personal and health data of the system: keep it as
carefully as the database (the directories are made readable by their owner only).
"""

import datetime
import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
FILES_ARCHIVE = "private-files.tar.gz"
FORMAT = 1


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, for the operator."""


@dataclass(frozen=True)
class Database:
    engine: str  # "postgresql" or "sqlite"
    settings_dict: dict

    @classmethod
    def current(cls) -> "Database":
        return cls(engine=connection.vendor, settings_dict=connection.settings_dict)

    @property
    def dump_name(self) -> str:
        return "database.dump" if self.engine == "postgresql" else "database.sqlite3"

    def libpq_env(self) -> dict:
        conf = self.settings_dict
        values = {
            "PGHOST": conf.get("HOST") or "",
            "PGPORT": str(conf.get("PORT") or ""),
            "PGUSER": conf.get("USER") or "",
            "PGPASSWORD": conf.get("PASSWORD") or "",
            "PGDATABASE": conf["NAME"],
        }
        return {**os.environ, **{key: value for key, value in values.items() if value}}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_engine(database: Database) -> None:
    if database.engine not in {"postgresql", "sqlite"}:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": database.engine})


def _run(command: list[str], *, database: Database, stdin=None, stdout=None) -> None:
    try:
        done = subprocess.run(  # noqa: S603 — the command is the operator's setting, never user input
            command, env=database.libpq_env(), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, check=False
        )
    except FileNotFoundError as missing:
        raise BackupError(_("%(program)s is not installed.") % {"program": command[0]}) from missing
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": done.stderr.decode(errors="replace").strip()}
        )


def _dump_database(database: Database, dump: Path) -> None:
    if database.engine == "postgresql":
        # To stdout, so that BACKUP_PG_DUMP may be a pg_dump in another container ("docker compose exec …").
        with dump.open("wb") as stream:
            command = [*shlex.split(settings.BACKUP_PG_DUMP), "--format=custom", "--no-owner", "--no-acl"]
            _run(command, database=database, stdout=stream)
    else:
        _sqlite_copy(database.settings_dict["NAME"], dump)


def _archive_private_files(archive: Path) -> int:
    """PRIVATE_FILES_ROOT's files into a gzipped tar; returns how many."""
    files_root = Path(settings.PRIVATE_FILES_ROOT)
    count = 0
    with tarfile.open(archive, "w:gz") as tar:
        if files_root.is_dir():
            for path in sorted(files_root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(files_root)), recursive=False)
                    count += 1
    return count


def make_backup(*, into: Path | None = None) -> Path:
    """Write a backup of the database and the private files; returns its directory. Raises BackupError."""
    database = Database.current()
    _check_engine(database)
    root = Path(into or settings.BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = root / f"backup-{stamp}"
    # Written under a temporary name and renamed when complete: a half-written backup is never taken for one.
    partial = root / f".backup-{stamp}.partial"
    partial.mkdir(mode=0o700)
    try:
        dump = partial / database.dump_name
        _dump_database(database, dump)
        archive = partial / FILES_ARCHIVE
        count = _archive_private_files(archive)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "database": {"engine": database.engine, "file": dump.name, "sha256": sha256_of(dump)},
            "private_files": {"file": FILES_ARCHIVE, "count": count, "sha256": sha256_of(archive)},
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        for path in partial.iterdir():
            path.chmod(0o600)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def read_manifest(backup: Path) -> dict:
    """The manifest of a backup directory, after checking both files against their SHA-256. Raises BackupError."""
    try:
        manifest = json.loads((backup / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(_("%(path)s is not a backup: %(error)s") % {"path": backup, "error": error}) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(_("Unknown backup format in %(path)s.") % {"path": backup})
    for part in (manifest["database"], manifest["private_files"]):
        path = backup / Path(part["file"]).name
        if not path.is_file() or sha256_of(path) != part["sha256"]:
            raise BackupError(_("%(path)s is missing or damaged: its SHA-256 differs.") % {"path": path})
    return manifest


def _database_has_tables() -> bool:
    return bool(connection.introspection.table_names())


def _directory_has_files(path: Path) -> bool:
    return path.is_dir() and any(item.is_file() for item in path.rglob("*"))


def restore_backup(*, backup: Path, force: bool = False) -> dict:
    """Restore a backup into the current database and PRIVATE_FILES_ROOT; returns its manifest.

    Refuses (BackupError) a damaged backup, one of another database engine, and, unless `force`, a database with
    tables or a files directory with files. With `force`, the database's objects are replaced and the files
    directory found is kept beside the restored one as `<dir>.before-restore-<time>`.
    """
    backup = Path(backup)
    manifest = read_manifest(backup)
    database = Database.current()
    _check_engine(database)
    if manifest["database"]["engine"] != database.engine:
        raise BackupError(
            _("The backup is of a %(backup)s database; DATABASE_URL names a %(current)s one.")
            % {"backup": manifest["database"]["engine"], "current": database.engine}
        )
    files_root = Path(settings.PRIVATE_FILES_ROOT)
    if not force:
        if _database_has_tables():
            raise BackupError(_("The database is not empty. Restore into a new database, or add --force."))
        if _directory_has_files(files_root):
            raise BackupError(
                _("%(path)s already holds files. Restore into an empty directory, or add --force.")
                % {"path": files_root}
            )

    _restore_database(database, backup / Path(manifest["database"]["file"]).name, force=force)
    _restore_private_files(backup / FILES_ARCHIVE, files_root)
    return manifest


def _sqlite_copy(source_path, target_path) -> None:
    """SQLite's online backup: a consistent copy of one database file into another, while the app runs."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_database(database: Database, dump: Path, *, force: bool) -> None:
    if database.engine == "postgresql":
        command = [*shlex.split(settings.BACKUP_PG_RESTORE), "--no-owner", "--no-acl", "--exit-on-error"]
        if force:
            command += ["--clean", "--if-exists"]
        command += ["--dbname", database.settings_dict["NAME"]]
        connection.close()
        with dump.open("rb") as stream:
            _run(command, database=database, stdin=stream)
    else:
        connection.close()
        _sqlite_copy(dump, database.settings_dict["NAME"])


def _restore_private_files(archive: Path, files_root: Path) -> None:
    """Unpacked beside the target and swapped in when complete; a directory found there is kept beside it."""
    files_root.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    unpacked = files_root.parent / f".{files_root.name}.restoring-{stamp}"
    unpacked.mkdir(mode=0o700)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(unpacked, filter="data")  # no absolute paths, no "..", no links out
        if files_root.exists():
            files_root.rename(files_root.parent / f"{files_root.name}.before-restore-{stamp}")
        unpacked.rename(files_root)
    except BaseException:
        shutil.rmtree(unpacked, ignore_errors=True)
        raise
