"""`scheduler suggest` against a real database: the ranked suggestions of one place, as a
table and as JSON, with the reasons of those who cannot."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from models import Assignment
from models.db import make_engine, make_session_factory
from scheduler.cli import main
from scheduler.core.database import upgrade
from scheduler.week.drafts import get_or_create_draft
from tests.factories import MONDAY, Factory

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)


@pytest.fixture
def week(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        make = Factory(session)
        district = make.district(name="甲区", code="JQ")
        near = make.person(district, name="近律师", external_id="NEAR", lat=29.801, lon=121.551)
        make.person(district, name="远律师", external_id="FAR", lat=29.95, lon=121.8)
        busy = make.person(district, name="忙律师", external_id="BUSY")
        visit = make.slot(make.site(district, name="甲村"), external_id="VISIT", start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        other = make.slot(make.site(district, name="乙村"), external_id="OTHER",
                          start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        draft = get_or_create_draft(session, district.id, MONDAY, None)
        session.flush()
        session.add(Assignment(schedule_id=draft.id, slot_id=other.id, person_id=busy.id, line_index=0))
        ids = {"near": near.id, "visit": visit.id}
    yield ids
    engine.dispose()


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["--now", NOW.isoformat(), "suggest", "--district", "JQ",
                                       "--week", MONDAY.isoformat(), *args], catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def test_the_table_ranks_and_explains(week):
    out = run("--slot", "VISIT")
    assert out.index("近律师 (NEAR)") < out.index("远律师 (FAR)")
    assert "Could take it (2)" in out
    assert "忙律师 (BUSY): rule 5 (overlaps or cannot travel in time) at 乙村" in out


def test_json_gives_the_exact_figures(week):
    got = json.loads(run("--slot", str(week["visit"]), "--json"))
    assert [p["id"] for p in got["feasible"]] == ["NEAR", "FAR"]
    near = got["feasible"][0]
    assert near["delta"] == pytest.approx(sum(near["terms"].values()))
    assert got["infeasible"] == [{"id": "BUSY", "name": "忙律师", "reasons": [
        {"rule": 5, "name": "overlaps or cannot travel in time", "slot": "OTHER"}]}]


def test_an_unknown_slot_or_person_is_a_clear_error(week):
    assert "no slot 'NOPE'" in run("--slot", "NOPE", ok=False)
    assert "no person with id 'GHOST'" in run("--slot", "VISIT", "--replace", "GHOST", ok=False)
    assert "does not hold this place" in run("--slot", "VISIT", "--replace", "NEAR", ok=False)
