"""Backups and restores on both databases: a round trip, refusing to overwrite, consistency
while another connection writes, and clear errors for the wrong file."""
from __future__ import annotations

import os
import stat
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from models import AuditEntry, District, Person
from models.db import make_engine, make_session_factory
from scheduler.cli import main
from scheduler.core import audit
from scheduler.core.database import current_revision, head_revision
from scheduler.ops.backup import BackupError, backup, is_empty, restore
from tests.factories import Factory


def url_of(factory) -> str:
    return factory.kw["bind"].url.render_as_string(hide_password=False)


def seed(factory, name: str) -> None:
    with factory.begin() as session:
        make = Factory(session)
        d = make.district(name=name)
        make.person(d, name=f"{name}的律师", phone="13812345678")
        audit.record(session, None, "seed", "district", d.id, d.id)


def contents(url: str) -> dict:
    engine = make_engine(url)
    try:
        # The revision is read on a connection of its own, outside the session: with SQLite
        # every transaction takes the write lock, so a second one would wait for the first.
        revision = current_revision(engine)
        with make_session_factory(engine)() as session:
            return {
                "districts": sorted(session.scalars(select(District.name))),
                "people": sorted(session.execute(select(Person.name, Person.phone)).all()),
                "audit": sorted(session.scalars(select(AuditEntry.action))),
                "revision": revision,
            }
    finally:
        engine.dispose()


def test_a_round_trip_restores_everything_into_an_empty_database(committed_factory, scratch_databases, tmp_path):
    seed(committed_factory, "甲区")
    before = contents(url_of(committed_factory))
    done = backup(url_of(committed_factory), tmp_path / "db.backup")
    assert done.bytes > 0 and done.kind == scratch_databases.backend
    target = scratch_databases.new_url()
    assert is_empty(target)
    restore(target, tmp_path / "db.backup")
    assert contents(target) == before and before["revision"] == head_revision()
    # The append-only audit log is still append-only: its triggers came along.
    engine = make_engine(target)
    try:
        with pytest.raises(DBAPIError):
            with engine.begin() as conn:
                conn.execute(text("UPDATE audit_log SET action = 'forged'"))
    finally:
        engine.dispose()


def test_restore_refuses_a_non_empty_database_unless_forced(committed_factory, scratch_databases, tmp_path,
                                                            monkeypatch):
    seed(committed_factory, "甲区")
    backup(url_of(committed_factory), tmp_path / "a.backup")
    with committed_factory.begin() as session:
        session.add(District(code="YY", name="后来区"))
    with pytest.raises(BackupError, match="not empty"):
        restore(url_of(committed_factory), tmp_path / "a.backup")
    assert "后来区" in contents(url_of(committed_factory))["districts"]

    monkeypatch.setenv("DATABASE_URL", url_of(committed_factory))
    refused = CliRunner().invoke(main, ["restore", str(tmp_path / "a.backup")])
    assert refused.exit_code == 1 and "--force" in refused.output
    committed_factory.kw["bind"].dispose()  # PostgreSQL: DROP SCHEMA waits for open connections
    forced = CliRunner().invoke(main, ["restore", "--force", str(tmp_path / "a.backup")])
    assert forced.exit_code == 0, forced.output
    assert contents(url_of(committed_factory))["districts"] == ["甲区"]


def test_a_backup_taken_during_a_write_is_not_blocked_and_holds_only_committed_data(
        committed_factory, scratch_databases, tmp_path):
    seed(committed_factory, "甲区")
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with committed_factory.begin() as session:
            session.add(District(code="ZZ", name="未提交区"))
            session.flush()
            writing.set()
            release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        backup(url_of(committed_factory), tmp_path / "during.backup")
    finally:
        release.set()
        thread.join(30)
    with committed_factory() as session:
        assert session.scalar(select(func.count()).select_from(District)) == 2  # the writer committed
    target = scratch_databases.new_url()
    restore(target, tmp_path / "during.backup")
    assert contents(target)["districts"] == ["甲区"]


def test_the_cli_round_trip(committed_factory, scratch_databases, tmp_path, monkeypatch):
    seed(committed_factory, "甲区")
    monkeypatch.setenv("DATABASE_URL", url_of(committed_factory))
    made = CliRunner().invoke(main, ["backup", str(tmp_path / "cli.backup")])
    assert made.exit_code == 0 and "Backed up" in made.output, made.output
    target = scratch_databases.new_url()
    monkeypatch.setenv("DATABASE_URL", target)
    restored = CliRunner().invoke(main, ["restore", str(tmp_path / "cli.backup")])
    assert restored.exit_code == 0 and "Restored" in restored.output, restored.output
    assert contents(target)["districts"] == ["甲区"]


def test_a_file_that_is_no_backup_is_refused(committed_factory, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(BackupError, match="not a backup made by"):
        restore(url_of(committed_factory), junk, force=True)


def test_a_backup_of_the_other_kind_is_refused(committed_factory, backend, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" + b"\0" * 64 if backend == "sqlite" else b"SQLite format 3\x00" + b"\0" * 84)
    with pytest.raises(BackupError, match="backup and the database is"):
        restore(url_of(committed_factory), other, force=True)


@pytest.fixture
def loose_umask():
    """The usual 022: files anyone on the machine may read unless the code says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_backups_are_readable_by_their_owner_only(committed_factory, tmp_path, loose_umask):
    """Issue 13 row 17: a backup holds everyone's phone numbers; it is written 0600, and a
    folder the backup makes is 0700."""
    seed(committed_factory, "甲区")
    done = backup(url_of(committed_factory), tmp_path / "db.backup")
    assert stat.S_IMODE(done.path.stat().st_mode) == 0o600
    nested = backup(url_of(committed_factory), tmp_path / "backups" / "nightly.backup")
    assert stat.S_IMODE(nested.path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700


def _damage(path, backend: str) -> None:
    """SQLite: garbage over every page but the first (the file still opens); PostgreSQL: the
    dump cut short after its table of contents, so `pg_restore` fails in the middle of the data."""
    data = bytearray(path.read_bytes())
    if backend == "sqlite":
        page = int.from_bytes(data[16:18], "big") or 65536
        for at in range(page, len(data), 97):
            data[at:at + 48] = b"\xa5" * 48
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(bytes(data[:len(data) * 2 // 3]))


def test_a_damaged_backup_leaves_the_live_database_intact(committed_factory, scratch_databases, tmp_path):
    """Issue 13 row 10: the old restore emptied (PostgreSQL) or overwrote (SQLite) the live
    database before it found out the backup was bad."""
    seed(committed_factory, "甲区")
    backup(url_of(committed_factory), tmp_path / "bad.backup")
    with committed_factory.begin() as session:
        session.add(District(code="YY", name="后来区"))
    before = contents(url_of(committed_factory))
    _damage(tmp_path / "bad.backup", scratch_databases.backend)
    committed_factory.kw["bind"].dispose()
    with pytest.raises(BackupError):
        restore(url_of(committed_factory), tmp_path / "bad.backup", force=True)
    assert contents(url_of(committed_factory)) == before
    assert sorted(before["districts"]) == ["后来区", "甲区"]


def test_a_backup_of_an_unknown_schema_is_refused_before_anything_is_touched(committed_factory, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("the revision inside a pg_dump archive is checked by the restore's single transaction")
    seed(committed_factory, "甲区")
    backup(url_of(committed_factory), tmp_path / "future.backup")
    import sqlite3
    with sqlite3.connect(tmp_path / "future.backup") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    with committed_factory.begin() as session:
        session.add(District(code="YY", name="后来区"))
    before = contents(url_of(committed_factory))
    with pytest.raises(BackupError, match="does not know"):
        restore(url_of(committed_factory), tmp_path / "future.backup", force=True)
    assert contents(url_of(committed_factory)) == before


def test_the_cli_asks_before_replacing_a_database_and_no_means_no(committed_factory, scratch_databases, tmp_path,
                                                                   monkeypatch):
    seed(committed_factory, "甲区")
    backup(url_of(committed_factory), tmp_path / "a.backup")
    with committed_factory.begin() as session:
        session.add(District(code="YY", name="后来区"))
    monkeypatch.setenv("DATABASE_URL", url_of(committed_factory))
    committed_factory.kw["bind"].dispose()
    refused = CliRunner().invoke(main, ["restore", str(tmp_path / "a.backup")], input="n\n")
    assert refused.exit_code == 1, refused.output
    assert "replace everything" in refused.output and "Not restored" in refused.output
    assert "后来区" in contents(url_of(committed_factory))["districts"]
    confirmed = CliRunner().invoke(main, ["restore", str(tmp_path / "a.backup")], input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert contents(url_of(committed_factory))["districts"] == ["甲区"]
    with committed_factory.begin() as session:
        session.add(District(code="YY", name="后来区"))
    committed_factory.kw["bind"].dispose()
    yes = CliRunner().invoke(main, ["restore", "--yes", str(tmp_path / "a.backup")])
    assert yes.exit_code == 0, yes.output
    assert contents(url_of(committed_factory))["districts"] == ["甲区"]
