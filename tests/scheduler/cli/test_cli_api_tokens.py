"""`scheduler api-token create/list/revoke` against a real database: the token is printed
once and works until revoked."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from models import User
from models.db import make_engine, make_session_factory
from scheduler.api import tokens
from scheduler.cli import main
from scheduler.core.database import upgrade

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


@pytest.fixture
def factory(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with make_session_factory(engine).begin() as s:
        s.add(User(username="city.coord", password_hash="x", role="coordinator", city_wide=True))
    yield make_session_factory(engine)
    engine.dispose()


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["--now", NOW.isoformat(), "api-token", *args], catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result


def test_create_prints_the_token_once_and_list_and_revoke_end_it(factory):
    made = run("create", "city.coord", "--scope", "read", "--scope", "write", "--days", "30", "--name", "script")
    secret = made.stdout.strip().splitlines()[0]
    assert secret.startswith("lsk_") and "shown only now" in made.stderr
    with factory() as session:
        user, row = tokens.authenticate(session, secret, NOW)
        assert (user.username, row.scopes, row.name) == ("city.coord", ["read", "write"], "script")
    listed = run("list", "city.coord").stdout
    assert f"{row.id}\t{secret[:8]}…\tscript\tread,write\t2026-12-27\tlive" in listed and secret not in listed
    run("revoke", str(row.id))
    with factory() as session, pytest.raises(tokens.TokenRefused, match="token_revoked"):
        tokens.authenticate(session, secret, NOW)
    assert "revoked" in run("list", "city.coord").stdout


def test_unknown_account_or_token_is_a_clear_error(factory):
    assert "No account 'nobody'" in run("create", "nobody", ok=False).output
    assert "No token 99" in run("revoke", "99", ok=False).output
