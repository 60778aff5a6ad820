"""Loading the demo world into the database (SQLite and PostgreSQL) and the CLI command."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from benchmarks.generate import problem_doc
from models import (
    AvailabilityException,
    AvailabilityRule,
    District,
    Organisation,
    Pairing,
    Person,
    RequestWindow,
    ShiftTemplate,
    Site,
    SquareEvent,
    User,
    VisitRequest,
)
from models.db import make_engine, make_session_factory
from scheduler.auth.accounts import AccountError, authenticate
from scheduler.cli import main
from scheduler.core.weeks import to_utc
from scheduler.demand.generate import generate_week, visit_due
from scheduler.demo import build_world
from scheduler.demo.load import DemoDataExists, load_world
from scheduler.week.problem import build_problem
from solver.io import parse_problem

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the demo is loaded the Friday before


@pytest.fixture(scope="module")
def world():
    return build_world("tiny", 2, WEEK)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_every_part_of_the_world_is_stored(session, world):
    counts = load_world(session, world, now=NOW)
    expected = {
        District: len(world.districts), Site: len(world.sites), Person: len(world.people),
        Organisation: len(world.organisations), Pairing: len(world.pairings),
        AvailabilityRule: sum(len(p.available) + len(p.undesired) for p in world.people),
        AvailabilityException: sum(len(p.exceptions) for p in world.people),
        ShiftTemplate: len(world.shift_templates), SquareEvent: len(world.events),
        VisitRequest: len(world.requests), RequestWindow: sum(len(r.windows) for r in world.requests),
        User: len(world.districts),
    }
    for model, n in expected.items():
        assert n > 0 and _count(session, model) == n == counts[model.__tablename__], model


def test_values_survive_the_round_trip(session, world):
    load_world(session, world, now=NOW)
    p = world.people[0]
    row = session.scalar(select(Person).where(Person.external_id == p.external_id))
    assert (row.name, row.phone, row.email, row.max_paired_sites) == (p.name, p.phone, p.email, p.max_paired_sites)
    assert row.role_names == sorted(p.roles) and row.skill_names == sorted(p.skills)
    assert row.organisation.external_id == p.organisation
    rules = session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == row.id,
                                                           AvailabilityRule.kind == "available")).all()
    assert sorted((r.weekday, r.start_time, r.end_time) for r in rules) == \
        sorted((r.weekday, r.start, r.end) for r in p.available)
    with_leave = next(q for q in world.people if q.exceptions)
    e = with_leave.exceptions[0]
    stored = session.scalars(select(AvailabilityException).join(Person).where(
        Person.external_id == with_leave.external_id).order_by(AvailabilityException.start_at)).first()
    assert (stored.kind, stored.note, stored.start_at) == (e.kind, e.note, to_utc(e.day, e.start))
    needy = next(s for s in world.sites if s.needs)
    assert session.scalar(select(Site.needs).where(Site.external_id == needy.external_id)) == list(needy.needs)


def test_stored_rhythms_fall_due_in_the_same_weeks(session, world):
    load_world(session, world, now=NOW)
    rhythms = {s.external_id: s.rhythm for s in world.sites if s.rhythm}
    for site in session.scalars(select(Site).where(Site.kind == "village")):
        for k in range(8):
            week = WEEK + timedelta(weeks=k)
            assert visit_due(site, week) == rhythms[site.external_id].is_due(week), site.external_id


def test_requests_are_owned_by_the_district_coordinator(session, world):
    load_world(session, world, now=NOW)
    requests = session.scalars(select(VisitRequest)).all()
    assert requests and {r.owner.role for r in requests} == {"coordinator"}
    assert all(r.status == "received" and [w.rank for w in r.windows] == list(range(len(r.windows)))
               for r in requests)


def test_the_week_built_from_the_database_matches_the_benchmark(session, world):
    load_world(session, world, now=NOW)
    district = session.scalar(select(District))
    generate_week(session, district.id, WEEK)
    doc = build_problem(session, district.id, WEEK)
    problem = parse_problem(doc)
    bench = problem_doc("tiny", 2, WEEK)
    assert Counter(s.kind for s in problem.slots) == Counter(s["kind"] for s in bench["slots"])
    assert {p.id for p in problem.people} == {p["id"] for p in bench["people"]}
    paired = Counter(v for p in problem.people for v in p.paired_sites)
    assert set(paired) == {s.id for s in problem.sites if s.kind == "village"}


def test_a_second_load_is_refused_clearly(session, world):
    load_world(session, world, now=NOW)
    with pytest.raises(DemoDataExists, match="already has 鄞州区"):
        load_world(session, world, now=NOW)
    assert _count(session, Person) == len(world.people)


def test_a_weak_password_is_refused_before_anything_is_written(session, world):
    with pytest.raises(AccountError):
        load_world(session, world, coordinator_password="short", now=NOW)
    assert _count(session, District) == 0


# ------------------------------------------------------------------------ command line

@pytest.fixture
def cli(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SCHEDULER_DEMO_PASSWORD", raising=False)
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_cli_loads_once_and_then_refuses(cli, empty_database_url):
    assert "init-db" in cli("demo-data", "--size", "tiny", code=1)
    cli("init-db")
    out = cli("demo-data", "--size", "tiny", "--seed", "2", "--week", "2026-12-02",
              "--coordinator-password", "demo-password-1")
    assert "first week 2026-11-30" in out and "coord-yz" in out
    assert "people" in out and "40" in out
    assert "already has 鄞州区" in cli("demo-data", "--size", "tiny", code=1)
    engine = make_engine(empty_database_url)
    with make_session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 40
        assert authenticate(s, "coord-yz", "demo-password-1", NOW).ok
    engine.dispose()


def test_cli_refuses_a_bad_week(cli):
    cli("init-db")
    assert "--week" in cli("demo-data", "--size", "tiny", "--week", "next tuesday", code=2)
