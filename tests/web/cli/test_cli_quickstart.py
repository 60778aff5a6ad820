"""The README's first command, end to end on SQLite (without serving)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import func, select

from models import Schedule
from models.db import make_engine, make_session_factory
from scheduler.auth.accounts import authenticate
from web.cli import main

# Thursday 26 November 2026, 10:00 in Ningbo: quickstart publishes the week of 30 November.
NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)


def test_quickstart_loads_solves_publishes_and_prints_a_working_login(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/qs.sqlite"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    first = runner.invoke(main, ["--now", NOW.isoformat(), "quickstart", "--size", "tiny", "--time-limit", "5",
                                 "--no-serve"],
                          catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "Published version 1" in first.output
    username, password = re.search(r"Sign in as (\S+) with password (\S+) ", first.output).groups()
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        assert authenticate(session, username, password, NOW).user is not None
        assert session.scalar(select(func.count()).select_from(Schedule).where(Schedule.state == "published")) == 1
    engine.dispose()
    again = runner.invoke(main, ["--now", NOW.isoformat(), "quickstart", "--size", "tiny", "--no-serve"],
                          catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert "nothing loaded" in again.output and "already published" in again.output
    assert f"with password {password} " in again.output
