"""Where an uploaded file waits between its preview and its import: PRIVATE_FILES_ROOT/imports, under a random token.

The token lives in the uploader's session and names the files; a path never comes from the client. Files older
than a day are removed whenever a new file is uploaded, so abandoned previews do not pile up."""

import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from .report import Report

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_SECONDS = 24 * 60 * 60


def _folder() -> Path:
    return Path(settings.PRIVATE_FILES_ROOT) / "imports"


def _path(token: str, suffix: str) -> Path:
    if not TOKEN.fullmatch(token or ""):
        raise ValueError("not an import token")
    return _folder() / f"{token}.{suffix}"


def save_upload(upload) -> str:
    """Store an UploadedFile; return its token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    token = secrets.token_hex(16)
    with _path(token, "upload").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def upload_path(token: str) -> Path | None:
    path = _path(token, "upload")
    return path if path.is_file() else None


def claim(token: str) -> Path | None:
    """Take the waiting file for importing: only one request can (a double click imports once), None if gone."""
    running = _path(token, "running")
    try:
        _path(token, "upload").rename(running)
    except FileNotFoundError:
        return None
    return running


def save_report(token: str, stage: str, report: Report) -> None:
    _path(token, f"{stage}.json").write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")


def load_report(token: str, stage: str) -> Report | None:
    try:
        return Report.from_dict(json.loads(_path(token, f"{stage}.json").read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def discard(token: str) -> None:
    for suffix in ("upload", "running", "preview.json", "report.json"):
        _path(token, suffix).unlink(missing_ok=True)


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue
