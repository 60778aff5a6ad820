"""Property tests: random small roster problems, judged by the independent checker.

(a) Whatever `solver.greedy.greedy` and `solver.solve.solve` write passes every hard rule,
    and the objective the solver writes is the checker's.
(b) On tiny problems the solver's objective is the brute-force optimum over every
    assignment set (enumerated here, scored by the checker).

PROPERTY_EXAMPLES=500 python3 -m pytest tests/solver/test_properties.py  explores further
(with fresh random examples; the default run is derandomized so CI is repeatable).
"""
from __future__ import annotations

import itertools
import math
import os
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from solver.check import check

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "25"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 25,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DAYS = (date(2026, 11, 30), date(2026, 12, 1))
PERSON_ROLES = (["lawyer"], ["lawyer"], ["trainee_lawyer"], ["mediator"],
                ["lawyer", "mediator"], ["trainee_lawyer", "mediator"])
LINE_ROLES = (["lawyer"], ["lawyer"], ["mediator"], ["trainee_lawyer"],
              ["lawyer", "trainee_lawyer"], ["lawyer", "mediator"])
SKILLS = ("family", "land")
HALF_HOURS = list(range(16, 38))  # 08:00 .. 18:30 on a half-hour grid
SLOT_STARTS = (16, 18, 19, 20, 26, 28, 30)  # 08:00, 09:00, 09:30, 10:00, 13:00 ...


def _at(day: int, half_hour: int) -> str:
    moment = datetime.combine(DAYS[day], time()) + timedelta(minutes=30 * half_hour)
    return moment.isoformat()


@st.composite
def spans(draw, starts=tuple(HALF_HOURS), lengths=(1, 2, 3, 4)):
    day = draw(st.integers(0, len(DAYS) - 1))
    start = draw(st.sampled_from(starts))
    return {"start": _at(day, start), "end": _at(day, start + draw(st.sampled_from(lengths)))}


@st.composite
def availability(draw):
    """Mostly the usual mornings, afternoons and whole days, sometimes an odd span."""
    day = draw(st.integers(0, len(DAYS) - 1))
    start, end = draw(st.sampled_from(((16, 24), (26, 36), (16, 36), (18, 22))))
    if draw(st.integers(0, 3)) == 0:
        return draw(spans(lengths=(2, 4, 8)))
    return {"start": _at(day, start), "end": _at(day, end)}


def _sub(draw, items, min_size=0, max_size=None):
    return draw(st.lists(st.sampled_from(items), min_size=min_size, max_size=max_size,
                         unique=True))


@st.composite
def sites(draw, n):
    out = []
    for i in range(n):
        kind = draw(st.sampled_from(("village", "village", "window", "square")))
        out.append({"id": f"S{i}", "name": f"site {i}", "kind": kind, "district": "D",
                    # up to ~0.15 degree apart: 0 to ~45 minutes of travel at 30 km/h
                    "lat": 29.8 + draw(st.integers(0, 10)) * 0.01,
                    "lon": 121.6 + draw(st.integers(0, 10)) * 0.01})
    return out


@st.composite
def people(draw, n, site_ids, villages):
    out = []
    for i in range(n):
        p = {"id": f"P{i}", "name": f"person {i}",
             "roles": draw(st.sampled_from(PERSON_ROLES)),
             "skills": _sub(draw, SKILLS), "district": "D",
             "lat": 29.8 + draw(st.integers(0, 10)) * 0.01,
             "lon": 121.6 + draw(st.integers(0, 10)) * 0.01,
             "max_hours": draw(st.sampled_from((1.5, 2, 3, 4, 40)))}
        if draw(st.booleans()):
            p["target_hours"] = draw(st.sampled_from((0, 1, 2.5, 4)))
        if draw(st.booleans()):
            p["max_slots_per_day"] = draw(st.integers(1, 2))
        mode = draw(st.sampled_from(("absent", "absent", "null", "empty", "some", "some",
                                     "some")))
        if mode == "null":
            p["available"] = None
        elif mode == "empty":
            p["available"] = []
        elif mode == "some":
            p["available"] = draw(st.lists(availability(), min_size=1, max_size=3))
        for key in ("unavailable", "undesired"):
            if draw(st.booleans()):
                p[key] = draw(st.lists(spans(), min_size=1, max_size=2))
        if villages:
            p["paired_sites"] = _sub(draw, villages, max_size=2)
        if draw(st.integers(0, 4)) == 0:
            p["excluded_sites"] = _sub(draw, site_ids, min_size=1, max_size=1)
        out.append(p)
    return out


@st.composite
def slots(draw, n, site_docs, max_lines, max_count):
    out = []
    for i in range(n):
        where = draw(st.sampled_from(site_docs))
        kind = {"village": "visit", "square": "event"}.get(where["kind"], "shift")
        span = draw(spans(starts=SLOT_STARTS, lengths=(2, 2, 3, 4, 6)))
        lines = [{"roles": draw(st.sampled_from(LINE_ROLES)),
                  "count": draw(st.integers(1, max_count)),
                  "skills": _sub(draw, SKILLS, max_size=1) if draw(st.booleans()) else []}
                 for _ in range(draw(st.integers(1, max_lines)))]
        slot = {"id": f"T{i}", "site": where["id"], "kind": kind, **span,
                "priority": draw(st.integers(1, 5)), "demand": lines}
        if draw(st.integers(0, 2)) == 0:
            slot["choice"] = draw(st.sampled_from(("c1", "c2")))
            slot["choice_cost"] = draw(st.sampled_from((0, 5, 250)))
        out.append(slot)
    return out


@st.composite
def problems(draw, max_people=5, max_slots=4, max_lines=2, max_count=2):
    """A valid roster-problem/1 dict; its pins (if any) are a set the checker accepts."""
    site_docs = draw(sites(draw(st.integers(1, 3))))
    site_ids = [s["id"] for s in site_docs]
    villages = [s["id"] for s in site_docs if s["kind"] == "village"]
    doc = {"format": "roster-problem/1", "timezone": "Asia/Shanghai", "sites": site_docs,
           "people": draw(people(draw(st.integers(2, max_people)), site_ids, villages)),
           "slots": draw(slots(draw(st.integers(2, max_slots)), site_docs, max_lines,
                               max_count))}
    if draw(st.booleans()):
        doc["rules"] = {"travel_kmh": draw(st.sampled_from((15, 30, 60))),
                        "road_factor": draw(st.sampled_from((1.0, 1.3)))}
    if draw(st.booleans()):
        doc["weights"] = {name: draw(st.sampled_from(values)) for name, values in (
            ("unfilled", (1000, 50)), ("unpaired", (50, 400)), ("km", (1, 20)),
            ("fairness", (10, 300)), ("undesired", (30, 500)), ("change", (100, 10)))}
    triples = [(s["id"], p["id"], k) for s in doc["slots"] for p in doc["people"]
               for k in range(len(s["demand"]))]
    previous = _sub(draw, triples, max_size=3)
    doc["previous"] = [{"slot": s, "person": p, "line": k} for s, p, k in previous]
    if draw(st.booleans()):
        doc["previous"].append({"slot": "gone", "person": doc["people"][0]["id"], "line": 0})
    # Pins are drawn among the places someone could take alone, and kept only as a set the
    # checker accepts, so every problem here has a valid answer.
    fit = [t for t in triples if not check(doc, _solution([dict(zip(
        ("slot", "person", "line"), t))])).rules_broken() - {10, 11}]
    pins = _sub(draw, fit, max_size=2) if fit else []
    if pins:
        doc["pinned"] = [{"slot": s, "person": p, "line": k} for s, p, k in pins]
        if not check(doc, _solution(doc["pinned"])).ok:
            del doc["pinned"]
    return doc


def _solution(assignments, **extra) -> dict:
    return {"format": "roster-solution/1", "status": "feasible", "objective": 0,
            "assignments": list(assignments), "unfilled": [], "stats": {}, **extra}


def _as_dicts(assignments) -> list[dict]:
    return [{"slot": a.slot, "person": a.person, "line": a.line} for a in assignments]


# ---------------------------------------------------------------- brute force

PARTIAL_RULES = {2, 3, 4, 5, 6, 7, 8, 9, 12, 13}  # adding assignments never mends these


def _slot_options(doc: dict, slot: dict) -> list[list[dict]]:
    """Every way to staff one slot alone: each person on at most one line (or none),
    within counts, each place fit for its person and the slot supervised."""
    fits = []
    for p in doc["people"]:
        mine = [None]
        for k in range(len(slot["demand"])):
            a = {"slot": slot["id"], "person": p["id"], "line": k}
            if not check(doc, _solution([a])).rules_broken() & PARTIAL_RULES:
                mine.append(a)
        fits.append(mine)
    options = []
    for combo in itertools.product(*fits):
        chosen = [a for a in combo if a is not None]
        if not check(doc, _solution(chosen)).rules_broken() - {11}:
            options.append(chosen)
    return options


def brute_force(doc: dict) -> tuple[float, list[dict]]:
    """The least objective over all valid assignment sets, by depth-first enumeration
    that prunes a partial set as soon as it breaks a rule that more assignments can't mend."""
    per_slot = [_slot_options(doc, s) for s in doc["slots"]]
    best: list = [float("inf"), None]

    def walk(i: int, chosen: list[dict]) -> None:
        if i == len(per_slot):
            report = check(doc, _solution(chosen))
            if report.ok and report.objective < best[0]:
                best[:] = [report.objective, list(chosen)]
            return
        for option in per_slot[i]:
            trial = chosen + option
            if option and check(doc, _solution(trial)).rules_broken() & PARTIAL_RULES:
                continue
            walk(i + 1, trial)

    walk(0, [])
    return best[0], best[1]


def test_brute_force_finds_the_known_optimum():
    """The enumerator itself, on a case worked out by hand: two lawyers, a visit and an
    event at one village at once. The event costs more left open, but L1 there costs only
    the road (no `unpaired` on events), so L2, paired and near, takes the visit."""
    doc = {"format": "roster-problem/1", "timezone": "Asia/Shanghai",
           "sites": [{"id": "V", "name": "v", "kind": "village", "district": "D",
                      "lat": 29.8, "lon": 121.6}],
           "people": [{"id": "L1", "name": "a", "roles": ["lawyer"], "skills": [],
                       "district": "D", "lat": 29.9, "lon": 121.6, "max_hours": 8},
                      {"id": "L2", "name": "b", "roles": ["lawyer"], "skills": [],
                       "district": "D", "lat": 29.8, "lon": 121.6, "max_hours": 8,
                       "paired_sites": ["V"]}],
           "slots": [{"id": "A", "site": "V", "kind": "visit", "start": _at(0, 18),
                      "end": _at(0, 20), "priority": 1,
                      "demand": [{"roles": ["lawyer"], "count": 2}]},
                     {"id": "B", "site": "V", "kind": "event", "start": _at(0, 18),
                      "end": _at(0, 20), "priority": 5,
                      "demand": [{"roles": ["lawyer"], "count": 1}]}]}
    value, chosen = brute_force(doc)
    assert sorted((a["slot"], a["person"]) for a in chosen) == [("A", "L2"), ("B", "L1")]
    # One place of A stays open (1000 * priority 1); L1 comes 11.12 km.
    assert value == pytest.approx(1000 + 6371 * math.radians(0.1))


# ---------------------------------------------------------------- the properties

@SETTINGS
@given(problems())
def test_greedy_solutions_pass_the_checker(doc):
    from solver.greedy import greedy
    from solver.io import parse_problem

    report = check(doc, _solution(_as_dicts(greedy(parse_problem(doc)))))
    assert report.ok, report.summary()


@SETTINGS
@given(problems())
def test_solver_solutions_pass_the_checker(doc):
    from solver.io import parse_problem, solution_to_dict
    from solver.solve import solve

    written = solution_to_dict(solve(parse_problem(doc), time_limit=10.0, workers=1))
    report = check(doc, written)
    assert report.ok, report.summary()
    assert written["status"] in ("optimal", "feasible")
    assert written["objective"] == pytest.approx(report.objective, rel=1e-9, abs=1e-6)


@SETTINGS
@given(problems(max_people=3, max_slots=3, max_lines=2, max_count=2))
def test_solver_reaches_the_brute_force_optimum(doc):
    from solver.io import parse_problem, solution_to_dict
    from solver.solve import solve

    optimum, best = brute_force(doc)
    written = solution_to_dict(solve(parse_problem(doc), time_limit=20.0, workers=1))
    report = check(doc, written)
    assert report.ok, report.summary()
    assert written["status"] == "optimal"
    assert report.objective == pytest.approx(optimum, rel=1e-9, abs=1e-6), (
        f"solver {report.objective} vs brute force {optimum} with {best}")


def _pruning_trap() -> dict:
    """P0 is the nearest for both clashing slots, so k = 1 keeps only P0 (and the warm
    start's P1 on B): the pruned model's optimum, 15 km, and its bound lie above the
    true optimum, 10.5 km (tests/solver/test_solve.py has the same case)."""
    from tests.solver.factories import person, problem, site, slot, to_doc

    return to_doc(problem([site("SA", x=0), site("SB", x=10)],
                          [person("P0", x=5), person("P1", x=20), person("P2", x=-5.5)],
                          [slot("A", "SA", priority=5), slot("B", "SB", priority=1)]))


@SETTINGS
@given(problems(max_people=4, max_slots=3, max_lines=2, max_count=2), st.sampled_from((0, 1, 2)))
@example(_pruning_trap(), 1)
def test_written_bound_is_below_the_optimum_even_when_pruned(doc, k):
    """`bound <= optimum <= objective` (issue 14): `bound` is a proven lower bound of the
    problem in the file, also when candidates are pruned to the `k` cheapest per line
    (k = 0: no pruning), whose own bound may lie above the optimum and is only reported
    as `stats.pruned_bound`. `optimal` is claimed only when it is the optimum."""
    from solver.io import parse_problem, solution_to_dict
    from solver.solve import solve

    optimum, _ = brute_force(doc)
    written = solution_to_dict(solve(parse_problem(doc), time_limit=10.0, workers=1, k=k))
    report = check(doc, written)
    assert report.ok, report.summary()
    tolerance = 1e-6 * max(1.0, abs(optimum))
    assert report.objective >= optimum - tolerance
    if "bound" in written:
        assert written["bound"] <= optimum + tolerance, (
            f"bound {written['bound']} above the optimum {optimum} (k={k}, "
            f"stats {written['stats']})")
    if written["status"] == "optimal":
        assert report.objective == pytest.approx(optimum, rel=1e-9, abs=1e-6)
