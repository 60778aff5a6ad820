"""Parsing and validation of roster documents (solver.io)."""
from __future__ import annotations

import copy
import json
import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from solver.io import (
    ProblemError,
    load_problem,
    pairing_to_dict,
    parse_problem,
    parse_solution,
    solution_to_dict,
)
from solver.problem import (
    Assignment,
    OpenPlace,
    Pair,
    Pairing,
    Reason,
    Rules,
    Solution,
    UnpairedSite,
    Weights,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SHANGHAI = ZoneInfo("Asia/Shanghai")

_VALID = {
    "format": "roster-problem/1",
    "timezone": "Asia/Shanghai",
    "sites": [{"id": "S1", "name": "下桥村", "kind": "village", "district": "鄞州区",
               "lat": 29.7, "lon": 121.6},
              {"id": "W1", "name": "window", "kind": "window", "district": "鄞州区",
               "lat": 29.8, "lon": 121.5}],
    "people": [{"id": "L1", "name": "毛燕", "roles": ["lawyer"], "skills": ["labour"],
                "district": "鄞州区", "lat": 29.78, "lon": 121.61, "max_hours": 16},
               {"id": "M1", "name": "m", "roles": ["mediator"], "skills": [],
                "district": "鄞州区", "lat": 29.7, "lon": 121.6, "max_hours": 8}],
    "slots": [{"id": "T1", "site": "S1", "kind": "visit", "start": "2026-12-02T09:00:00",
               "end": "2026-12-02T12:00:00",
               "demand": [{"roles": ["lawyer"], "count": 1},
                          {"roles": ["mediator"], "count": 2, "skills": ["family"]}]}],
}


def doc(**changes) -> dict:
    d = copy.deepcopy(_VALID)
    d.update(changes)
    return d


def errors_of(document) -> dict[str, str]:
    with pytest.raises(ProblemError) as info:
        parse_problem(document)
    return dict(info.value.errors)


# ------------------------------------------------------------------------ valid input

def test_the_spec_example_parses():
    p = load_problem(EXAMPLES / "tiny-problem.json")
    assert (len(p.sites), len(p.people), len(p.slots)) == (27, 40, 59)
    group = [s for s in p.slots if s.choice == "YZ-V0016-R1"]
    assert sorted(s.choice_cost for s in group) == [0, 20, 40, 60]
    assert p.rules == Rules() and p.weights == Weights()
    assert all(s.start.tzinfo == SHANGHAI and s.end > s.start for s in p.slots)
    raw = json.loads((EXAMPLES / "tiny-problem.json").read_text(encoding="utf-8"))
    assert [s.priority for s in p.slots] == [s.get("priority", 3) for s in raw["slots"]]


def test_defaults_of_optional_fields():
    p = parse_problem(doc())
    slot, person = p.slots[0], p.people[0]
    assert slot.priority == 3 and slot.choice is None and slot.choice_cost == 0.0
    assert slot.demand[0].skills == frozenset() and slot.demand[1].skills == {"family"}
    assert person.available is None and person.unavailable == () and person.target_hours is None
    assert p.pinned == () and p.previous == ()
    assert p.rules == Rules() and p.weights == Weights()


def test_partial_rules_and_weights_keep_the_other_defaults():
    p = parse_problem(doc(rules={"travel_kmh": 40}, weights={"km": 2, "unfilled": 500}))
    assert p.rules == Rules(travel_kmh=40)
    assert p.weights == Weights(km=2, unfilled=500)


def test_unknown_fields_are_ignored_everywhere():
    d = doc(extra={"x": 1})
    d["sites"][0]["colour"] = "red"
    d["people"][0]["hobby"] = ["chess"]
    d["slots"][0]["demand"][0]["note"] = "bring stamps"
    d["rules"] = {"teleport": True}
    assert parse_problem(d) == parse_problem(doc(rules={}))


def test_naive_times_are_local_and_offsets_are_converted():
    d = doc()
    d["slots"][0]["start"] = "2026-12-02T01:00:00Z"          # 09:00 in Shanghai
    d["slots"][0]["end"] = "2026-12-02T12:00:00+08:00"
    d["people"][0]["available"] = [{"start": "2026-12-01T20:00:00-05:00",  # 09:00 on 2 Dec
                                    "end": "2026-12-02T18:00:00"}]
    p = parse_problem(d)
    slot = p.slots[0]
    assert slot.start == datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    assert (slot.start.hour, slot.start.tzinfo) == (9, SHANGHAI)
    assert (slot.end.hour, slot.end.tzinfo) == (12, SHANGHAI)
    begin = p.people[0].available[0].start
    assert (begin.day, begin.hour, begin.tzinfo) == (2, 9, SHANGHAI)


def test_another_zone_reads_naive_times_in_that_zone():
    p = parse_problem(doc(timezone="Europe/Berlin"))
    start = p.slots[0].start
    assert start.tzinfo == ZoneInfo("Europe/Berlin") and start.hour == 9
    assert start.utcoffset().total_seconds() == 3600


def test_available_absent_null_and_empty_are_different():
    d = doc()
    d["people"][0]["available"] = None
    d["people"][1]["available"] = []
    p = parse_problem(d)
    assert p.people[0].available is None          # always available
    assert p.people[1].available == ()            # never available


def test_previous_may_name_slots_and_people_that_are_gone():
    gone = {"slot": "OLD", "person": "RETIRED", "line": 7}
    p = parse_problem(doc(previous=[gone, {"slot": "T1", "person": "L1", "line": 0}]))
    assert p.previous == (Assignment("OLD", "RETIRED", 7), Assignment("T1", "L1", 0))


def test_repeated_pins_are_kept_once():
    pin = {"slot": "T1", "person": "L1", "line": 0}
    assert parse_problem(doc(pinned=[pin, pin])).pinned == (Assignment("T1", "L1", 0),)


def test_integral_json_numbers_are_integers():
    d = doc()
    d["slots"][0]["demand"][0]["count"] = 2.0
    d["slots"][0]["priority"] = 5.0
    slot = parse_problem(d).slots[0]
    assert slot.demand[0].count == 2 and isinstance(slot.demand[0].count, int)
    assert slot.priority == 5


# ----------------------------------------------------------------------- bad input

def test_every_error_is_listed_at_once_with_its_path():
    d = doc(format="roster-problem/9", timezone="Mars/Olympus_Mons",
            pinned=[{"slot": "NOPE", "person": "NOBODY", "line": 0},
                    {"slot": "T1", "person": "L1", "line": 2}],
            previous=[{"slot": "gone", "person": "L1", "line": "first"}],
            rules={"travel_kmh": 0, "supervisor_role": ""},
            weights={"km": -1, "change": "high"})
    d["sites"][0]["kind"] = "castle"
    d["sites"][0]["lat"] = 91
    d["sites"][1]["lon"] = -181
    d["sites"][1]["id"] = "S1"
    del d["people"][0]["name"]
    d["people"][0]["roles"] = "lawyer"
    d["people"][0]["max_hours"] = -4
    d["people"][0]["unavailable"] = [{"start": "2026-12-02T10:00:00", "end": "2026-12-02T09:00:00"}]
    d["people"][1]["lat"] = True
    d["people"][1]["target_hours"] = float("nan")
    d["people"][1]["max_slots_per_day"] = 1.5
    d["people"][1]["available"] = [{"start": "next Monday", "end": "2026-12-02T18:00:00"}]
    d["slots"][0]["kind"] = "party"
    d["slots"][0]["site"] = "ATLANTIS"
    d["slots"][0]["priority"] = 6
    d["slots"][0]["end"] = "2026-12-02T09:00:00"
    d["slots"][0]["demand"][0]["count"] = 0
    d["slots"][0]["demand"][1]["roles"] = []
    d["slots"].append({"id": "T2", "site": "S1", "kind": "event", "start": "2026-12-02",
                       "end": "2026-12-02T12:00:00", "demand": [], "choice_cost": -5})
    errors = errors_of(d)
    expected = {
        "$.format": "roster-problem/1",
        "$.timezone": "time zone",
        "$.sites[0].kind": "castle",
        "$.sites[0].lat": "between -90 and 90",
        "$.sites[1].lon": "between -180 and 180",
        "$.sites[1].id": "duplicates",
        "$.people[0].name": "required",
        "$.people[0].roles": "must be a list",
        "$.people[0].max_hours": "at least 0",
        "$.people[0].unavailable[0].end": "after start",
        "$.people[1].lat": "number",
        "$.people[1].target_hours": "finite",
        "$.people[1].max_slots_per_day": "integer",
        "$.people[1].available[0].start": "date and time",
        "$.slots[0].kind": "party",
        "$.slots[0].site": "unknown site 'ATLANTIS'",
        "$.slots[0].priority": "from 1 to 5",
        "$.slots[0].end": "after start",
        "$.slots[0].demand[0].count": "at least 1",
        "$.slots[0].demand[1].roles": "at least one role",
        "$.slots[1].start": "date and time",
        "$.slots[1].demand": "at least one line",
        "$.slots[1].choice_cost": "at least 0",
        "$.pinned[0].slot": "unknown slot 'NOPE'",
        "$.pinned[0].person": "unknown person 'NOBODY'",
        "$.pinned[1].line": "0 to 1",
        "$.previous[0].line": "integer",
        "$.rules.travel_kmh": "greater than 0",
        "$.rules.supervisor_role": "non-empty",
        "$.weights.km": "at least 0",
        "$.weights.change": "number",
    }
    assert set(errors) == set(expected)
    for path, fragment in expected.items():
        assert fragment in errors[path], (path, errors[path])


def test_numbers_too_large_for_a_float():
    d = doc()
    d["people"][0]["max_hours"] = 10 ** 400
    assert errors_of(d) == {"$.people[0].max_hours": "must be a finite number"}


@pytest.mark.parametrize("zone", ["", "Asia", "Asia/Shanghai ", "../../etc/passwd", "Mars/Base"])
def test_unknown_time_zones(zone):
    assert "$.timezone" in errors_of(doc(timezone=zone))


def test_missing_required_fields_are_each_named():
    d = doc()
    d["sites"][0] = {"id": "S1"}
    d["slots"][0] = {"id": "T1"}
    errors = errors_of(d)
    for field in ("name", "kind", "district", "lat", "lon"):
        assert errors[f"$.sites[0].{field}"] == "is required"
    for field in ("site", "kind", "start", "end", "demand"):
        assert errors[f"$.slots[0].{field}"] == "is required"


def test_missing_top_level_lists_and_a_non_object_document():
    errors = errors_of({"format": "roster-problem/1", "timezone": "Asia/Shanghai"})
    assert {"$.sites", "$.people", "$.slots"} <= set(errors)
    assert errors_of([1, 2]) == {"$": "must be an object, not a list"}


def test_items_of_the_wrong_type_are_reported_and_the_rest_still_checked():
    d = doc()
    d["people"].append("L2")
    d["slots"][0]["demand"].append(3)
    d["sites"][1]["lat"] = "north"
    errors = errors_of(d)
    assert errors["$.people[2]"] == "must be an object, not a string"
    assert errors["$.slots[0].demand[2]"] == "must be an object, not a number"
    assert "$.sites[1].lat" in errors


def test_a_pin_on_a_line_of_a_known_slot_with_unknown_person():
    errors = errors_of(doc(pinned=[{"slot": "T1", "person": "X", "line": -1}]))
    assert set(errors) == {"$.pinned[0].line"}  # the line fails its type check first
    errors = errors_of(doc(pinned=[{"slot": "T1", "person": "X", "line": 0}]))
    assert set(errors) == {"$.pinned[0].person"}


def test_problem_error_reads_as_one_line_per_problem():
    d = doc(timezone="Nowhere/Town")
    d["sites"][0]["lat"] = 100
    with pytest.raises(ProblemError) as info:
        parse_problem(d)
    text = str(info.value)
    lines = text.splitlines()
    assert lines[0] == "the roster problem has 2 problems:"
    assert lines[1].startswith("  $.timezone: ") and lines[2].startswith("  $.sites[0].lat: ")


def test_load_problem_reports_bad_json_and_missing_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "roster-problem/1",\n  "sites": [,]}', encoding="utf-8")
    with pytest.raises(ProblemError) as info:
        load_problem(bad)
    (path, message), = info.value.errors
    assert path == "$" and "not valid JSON" in message and "line 2" in message
    with pytest.raises(ProblemError) as info:
        load_problem(tmp_path / "absent.json")
    assert "cannot read" in info.value.errors[0][1]


# ------------------------------------------------------------------------- solutions

def _solution() -> Solution:
    reason = Reason(code="unavailable", zh="3 人当时不可用", en="3 unavailable at that time",
                    params=(("count", "3"),))
    return Solution(status="feasible", objective=1234.5,
                    assignments=(Assignment("T1", "L1", 0), Assignment("T1", "M1", 1)),
                    unfilled=(OpenPlace("T1", 1, 1, (reason,)),), bound=1000.0,
                    stats=(("wall_s", 0.25), ("solutions", 3)))


def test_solution_document_shape():
    d = solution_to_dict(_solution())
    assert d["format"] == "roster-solution/1" and d["status"] == "feasible"
    assert d["objective"] == 1234.5 and d["bound"] == 1000.0
    assert d["assignments"] == [{"slot": "T1", "person": "L1", "line": 0},
                                {"slot": "T1", "person": "M1", "line": 1}]
    assert d["unfilled"] == [{"slot": "T1", "line": 1, "missing": 1,
                              "reasons": ["3 人当时不可用 / 3 unavailable at that time"],
                              "reason_codes": [{"code": "unavailable", "count": "3"}]}]
    assert d["stats"] == {"wall_s": 0.25, "solutions": 3}
    assert "conflicts" not in d
    json.dumps(d)  # plain JSON types only


def test_solution_round_trips_through_json():
    sol = _solution()
    again = parse_solution(json.loads(json.dumps(solution_to_dict(sol), ensure_ascii=False)))
    assert again == sol


def test_infeasible_solution_writes_its_conflicts():
    sol = Solution(status="infeasible", objective=0.0, assignments=(),
                   conflicts=("pin T1/L1 breaks rule 4",))
    d = solution_to_dict(sol)
    assert d["conflicts"] == ["pin T1/L1 breaks rule 4"] and "bound" not in d
    assert parse_solution(d).conflicts == sol.conflicts


def test_parse_solution_is_tolerant_beyond_the_assignments():
    sol = parse_solution({"assignments": [{"slot": "T1", "person": "L1", "line": 0}],
                          "status": "splendid", "unfilled": [{"slot": "T1", "line": 1,
                                                              "missing": 1, "reasons": ["why"]}]})
    assert sol.assignments == (Assignment("T1", "L1", 0),)
    assert sol.status == "unknown" and math.isnan(sol.objective) and sol.bound is None
    assert sol.unfilled[0].reasons == (Reason(code="text", zh="why", en="why"),)


def test_parse_solution_rejects_malformed_assignments_and_other_formats():
    with pytest.raises(ProblemError) as info:
        parse_solution({"format": "roster-problem/1",
                        "assignments": [{"slot": "T1", "person": 5}, "x"]})
    errors = dict(info.value.errors)
    assert set(errors) == {"$.format", "$.assignments[0].person", "$.assignments[0].line",
                           "$.assignments[1]"}
    assert "roster solution" in str(info.value)
    with pytest.raises(ProblemError) as info:
        parse_solution({"status": "optimal"})
    assert info.value.errors == [("$.assignments", "is required")]


def test_the_example_solution_parses():
    raw = json.loads((EXAMPLES / "tiny-solution.json").read_text(encoding="utf-8"))
    sol = parse_solution(raw)
    assert len(sol.assignments) == len(raw["assignments"]) and sol.status == "feasible"
    assert sol.objective == pytest.approx(58603.752899)


def test_pairing_document_shape():
    reason = Reason(code="no_one", zh="没有合格的律师", en="no eligible lawyer")
    pairing = Pairing(status="optimal", objective=12.5, pairs=(Pair("S1", "L1"),),
                      unpaired_sites=(UnpairedSite("S2", (reason,)),))
    assert pairing_to_dict(pairing) == {
        "format": "roster-pairing/1", "status": "optimal", "objective": 12.5,
        "pairs": [{"site": "S1", "person": "L1"}],
        "unpaired_sites": [{"site": "S2", "reasons": ["没有合格的律师 / no eligible lawyer"],
                            "reason_codes": [{"code": "no_one"}]}],
    }
