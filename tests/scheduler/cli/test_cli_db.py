"""`scheduler init-db` and `scheduler ls` against a real database."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from models import District, Person, PersonRole, Site, Township
from models.db import make_engine, make_session_factory
from scheduler.cli import main


@pytest.fixture
def cli(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


def seed(url: str) -> None:
    engine = make_engine(url)
    with make_session_factory(engine).begin() as s:
        d = District(code="YZ", name="鄞州区")
        s.add(d)
        s.flush()
        t = Township(district_id=d.id, code="YZ-T01", name="邱隘镇")
        s.add(t)
        s.flush()
        s.add(Site(external_id="YZ-V0001", district_id=d.id, township_id=t.id, kind="village",
                   name="邱隘镇下桥村", lat=29.7, lon=121.6))
        p = Person(external_id="YZ-L0001", district_id=d.id, name="毛燕", lat=29.7, lon=121.6)
        p.roles = [PersonRole(role="lawyer")]
        s.add(p)
        s.add(District(code="HS", name="海曙区"))
    engine.dispose()


def test_init_db_creates_then_reports_up_to_date(cli):
    assert "upgraded from empty" in cli("init-db").output
    assert "up to date" in cli("init-db").output


def test_ls_before_init_db_says_what_to_do(cli):
    result = cli("ls", "districts", ok=False)
    assert "scheduler init-db" in result.output


def test_ls_lists_rows_as_table_and_json(cli, empty_database_url):
    cli("init-db")
    seed(empty_database_url)
    table = cli("ls", "districts").output
    assert "鄞州区" in table and "海曙区" in table
    people = [json.loads(line) for line in cli("ls", "people", "--json").output.splitlines()]
    assert people == [{"id": people[0]["id"], "external_id": "YZ-L0001", "name": "毛燕",
                       "roles": "lawyer", "district": "鄞州区", "active": True}]
    sites = cli("ls", "sites", "--district", "鄞州区", "--json").output
    assert "YZ-V0001" in sites
    assert cli("ls", "sites", "--district", "HS", "--json").output == ""


def test_ls_unknown_district_names_the_known_ones(cli, empty_database_url):
    cli("init-db")
    seed(empty_database_url)
    result = cli("ls", "people", "--district", "月球区", ok=False)
    assert "月球区" in result.output and "鄞州区 (YZ)" in result.output
