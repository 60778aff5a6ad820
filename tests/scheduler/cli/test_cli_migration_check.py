"""Every command that reads or writes the database refuses one that is not at the newest
schema, with the one clear message, and leaves it as it was (`scheduler.cli.base.open_migrated`).
init-db, restore and quickstart are the exceptions: they create or replace the schema."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from models.db import make_engine
from scheduler.cli import main

MESSAGE = "The database is not initialised or not up to date: run `scheduler init-db`."

COMMANDS = [
    ("ls", "districts"),
    ("demand", "--district", "X"),
    ("problem", "--district", "X", "-o", "{tmp}/problem.json"),
    ("solve-week", "--district", "X"),
    ("advisers", "propose", "--district", "X"),
    ("advisers", "approve", "1", "--from", "2026-12-01"),
    ("advisers", "history", "V1"),
    ("advisers", "overdue", "--district", "X"),
    ("import", "{tmp}/people.csv"),
    ("export", "week", "--district", "X", "-o", "{tmp}/week.xlsx"),
    ("export", "record", "person", "P1", "-o", "{tmp}/record.xlsx"),
    ("print", "roster", "--district", "X", "-o", "{tmp}/roster.pdf"),
    ("print", "poster", "--district", "X", "-o", "{tmp}/poster.pdf"),
    ("feed-url", "person", "P1"),
    ("demo-data", "--size", "tiny"),
    ("users", "unlock", "somebody"),
    ("remind",),
    ("send-notifications",),
    ("purge", "--dry-run"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_command_refuses_an_unmigrated_database(args, empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    (tmp_path / "people.csv").write_text("编号,姓名\nP1,张三\n", encoding="utf-8")
    result = CliRunner().invoke(main, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 1, result.output
    assert MESSAGE in result.output
    engine = make_engine(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
