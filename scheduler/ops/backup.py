"""Consistent backups and restores of the whole database, while the app keeps running.

SQLite: the online backup API copies a consistent snapshot page by page (WAL lets writers
go on meanwhile) into a temporary file that is checked and then renamed into place; the
backup is itself a SQLite database.

PostgreSQL: `pg_dump --format=custom` (one snapshot transaction; compressed; restorable
table by table with `pg_restore`). This is the deliberate choice over a home-made portable
dump: it carries everything the migrations create (triggers of the append-only audit log,
partial indexes, sequences) and is what a PostgreSQL administrator already trusts. Without
the client tools it stops with the package to install rather than write a lesser backup.

Restore can never leave an empty or half-restored database behind (issue 13 row 10):

- SQLite: the backup is opened read-only and must pass `PRAGMA integrity_check` and carry an
  Alembic revision this version knows, before the live file is touched; it is then copied
  into a temporary file beside the target, checked again, and only then copied into the live
  file with the online backup API, which SQLite applies as one transaction (all pages or
  none, and safe for connections the running app holds and for its WAL file, which a file
  rename under an open WAL database is not). A target that does not exist yet is simply the
  checked temporary file renamed into place.
- PostgreSQL: `pg_restore --list` validates the archive; then `pg_restore` turns it into SQL
  streamed into one `psql` transaction that first drops and recreates schema `public`. The
  COMMIT is only sent when pg_restore read the whole archive without error, and psql stops
  at the first failing statement, so a bad dump rolls back to the live data untouched.

Restore refuses a database that has any table unless `force` is given.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, inspect, text
from sqlalchemy.engine import make_url

from models.db import make_engine, normalise_url
from scheduler.core.config import inherited_environ

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PG_TIMEOUT_S = 3600


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Done:
    kind: str  # sqlite | postgresql
    path: Path
    bytes: int
    seconds: float
    revision: str | None = None


def backup(url: str, path: str | Path, *, environ: Mapping[str, str] | None = None) -> Done:
    """Back up the database at `url` to `path`; `environ` is the environment pg_dump runs
    in (the settings' `child_environ()`; this process's by default)."""
    parsed, started = make_url(normalise_url(url)), time.monotonic()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    _private_file(tmp)
    try:
        if parsed.get_backend_name() == "sqlite":
            kind = "sqlite"
            _sqlite_copy(_sqlite_file(parsed, must_exist=True), tmp)
        elif parsed.get_backend_name() == "postgresql":
            kind = "postgresql"
            _check_pg_tool("pg_dump", parsed)
            _run(["pg_dump", "--format=custom", "--compress=6", f"--file={tmp}", f"--dbname={_conninfo(parsed)}"],
                 parsed, environ)
        else:
            raise BackupError(f"cannot back up a {parsed.get_backend_name()} database")
        os.chmod(tmp, 0o600)  # whatever the tool did, the backup is the owner's only
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return Done(kind, path, path.stat().st_size, time.monotonic() - started, backup_revision(path))


def restore(url: str, path: str | Path, *, force: bool = False, environ: Mapping[str, str] | None = None) -> Done:
    parsed, started, path = make_url(normalise_url(url)), time.monotonic(), Path(path)
    kind = backup_kind(path)
    target = parsed.get_backend_name()
    if kind != target:
        raise BackupError(f"{path} is a {kind} backup and the database is {target}: restore it into a {kind} "
                          "database (moving between the two is not a restore)")
    if not force and not is_empty(url):
        raise BackupError("the database is not empty: restoring would overwrite it. Give --force to replace "
                          "everything in it with the backup.")
    if kind == "sqlite":
        _sqlite_validate(path)
        _sqlite_restore(path, _sqlite_file(parsed, must_exist=False))
    else:
        _check_pg_tool("pg_restore", parsed)
        _check_pg_tool("psql", parsed)
        _run(["pg_restore", "--list", str(path)], parsed, environ)
        _pg_restore_atomically(path, parsed, environ)
    return Done(kind, path, path.stat().st_size, time.monotonic() - started, backup_revision(path))


def backup_kind(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `scheduler backup` (neither SQLite nor pg_dump custom format)")


def backup_revision(path: Path) -> str | None:
    """The schema revision inside a SQLite backup (read without opening it for writing)."""
    if backup_kind(path) != "sqlite":
        return None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            return None
    return row[0] if row else None


def is_empty(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _sqlite_file(parsed: URL, *, must_exist: bool) -> Path:
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    file = Path(parsed.database)
    if must_exist and not file.exists():
        raise BackupError(f"there is no database file at {file}")
    return file


def _private_file(path: Path) -> None:
    """Create `path` empty and readable by its owner only (0600) before anything is written to
    it (a backup holds everyone's personal data); a missing folder is made 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_copy(source: Path, target: Path) -> None:
    """Online backup API, all pages in one step: one consistent snapshot of `source`."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _sqlite_validate(path: Path) -> None:
    """The backup, opened read-only, is whole and of a schema this version knows."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            revision_row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged or no backup of this app: {exc}. Nothing was changed.") from exc
    if problems != ["ok"]:
        raise BackupError(f"{path} failed its integrity check ({'; '.join(problems[:5])}). Nothing was changed.")
    revision = revision_row[0] if revision_row else None
    if revision is None or not _known_revision(revision):
        raise BackupError(f"{path} holds schema revision {revision!r}, which this version does not know. "
                          "Nothing was changed.")


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from scheduler.core.database import alembic_config

    try:
        return ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision) is not None
    except CommandError:
        return False


def _sqlite_restore(source: Path, target: Path) -> None:
    """Copy the validated `source` into a checked temporary file beside `target`, then into
    `target` in one SQLite transaction (or by rename when there is no target yet)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    _private_file(tmp)
    try:
        _sqlite_copy(source, tmp)
        if not target.exists():
            os.replace(tmp, target)
            return
        _sqlite_copy(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _pg_restore_atomically(path: Path, parsed: URL, environ: Mapping[str, str] | None) -> None:
    """Drop schema public and restore the dump in one psql transaction, committed only when
    pg_restore read the whole archive: any failure leaves the live data as it was."""
    env = dict(inherited_environ() if environ is None else environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        psql = subprocess.Popen(["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-",
                                 f"--dbname={_conninfo(parsed)}"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        reader = subprocess.Popen(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--file=-",
                                   str(path)], stdout=subprocess.PIPE, stderr=restore_err, env=env)
        assert psql.stdin is not None and reader.stdout is not None
        try:
            try:
                psql.stdin.write(b"BEGIN;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
                shutil.copyfileobj(reader.stdout, psql.stdin, 1 << 20)
                read_rc = reader.wait(timeout=PG_TIMEOUT_S)
                if read_rc == 0:
                    psql.stdin.write(b"COMMIT;\n")
            except BrokenPipeError:
                reader.kill()
                read_rc = reader.wait()
            finally:
                try:
                    psql.stdin.close()
                except BrokenPipeError:
                    pass
            psql_rc = psql.wait(timeout=PG_TIMEOUT_S)
        finally:
            for proc in (reader, psql):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if read_rc != 0 or psql_rc != 0:
            restore_err.seek(0)
            psql_err.seek(0)
            detail = (restore_err.read().decode(errors="replace") + psql_err.read().decode(errors="replace"))
            raise BackupError(f"the restore failed and was rolled back, the database is unchanged: "
                              f"{detail.strip()[-2000:]}")


def _conninfo(parsed: URL) -> str:
    """A libpq URI without the password (that goes through PGPASSWORD, not the process list)."""
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(argv: list[str], parsed: URL, environ: Mapping[str, str] | None) -> None:
    env = dict(inherited_environ() if environ is None else environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S)
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _check_pg_tool(tool: str, parsed: URL) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed: install the PostgreSQL client tools of the server's "
                          "version (Debian: apt-get install postgresql-client)")
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30).stdout
    found = re.search(r"(\d+)", out)
    tool_major = int(found.group(1)) if found else 0
    engine = make_engine(parsed.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            server_major = int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000
    finally:
        engine.dispose()
    if tool_major < server_major:
        raise BackupError(f"{tool} {tool_major} cannot work with a PostgreSQL {server_major} server: install "
                          f"postgresql-client-{server_major}")

