"""`scheduler feed-url` against a real database."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from models import District, Person, PersonRole, Site
from models.db import make_engine, make_session_factory
from scheduler.cli import main
from scheduler.feeds.render import cached_feed


@pytest.fixture
def database(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SCHEDULER_BASE_URL", "https://paiban.example.org/")
    engine = make_engine(empty_database_url)
    from scheduler.core.database import upgrade

    upgrade(engine)
    with make_session_factory(engine).begin() as s:
        d = District(code="YZ", name="鄞州区")
        s.add(d)
        s.flush()
        s.add(Site(external_id="YZ-V0001", district_id=d.id, kind="village", name="下桥村", lat=29.7, lon=121.6))
        s.add(Site(external_id="YZ-W01", district_id=d.id, kind="window", name="邱隘镇窗口", lat=29.7, lon=121.6))
        p = Person(external_id="YZ-L0001", district_id=d.id, name="毛燕", lat=29.7, lon=121.6)
        p.roles = [PersonRole(role="lawyer")]
        s.add(p)
    yield make_session_factory(engine)
    engine.dispose()


NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["--now", NOW.isoformat(), "feed-url", *args], catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result


def token_of(url: str) -> str:
    assert url.startswith("https://paiban.example.org/feeds/") and url.endswith(".ics"), url
    return url.removeprefix("https://paiban.example.org/feeds/").removesuffix(".ics")


def opens(factory, token: str) -> bool:
    with factory() as s:
        return cached_feed(s, token, NOW) is not None


def test_prints_a_working_url_then_replaces_it_with_reset(database):
    first = token_of(run("person", "YZ-L0001").stdout.strip())
    assert opens(database, first)
    refused = run("person", "YZ-L0001", ok=False)
    assert "--reset" in refused.output
    second = token_of(run("person", "YZ-L0001", "--reset").stdout.strip())
    assert second != first
    assert opens(database, second) and not opens(database, first)


def test_villages_and_other_sites_have_their_own_kind(database):
    assert opens(database, token_of(run("village", "YZ-V0001").stdout.strip()))
    assert opens(database, token_of(run("site", "YZ-W01").stdout.strip()))
    assert "feed-url village YZ-V0001" in run("site", "YZ-V0001", ok=False).output


def test_unknown_ids_and_bad_base_urls_are_clear_errors(database, monkeypatch):
    assert "no person with id 'NOPE'" in run("person", "NOPE", ok=False).output
    monkeypatch.setenv("SCHEDULER_BASE_URL", "ftp://x")
    assert "SCHEDULER_BASE_URL" in run("person", "YZ-L0001", ok=False).output
