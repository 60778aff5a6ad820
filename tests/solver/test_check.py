"""The independent checker: each hard rule broken and kept, each objective term by hand."""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from solver.check import CheckError, check

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
# Along a meridian the haversine distance is exactly R * dlat (radians).
KM_PER_TENTH_DEGREE = 6371 * math.radians(0.1)  # 11.119 km, 29 min of travel

DAY = "2026-11-30"  # a Monday, Asia/Shanghai (UTC+8, no DST)


def site(id, lat=29.8, lon=121.6, kind="village"):
    return {"id": id, "name": id, "kind": kind, "district": "D", "lat": lat, "lon": lon}


def person(id, roles=("lawyer",), skills=(), lat=29.8, lon=121.6, max_hours=40, **extra):
    return {"id": id, "name": id, "roles": list(roles), "skills": list(skills),
            "district": "D", "lat": lat, "lon": lon, "max_hours": max_hours, **extra}


def line(*roles, count=1, skills=()):
    return {"roles": list(roles), "count": count, "skills": list(skills)}


def slot(id, start, end, demand=None, site="V1", kind="visit", day=DAY, **extra):
    return {"id": id, "site": site, "kind": kind, "start": f"{day}T{start}:00",
            "end": f"{day}T{end}:00", "demand": demand or [line("lawyer")], **extra}


def interval(start, end, day=DAY, end_day=None):
    return {"start": f"{day}T{start}:00", "end": f"{end_day or day}T{end}:00"}


def problem(people, slots, sites=None, **extra):
    return {"format": "roster-problem/1", "timezone": "Asia/Shanghai",
            "sites": sites or [site("V1"), site("V2", lat=29.9), site("W", kind="window")],
            "people": people, "slots": slots, **extra}


def solution(*triples):
    return {"format": "roster-solution/1", "status": "feasible", "objective": 0,
            "assignments": [{"slot": s, "person": p, "line": l} for s, p, l in triples],
            "unfilled": [], "stats": {"wall_s": 0}}


def rules_of(report):
    return report.rules_broken()


# ---------------------------------------------------------------- hard rules, one by one

def test_rule1_unknown_ids_and_bad_lines():
    prob = problem([person("L1")], [slot("A", "09:00", "10:00")])
    assert check(prob, solution(("A", "L1", 0))).ok
    for bad in [("Z", "L1", 0), ("A", "nobody", 0), ("A", "L1", 1), ("A", "L1", -1)]:
        report = check(prob, solution(bad))
        assert rules_of(report) == {1}, bad
        assert any(str(bad[0]) in text or str(bad[1]) in text for _, text in report.violations)
    assert rules_of(check(prob, solution(("A", "L1", "0")))) == {1}


def test_rule2_role():
    prob = problem([person("L1"), person("M1", roles=["mediator"])],
                   [slot("A", "09:00", "10:00", [line("lawyer", "notary")])])
    assert check(prob, solution(("A", "L1", 0))).ok
    report = check(prob, solution(("A", "M1", 0)))
    assert rules_of(report) == {2} and "M1" in report.violations[0][1]


def test_rule3_every_skill():
    prob = problem([person("L1", skills=["family", "land"]), person("L2", skills=["family"])],
                   [slot("A", "09:00", "10:00", [line("lawyer", skills=["family", "land"])])])
    assert check(prob, solution(("A", "L1", 0))).ok
    report = check(prob, solution(("A", "L2", 0)))
    assert rules_of(report) == {3} and "land" in report.violations[0][1]


@pytest.mark.parametrize("available, ok", [
    (None, True),                                            # null: always
    ([interval("08:00", "12:00")], True),
    ([interval("09:00", "10:00")], True),                    # exactly the slot
    ([interval("08:00", "09:30"), interval("09:30", "12:00")], False),  # touching: no join
    ([interval("09:30", "12:00")], False),
    ([], False),                                             # empty: never
])
def test_rule4_available(available, ok):
    extra = {} if available is None else {"available": available}
    prob = problem([person("L1", **extra)], [slot("A", "09:00", "10:00")])
    assert check(prob, solution(("A", "L1", 0))).ok is ok
    if available is None:  # an explicit null means the same as absent
        prob["people"][0]["available"] = None
        assert check(prob, solution(("A", "L1", 0))).ok
    if not ok:
        assert rules_of(check(prob, solution(("A", "L1", 0)))) == {4}


@pytest.mark.parametrize("unavailable, ok", [
    ([interval("10:00", "11:00")], True),                    # touches the end: half-open
    ([interval("08:00", "09:00")], True),                    # touches the start
    ([interval("09:59", "11:00")], False),
    ([interval("00:00", "00:00", end_day="2026-12-01")], False),
])
def test_rule4_unavailable(unavailable, ok):
    prob = problem([person("L1", unavailable=unavailable)], [slot("A", "09:00", "10:00")])
    report = check(prob, solution(("A", "L1", 0)))
    assert report.ok is ok
    if not ok:
        assert rules_of(report) == {4}


def test_rule4_offsets_are_converted_to_the_zone():
    # 01:00Z is 09:00 in Shanghai: the interval covers the slot exactly.
    prob = problem([person("L1", available=[{"start": "2026-11-30T01:00:00Z",
                                              "end": "2026-11-30T02:00:00+00:00"}])],
                   [slot("A", "09:00", "10:00")])
    assert check(prob, solution(("A", "L1", 0))).ok
    prob["people"][0]["available"][0]["start"] = "2026-11-30T09:00:00+00:00"
    assert rules_of(check(prob, solution(("A", "L1", 0)))) == {4}


@pytest.mark.parametrize("second, ok", [
    (slot("B", "10:29", "11:00", site="V2"), True),   # 29 min of travel exactly
    (slot("B", "10:28", "11:00", site="V2"), False),  # one minute short
    (slot("B", "10:00", "11:00", site="V1"), True),   # same site: no travel
    (slot("B", "10:00", "11:00", site="W"), True),    # another site on the same spot: 0 km
    (slot("B", "09:30", "11:00", site="V1"), False),  # overlap
    (slot("B", "08:00", "08:32", site="V2"), False),  # b before a, travel back is short
    (slot("B", "08:00", "08:31", site="V2"), True),   # b before a, just in time
])
def test_rule5_one_place_at_a_time(second, ok):
    prob = problem([person("L1")], [slot("A", "09:00", "10:00"), second])
    report = check(prob, solution(("A", "L1", 0), ("B", "L1", 0)))
    assert report.ok is ok
    if not ok:
        assert rules_of(report) == {5}
        assert "A" in report.violations[0][1] and "B" in report.violations[0][1]


def test_rule5_two_slots_starting_together_break_it_both_ways():
    prob = problem([person("L1")], [slot("A", "09:00", "09:00", site="V1"),
                                   slot("B", "09:00", "10:00")])
    # A lasts zero minutes: read one way (A first) it would pass; the other way it cannot.
    report = check(prob, solution(("A", "L1", 0), ("B", "L1", 0)))
    assert rules_of(report) == {5}


def test_rule6_hours_of_distinct_slots():
    slots = [slot("A", "09:00", "10:30"), slot("B", "13:00", "14:00")]
    assert check(problem([person("L1", max_hours=2.5)], slots),
                 solution(("A", "L1", 0), ("B", "L1", 0))).ok
    report = check(problem([person("L1", max_hours=2.4)], slots),
                   solution(("A", "L1", 0), ("B", "L1", 0)))
    assert rules_of(report) == {6}


def test_rule7_local_calendar_day_of_the_start():
    # 07:00 Tuesday local is 23:00 Monday UTC: same UTC day as Monday 10:00 local,
    # yet another local day.
    apart = [slot("A", "10:00", "11:00"), slot("B", "07:00", "08:00", day="2026-12-01")]
    assert check(problem([person("L1", max_slots_per_day=1)], apart),
                 solution(("A", "L1", 0), ("B", "L1", 0))).ok
    # 07:00 and 20:00 Monday local fall on two UTC days but one local day.
    same = [slot("A", "07:00", "08:00"), slot("B", "20:00", "21:00")]
    report = check(problem([person("L1", max_slots_per_day=1)], same),
                   solution(("A", "L1", 0), ("B", "L1", 0)))
    assert rules_of(report) == {7}
    assert check(problem([person("L1", max_slots_per_day=2)], same),
                 solution(("A", "L1", 0), ("B", "L1", 0))).ok
    assert check(problem([person("L1")], same), solution(("A", "L1", 0), ("B", "L1", 0))).ok


def test_rule8_one_line_of_one_slot_and_no_duplicates():
    prob = problem([person("L1")], [slot("A", "09:00", "10:00",
                                         [line("lawyer"), line("lawyer", count=2)])])
    assert check(prob, solution(("A", "L1", 1))).ok
    assert rules_of(check(prob, solution(("A", "L1", 0), ("A", "L1", 1)))) == {8}
    assert rules_of(check(prob, solution(("A", "L1", 1), ("A", "L1", 1)))) == {8}


def test_rule9_count():
    prob = problem([person("L1"), person("L2"), person("L3")],
                   [slot("A", "09:00", "10:00", [line("lawyer", count=2)])])
    assert check(prob, solution(("A", "L1", 0), ("A", "L2", 0))).ok
    report = check(prob, solution(("A", "L1", 0), ("A", "L2", 0), ("A", "L3", 0)))
    assert rules_of(report) == {9} and len(report.violations) == 1


def test_rule10_trainee_needs_a_supervisor_in_the_slot():
    people = [person("T1", roles=["trainee_lawyer"]), person("L1"),
              person("M1", roles=["mediator"]),
              person("TL", roles=["trainee_lawyer", "lawyer"])]
    demand = [line("trainee_lawyer"), line("lawyer", "trainee_lawyer"), line("mediator")]
    prob = problem(people, [slot("A", "09:00", "10:00", demand)])
    assert rules_of(check(prob, solution(("A", "T1", 0)))) == {10}
    assert rules_of(check(prob, solution(("A", "T1", 1)))) == {10}  # no "other role" held
    assert rules_of(check(prob, solution(("A", "T1", 0), ("A", "M1", 2)))) == {10}
    assert check(prob, solution(("A", "T1", 0), ("A", "L1", 1))).ok
    # Holds an other role of the line: not a trainee assignment there.
    assert check(prob, solution(("A", "TL", 1))).ok
    # A trainee assignment of someone who also holds the supervisor role still needs
    # another person's assignment.
    assert rules_of(check(prob, solution(("A", "TL", 0)))) == {10}
    assert check(prob, solution(("A", "TL", 0), ("A", "L1", 1))).ok
    # Custom role names.
    custom = copy.deepcopy(prob)
    custom["rules"] = {"trainee_role": "mediator", "supervisor_role": "trainee_lawyer"}
    assert rules_of(check(custom, solution(("A", "M1", 2)))) == {10}
    assert check(custom, solution(("A", "M1", 2), ("A", "T1", 0))).ok


def test_rule11_pinned():
    prob = problem([person("L1")], [slot("A", "09:00", "10:00",
                                         [line("lawyer"), line("lawyer")])],
                   pinned=[{"slot": "A", "person": "L1", "line": 0}])
    assert check(prob, solution(("A", "L1", 0))).ok
    assert rules_of(check(prob, solution())) == {11}
    assert rules_of(check(prob, solution(("A", "L1", 1)))) == {11}  # another line


def test_rule12_excluded_sites():
    prob = problem([person("L1", excluded_sites=["V1"])],
                   [slot("A", "09:00", "10:00"), slot("B", "13:00", "14:00", site="V2")])
    assert check(prob, solution(("B", "L1", 0))).ok
    report = check(prob, solution(("A", "L1", 0)))
    assert rules_of(report) == {12} and "V1" in report.violations[0][1]


def test_rule13_choice_at_most_one_staffed():
    slots = [slot("A", "09:00", "10:00", choice="c"), slot("B", "13:00", "14:00", choice="c"),
             slot("C", "15:00", "16:00", choice="d")]
    prob = problem([person("L1"), person("L2")], slots)
    assert check(prob, solution(("A", "L1", 0), ("C", "L1", 0))).ok
    report = check(prob, solution(("A", "L1", 0), ("B", "L2", 0)))
    assert rules_of(report) == {13} and "'c'" in report.violations[0][1]


def test_malformed_documents_are_refused_clearly():
    prob = problem([person("L1")], [slot("A", "09:00", "10:00")])
    with pytest.raises(CheckError, match="roster-solution/1"):
        check(prob, {"assignments": []})
    with pytest.raises(CheckError, match="roster-problem/1"):
        check({}, solution())
    with pytest.raises(CheckError, match="timezone"):
        check({**prob, "timezone": "Mars/Olympus"}, solution())
    with pytest.raises(CheckError, match=r"slots\[0\].site: unknown site 'X'"):
        check(problem([person("L1")], [slot("A", "09:00", "10:00", site="X")]), solution())
    with pytest.raises(CheckError, match="slots.0..start"):
        check(problem([person("L1")], [{**slot("A", "09:00", "10:00"), "start": "noon"}]),
              solution())


# ---------------------------------------------------------------- objective, term by term

def test_unfilled_counts_missing_places_times_priority():
    prob = problem([person("L1")], [
        slot("A", "09:00", "10:00", [line("lawyer", count=2), line("mediator")], priority=4),
        slot("B", "13:00", "14:00"),  # default priority 3
    ])
    report = check(prob, solution(("A", "L1", 0)))
    assert report.terms["unfilled"] == (1 * 4 + 1 * 4 + 1 * 3) * 1000
    assert (report.filled, report.demanded) == (1, 4)
    prob["weights"] = {"unfilled": 10}
    assert check(prob, solution(("A", "L1", 0))).terms["unfilled"] == 110


def test_unfilled_and_choice_in_choice_groups():
    slots = [slot("A", "09:00", "10:00", [line("lawyer", count=2)], choice="c", priority=1),
             slot("B", "13:00", "14:00", [line("lawyer", count=3)], choice="c",
                  choice_cost=7.5, priority=1),
             slot("C", "15:00", "16:00", choice="d", choice_cost=4, priority=1)]
    prob = problem([person("L1")], slots)
    none = check(prob, solution())
    # Nothing staffed: group c counts its first slot A (2), group d its only slot C (1).
    assert none.terms["unfilled"] == 3000 and none.terms["choice"] == 0
    staffed_b = check(prob, solution(("B", "L1", 0)))
    assert staffed_b.terms["unfilled"] == (2 + 1) * 1000
    assert staffed_b.terms["choice"] == 7.5
    both = check(prob, solution(("B", "L1", 0), ("C", "L1", 0)))
    assert both.terms["unfilled"] == 2000 and both.terms["choice"] == 11.5
    assert (both.filled, both.demanded) == (2, 4)


def test_unpaired_only_on_lines_a_paired_person_could_hold():
    people = [person("L1"), person("P1", paired_sites=["V1"], skills=["family"]),
              person("M1", roles=["mediator"]), person("N1", roles=["notary"])]
    slots = [slot("A", "09:00", "10:00", [line("lawyer"), line("mediator"),
                                          line("lawyer", skills=["land"])]),
             slot("E", "13:00", "14:00", kind="event"),
             slot("B", "15:00", "16:00", site="V2"),
             slot("C", "17:00", "18:00", [line("lawyer", "notary", count=2)])]
    prob = problem(people, slots, weights={"km": 0})
    # Line 0 of A: P1 could hold it, L1 is not paired: costs. Line 1: no paired mediator.
    assert check(prob, solution(("A", "L1", 0))).terms["unpaired"] == 50
    assert check(prob, solution(("A", "M1", 1))).terms["unpaired"] == 0
    assert check(prob, solution(("A", "P1", 0))).terms["unpaired"] == 0
    # Line 2 needs "land", which P1 lacks.
    assert check(prob, solution(("A", "L1", 2))).terms["unpaired"] == 0
    # An event at the paired site, and a visit at an unpaired village, cost nothing.
    assert check(prob, solution(("E", "L1", 0))).terms["unpaired"] == 0
    assert check(prob, solution(("B", "L1", 0))).terms["unpaired"] == 0
    # Any assignment of someone unpaired on such a line costs, whatever their role.
    assert check(prob, solution(("C", "N1", 0), ("C", "L1", 0))).terms["unpaired"] == 100
    # Availability of the paired person does not matter.
    prob["people"][1]["available"] = []
    assert check(prob, solution(("A", "L1", 0))).terms["unpaired"] == 50


def test_km_from_home_to_site():
    prob = problem([person("L1", lat=29.7), person("L2")],
                   [slot("A", "09:00", "10:00", [line("lawyer", count=2)], site="V2")])
    report = check(prob, solution(("A", "L1", 0), ("A", "L2", 0)))
    assert report.terms["km"] == pytest.approx(3 * KM_PER_TENTH_DEGREE, rel=1e-12)
    prob["weights"] = {"km": 2.5}
    assert check(prob, solution(("A", "L2", 0))).terms["km"] == \
        pytest.approx(2.5 * KM_PER_TENTH_DEGREE, rel=1e-12)


def test_fairness_against_target_hours():
    prob = problem([person("L1", target_hours=3), person("L2", target_hours=1),
                    person("L3")],
                   [slot("A", "09:00", "10:30"), slot("B", "13:00", "14:00")])
    report = check(prob, solution(("A", "L1", 0), ("B", "L3", 0)))
    # L1: |1.5 - 3| * 10; L2: |0 - 1| * 10; L3 has no target.
    assert report.terms["fairness"] == 15 + 10


def test_undesired_once_per_overlapping_assignment():
    undesired = [interval("09:30", "09:45"), interval("09:40", "12:00"),
                 interval("14:00", "15:00")]
    prob = problem([person("L1", undesired=undesired)],
                   [slot("A", "09:00", "10:00"), slot("B", "13:00", "14:00")])
    assert check(prob, solution(("A", "L1", 0))).terms["undesired"] == 30
    assert check(prob, solution(("B", "L1", 0))).terms["undesired"] == 0  # touching only


def test_change_counts_previous_pairs_dropped():
    prev = [{"slot": "A", "person": "L1", "line": 1},   # kept on another line: free
            {"slot": "A", "person": "L2", "line": 0},   # dropped
            {"slot": "gone", "person": "L1", "line": 0},  # slot no longer there
            {"slot": "A", "person": "ghost", "line": 0}]  # person no longer there
    prob = problem([person("L1"), person("L2")],
                   [slot("A", "09:00", "10:00", [line("lawyer"), line("lawyer")])],
                   previous=prev)
    report = check(prob, solution(("A", "L1", 0)))
    assert report.terms["change"] == 300
    assert report.ok


def test_objective_is_the_sum_of_the_terms():
    prob = problem([person("L1", lat=29.7, target_hours=2)], [slot("A", "09:00", "10:00")],
                   previous=[{"slot": "A", "person": "L2", "line": 0}])
    report = check(prob, solution(("A", "L1", 0)))
    assert report.objective == pytest.approx(KM_PER_TENTH_DEGREE + 10 + 100)
    assert report.objective == pytest.approx(sum(report.terms.values()))


def test_the_spec_example():
    prob = json.loads((EXAMPLES / "tiny-problem.json").read_text(encoding="utf-8"))
    sol = json.loads((EXAMPLES / "tiny-solution.json").read_text(encoding="utf-8"))
    report = check(prob, sol)
    assert report.violations == []
    assert report.terms["unfilled"] == 58_000
    assert report.terms["unpaired"] == 250
    assert report.terms["km"] == pytest.approx(218.753, abs=5e-4)
    assert report.terms["fairness"] == pytest.approx(135)
    assert report.terms["choice"] == report.terms["undesired"] == report.terms["change"] == 0
    assert report.objective == pytest.approx(58_603.753, abs=5e-4)
    assert report.objective == pytest.approx(sol["objective"], abs=1e-5)
