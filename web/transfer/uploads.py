"""Uploaded files waiting for the coordinator's confirmation, kept in the instance folder
under a random name (the preview page carries only that name), for at most a day by the
app's clock (the time each was kept is in its .json)."""
from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

KEEP = timedelta(days=1)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class Pending:
    token: str
    user_id: int
    filename: str
    kind: str | None
    district_id: int | None
    data: bytes


def _folder() -> Path:
    """The owner-only (0700) folder of pending files; each file in it is 0600."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)  # made by an older version, or under a loose umask
    return folder


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def keep(user_id: int, filename: str, kind: str | None, district_id: int | None, data: bytes, *,
         now: datetime) -> str:
    folder = _folder()
    _sweep(folder, now)
    token = secrets.token_urlsafe(24)
    _write_private(folder / f"{token}.bin", data)
    _write_private(folder / f"{token}.json", json.dumps(
        {"user_id": user_id, "filename": filename, "kind": kind, "district_id": district_id,
         "kept_at": now.isoformat()}).encode("utf-8"))
    return token


def load(token: str, user_id: int) -> Pending | None:
    """The pending file, only for the user who uploaded it."""
    if not TOKEN.match(token):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id:
        return None
    return Pending(token, user_id, meta["filename"], meta.get("kind"), meta.get("district_id"), data)


def drop(token: str) -> None:
    if TOKEN.match(token):
        for suffix in (".bin", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def _sweep(folder: Path, now: datetime) -> None:
    """Remove the files kept longer than `KEEP` (and any whose record is unreadable)."""
    limit = now - KEEP
    for meta in folder.glob("*.json"):
        try:
            kept_at = datetime.fromisoformat(json.loads(meta.read_text(encoding="utf-8"))["kept_at"])
            expired = kept_at < limit
        except (OSError, ValueError, KeyError, TypeError):
            expired = True
        if expired:
            for path in (meta, meta.with_suffix(".bin")):
                path.unlink(missing_ok=True)
