"""Benchmark instances: valid roster-problem/1 documents built from the demo world."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from benchmarks.generate import DEFAULT_WEEK, main, problem_doc
from scheduler.demo import build_world
from solver.check import check
from solver.greedy import greedy
from solver.io import parse_problem, solution_to_dict
from solver.problem import Solution

SLOT_ID = re.compile(r"^[A-Z]{2}-[A-Z]+\d*@\d{4}(AM|PM)(-\d+)?$")
PERSON_ID = re.compile(r"^[A-Z]{2}-(L|T|N|F|G|M|VO|P)\d{4}$")
LOCAL = "%Y-%m-%dT%H:%M:%S"


@pytest.fixture(scope="module")
def doc():
    return problem_doc("tiny", 1)


@pytest.fixture(scope="module")
def world():
    return build_world("tiny", 1, DEFAULT_WEEK)


def _t(text: str) -> datetime:
    return datetime.strptime(text, LOCAL)  # raises on an offset or another shape


def _empty_solution() -> dict:
    return {"format": "roster-solution/1", "status": "feasible", "objective": 0,
            "assignments": [], "unfilled": [], "stats": {}}


def test_default_week_is_the_monday_after_2026_11_23():
    assert DEFAULT_WEEK == date(2026, 11, 30) and DEFAULT_WEEK.weekday() == 0


def test_tiny_parses_and_has_the_expected_size(doc):
    problem = parse_problem(doc)
    assert doc["format"] == "roster-problem/1" and doc["timezone"] == "Asia/Shanghai"
    assert 20 <= len(problem.sites) <= 35
    assert 35 <= len(problem.people) <= 40
    assert 40 <= len(problem.slots) <= 65
    assert Counter(s.kind for s in problem.slots).keys() == {"shift", "visit", "event"}


def test_an_empty_solution_is_valid_and_leaves_every_place_open(doc):
    report = check(doc, _empty_solution())
    assert report.ok, report.violations
    assert report.filled == 0 and report.demanded > 0


def test_the_greedy_baseline_is_valid_and_fills_most_places(doc):
    problem = parse_problem(doc)
    solution = Solution("feasible", 0.0, greedy(problem))
    report = check(doc, solution_to_dict(solution))
    assert report.ok, report.violations
    assert report.filled >= 0.6 * report.demanded


def test_same_arguments_same_document():
    assert json.dumps(problem_doc("tiny", 4)) == json.dumps(problem_doc("tiny", 4))
    assert problem_doc("tiny", 4) != problem_doc("tiny", 5)


def test_ids_follow_the_example_style_and_are_unique(doc):
    slots = [s["id"] for s in doc["slots"]]
    assert len(set(slots)) == len(slots) and all(SLOT_ID.match(s) for s in slots), slots
    assert all(PERSON_ID.match(p["id"]) for p in doc["people"])
    for s in doc["slots"]:
        start = _t(s["start"])
        assert s["id"].split("@")[1][:6] == f"{start:%m%d}" + ("AM" if start.hour < 12 else "PM")


def test_times_are_local_and_inside_the_week(doc):
    first = datetime.combine(DEFAULT_WEEK, datetime.min.time())
    last = first + timedelta(days=7)
    for s in doc["slots"]:
        assert first <= _t(s["start"]) < _t(s["end"]) <= last
    for p in doc["people"]:
        for key in ("available", "unavailable", "undesired"):
            for iv in p.get(key, []):
                assert first <= _t(iv["start"]) < _t(iv["end"]) <= last, (p["id"], key, iv)


def test_availability_leaves_out_the_unavailable_exceptions():
    doc = problem_doc("district", 2)
    holes = 0
    for p in doc["people"]:
        for u in p.get("unavailable", []):
            holes += 1
            for a in p["available"]:
                assert not (_t(a["start"]) < _t(u["end"]) and _t(u["start"]) < _t(a["end"])), p["id"]
    assert holes > 50


def test_every_village_has_one_paired_lawyer_in_the_document(doc):
    villages = {s["id"] for s in doc["sites"] if s["kind"] == "village"}
    owners = Counter(v for p in doc["people"] for v in p.get("paired_sites", []))
    assert set(owners) == villages and set(owners.values()) == {1}
    for p in doc["people"]:
        if p.get("paired_sites"):
            assert "lawyer" in p["roles"] and len(p["paired_sites"]) <= p["max_paired_sites"]


def test_visits_are_the_due_ones_and_requests_become_choice_groups(doc, world):
    rhythm = {s.external_id: s.rhythm for s in world.sites if s.rhythm}
    plain = [s for s in doc["slots"] if s["kind"] == "visit" and "choice" not in s]
    assert plain and all(rhythm[s["site"]].is_due(DEFAULT_WEEK) for s in plain)
    due = {v for v, r in rhythm.items() if r.is_due(DEFAULT_WEEK)}
    assert {s["site"] for s in plain} == due
    groups = defaultdict(list)
    for s in doc["slots"]:
        if "choice" in s:
            groups[s["choice"]].append(s)
    requests = {r.external_id: r for r in world.requests}
    assert groups and set(groups) <= set(requests)
    for choice, slots in groups.items():
        assert [s["choice_cost"] for s in slots] == [20 * k for k in range(len(slots))]
        assert 2 <= len(slots) <= 4 and len({s["site"] for s in slots}) == 1
        roles = [line["roles"] for line in slots[0]["demand"]]
        assert roles[0] == ["lawyer"]
        assert (["mediator"] in roles) == (requests[choice].kind == "mediation")


def test_square_events_carry_a_trainee_line(doc):
    events = [s for s in doc["slots"] if s["kind"] == "event"]
    assert events
    for e in events:
        roles = [line["roles"] for line in e["demand"]]
        assert ["trainee_lawyer"] in roles and ["lawyer"] in roles


def test_scarce_week_has_the_same_slots_and_far_less_time(doc):
    scarce = problem_doc("tiny", 1, scarce=True)
    assert scarce["slots"] == doc["slots"] and scarce["sites"] == doc["sites"]
    free = sum(len(p["available"]) for p in doc["people"])
    left = sum(len(p["available"]) for p in scarce["people"])
    assert 0 < left < free * 0.3
    assert parse_problem(scarce)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        problem_doc("huge", 1)
    with pytest.raises(ValueError):
        problem_doc("tiny", 1, week_start=date(2026, 12, 2))


def test_command_line_writes_the_same_document(tmp_path, capsys):
    out = tmp_path / "tiny.json"
    assert main(["tiny", "--seed", "3", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == problem_doc("tiny", 3)
    assert "slots" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["tiny", "--week", "2026-12-01"])


def test_heavy_requests_week_multiplies_the_choice_groups(doc):
    heavy = problem_doc("tiny", 1, requests=True)
    assert heavy == problem_doc("tiny", 1, requests=True)  # deterministic by seed
    assert heavy["people"] == doc["people"] and heavy["sites"] == doc["sites"]
    assert heavy["slots"][:len(doc["slots"])] == doc["slots"]
    groups = {s["choice"] for s in doc["slots"] if s.get("choice")}
    more = {s["choice"] for s in heavy["slots"] if s.get("choice")}
    assert groups < more and len(more) >= 3 * len(groups)
    assert len({s["id"] for s in heavy["slots"]}) == len(heavy["slots"])
    assert all(SLOT_ID.match(s["id"]) for s in heavy["slots"])
    assert check(heavy, _empty_solution()).ok
