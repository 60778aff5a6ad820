"""`scheduler users ...` and the checks of `scheduler serve`, against a real database."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from models import District, Person, PersonRole, Site, User
from models.db import make_engine, make_session_factory
from scheduler.auth import accounts
from web.cli import main

PASSWORD = "a long enough secret"
FAST_SCRYPT = "scrypt:1024:8:1"


@pytest.fixture
def cli(empty_database_url, tmp_path, monkeypatch):
    # Cheaper scrypt parameters keep the run short; the method is still scrypt.
    monkeypatch.setattr(accounts, "HASH_METHOD", FAST_SCRYPT)
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args: str, ok: bool = True, input: str | None = None):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


@pytest.fixture
def seeded(cli, empty_database_url):
    cli("init-db")
    engine = make_engine(empty_database_url)
    with make_session_factory(engine).begin() as s:
        d = District(code="YZ", name="鄞州区")
        s.add(d)
        s.flush()
        s.add(Site(external_id="YZ-V0001", district_id=d.id, kind="village", name="下桥村", lat=29.7, lon=121.6))
        s.add(Site(external_id="YZ-W01", district_id=d.id, kind="window", name="邱隘窗口", lat=29.7, lon=121.6))
        p = Person(external_id="YZ-L0001", district_id=d.id, name="毛燕", lat=29.7, lon=121.6)
        p.roles = [PersonRole(role="lawyer")]
        s.add(p)
    yield make_session_factory(engine)
    engine.dispose()


def users(factory) -> dict[str, User]:
    with factory() as s:
        return {u.username: u for u in s.query(User).all()}


def test_create_each_kind_of_account(cli, seeded):
    assert "district 鄞州区" in cli("users", "create", "--role", "coordinator", "--username", "yz",
                                  "--password", PASSWORD, "--district", "鄞州区").output
    assert "whole city" in cli("users", "create", "--role", "coordinator", "--username", "city",
                               "--password", PASSWORD, "--city").output
    assert "毛燕" in cli("users", "create", "--role", "provider", "--username", "maoyan",
                        "--password", PASSWORD, "--person", "YZ-L0001").output
    assert "下桥村" in cli("users", "create", "--role", "village", "--username", "xiaqiao",
                         "--password", PASSWORD, "--village", "YZ-V0001").output
    made = users(seeded)
    assert made["yz"].district_id is not None and made["city"].city_wide
    assert made["maoyan"].person_id is not None and made["xiaqiao"].village_id is not None
    assert all(u.password_hash.startswith("scrypt:") for u in made.values())


def test_password_is_prompted_when_left_out(cli, seeded):
    cli("users", "create", "--role", "coordinator", "--username", "yz", "--district", "YZ",
        input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "yz" in users(seeded)


CLEAR_ERRORS = [
    (("--role", "coordinator", "--district", "西湖区"), "No district named '西湖区'. Known districts: 鄞州区 (YZ)"),
    (("--role", "coordinator", "--district", "YZ", "--city"), "either --district or --city"),
    (("--role", "coordinator"), "either one district or the whole city"),
    (("--role", "provider", "--person", "YZ-L9999"), "No person with id or external id 'YZ-L9999'"),
    (("--role", "provider"), "needs the person"),
    (("--role", "village", "--village", "YZ-W01"), "is a window, not a village"),
    (("--role", "provider", "--person", "YZ-L0001", "--password", "short"), "at least 10 characters"),
]


def test_clear_errors(cli, seeded):
    # One database for all cases: migrating a fresh one per case would dominate the run time.
    for args, message in CLEAR_ERRORS:
        if "--password" not in args:
            args = (*args, "--password", PASSWORD)
        result = cli("users", "create", "--username", "someone", *args, ok=False)
        assert message in result.output, args
    assert "someone" not in users(seeded)


def test_person_already_linked(cli, seeded):
    cli("users", "create", "--role", "provider", "--username", "maoyan", "--password", PASSWORD, "--person", "YZ-L0001")
    result = cli("users", "create", "--role", "provider", "--username", "other", "--password", PASSWORD,
                 "--person", "YZ-L0001", ok=False)
    assert "already linked to user 'maoyan'" in result.output


def test_unlock_and_set_password(cli, seeded):
    cli("users", "create", "--role", "coordinator", "--username", "yz", "--password", PASSWORD, "--city")
    assert "unlocked" in cli("users", "unlock", "yz").output
    cli("users", "set-password", "yz", input="brand new secret\nbrand new secret\n")
    assert "No user named 'nobody'" in cli("users", "unlock", "nobody", ok=False).output


def test_commands_refuse_an_uninitialised_database(cli):
    result = cli("users", "create", "--role", "coordinator", "--username", "x", "--password", PASSWORD,
                 "--city", ok=False)
    assert "scheduler init-db" in result.output
    assert "scheduler init-db" in cli("serve", ok=False).output


def test_serve_builds_the_app_and_runs_it(cli, seeded, monkeypatch):
    calls = {}

    def fake_run(self, **kwargs):
        calls.update(kwargs, debug_config=self.config["DEBUG"], secure=self.config["SESSION_COOKIE_SECURE"])

    # Set, then delete: monkeypatch then restores the variable's absence after `serve` sets it.
    monkeypatch.setenv("SCHEDULER_CONFIG", "unset")
    monkeypatch.delenv("SCHEDULER_CONFIG")
    monkeypatch.setattr("flask.Flask.run", fake_run)
    cli("serve", "--port", "5055")
    assert calls["host"] == "127.0.0.1" and calls["port"] == 5055 and calls["debug"] is False
    assert calls["secure"] is False


def test_reset_second_factor_removes_it_and_ends_the_sessions(cli, seeded):
    cli("users", "create", "--role", "coordinator", "--username", "yz", "--password", PASSWORD, "--city")
    with seeded.begin() as s:
        user = s.query(User).filter_by(username="yz").one()
        user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert "removed" in cli("users", "reset-second-factor", "yz").output
    after = users(seeded)["yz"]
    assert after.totp_secret is None and after.session_epoch == 1


def test_a_weak_password_is_refused_with_the_reason(cli, seeded):
    result = cli("users", "create", "--role", "coordinator", "--username", "yz", "--password", "password1234",
                 "--city", ok=False)
    assert "too easy to guess (common)" in result.output
