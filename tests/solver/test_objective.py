"""solver.objective: the spec's terms computed exactly from assignments."""
import random

import pytest

from solver.geo import km
from solver.model.index import ProblemIndex
from solver.model.roster import Roster
from solver.objective import add_delta, objective, objective_terms, terms_of
from solver.problem import Solution
from tests.solver.factories import (
    assign,
    check_report,
    interval,
    line,
    person,
    problem,
    site,
    slot,
)


def _terms(p, *assignments):
    return objective_terms(p, assignments)


def test_km_per_assignment():
    p = problem([site("S1", x=3)], [person("L1")], [slot("T1", "S1")], km=2.0)
    t = _terms(p, assign("T1", "L1"))
    s, q = p.sites[0], p.people[0]
    assert t["km"] == pytest.approx(2.0 * km(q.lat, q.lon, s.lat, s.lon))
    assert t["km"] == pytest.approx(6.0, rel=1e-3)


def test_unfilled_counts_missing_places_times_priority():
    p = problem([site("S1")], [person("L1")], [slot("T1", "S1", priority=4, demand=[line(count=2)])])
    assert _terms(p, assign("T1", "L1"))["unfilled"] == 1 * 1000 * 4
    assert _terms(p)["unfilled"] == 2 * 1000 * 4


def test_unpaired_only_on_visit_lines_an_adviser_could_hold():
    people = [person("A1", paired_sites=("S1",)), person("L2"), person("M1", roles=("mediator",))]
    slots = [slot("V", "S1", demand=[line(("lawyer",)), line(("mediator",))]),
             slot("W", "S1", day=1, kind="shift")]
    p = problem([site("S1")], people, slots)
    assert _terms(p, assign("V", "L2"))["unpaired"] == 50
    assert _terms(p, assign("V", "A1"))["unpaired"] == 0
    # The adviser is no mediator: nobody is "unpaired" on the mediator line.
    assert _terms(p, assign("V", "M1", 1))["unpaired"] == 0
    # Not a visit.
    assert _terms(p, assign("W", "L2"))["unpaired"] == 0


def test_fairness_is_distance_from_target_hours():
    p = problem([site("S1")], [person("L1", target_hours=4), person("L2")], [slot("T1", "S1", hours=3)])
    assert _terms(p, assign("T1", "L1"))["fairness"] == 10
    assert _terms(p)["fairness"] == 40
    assert _terms(p, assign("T1", "L2"))["fairness"] == 40


def test_undesired_once_per_overlapping_assignment():
    q = person("L1", undesired=[interval(0, 8, 10), interval(0, 11, 13)])
    p = problem([site("S1")], [q], [slot("T1", "S1", start=9), slot("T2", "S1", start=13)])
    assert _terms(p, assign("T1", "L1"))["undesired"] == 30
    assert _terms(p, assign("T2", "L1"))["undesired"] == 0  # touching is no overlap


def test_change_counts_every_previous_entry_not_kept():
    previous = [assign("T1", "L1"), assign("T1", "L2", 1), assign("GONE", "L1"),
                assign("T1", "GHOST"), assign("T1", "L2", 1)]
    p = problem([site("S1")], [person("L1"), person("L2")],
                [slot("T1", "S1", demand=[line(), line()])], previous=previous)
    # L1 kept (on another line: still kept); L2 dropped twice; missing slot and person.
    assert _terms(p, assign("T1", "L1", 1))["change"] == 4 * 100


def test_choice_group_counts_the_staffed_slot_or_else_the_first():
    slots = [slot("A", "S1", day=0, choice="c", choice_cost=5, demand=[line(count=2)]),
             slot("B", "S1", day=1, choice="c", choice_cost=25, priority=5)]
    p = problem([site("S1")], [person("L1")], slots)
    none = _terms(p)
    assert (none["unfilled"], none["choice"]) == (2 * 1000 * 3, 0)
    b = _terms(p, assign("B", "L1"))
    assert (b["unfilled"], b["choice"]) == (0, 25)
    a = _terms(p, assign("A", "L1"))
    assert (a["unfilled"], a["choice"]) == (1000 * 3, 5)


def _random_problem(rng: random.Random):
    sites = [site(f"S{n}", x=rng.uniform(0, 30), y=rng.uniform(0, 30)) for n in range(4)]
    people = [person(f"P{n}", roles=rng.choice([("lawyer",), ("mediator",), ("lawyer", "mediator")]),
                     x=rng.uniform(0, 30), target_hours=rng.choice([None, 2, 5]),
                     paired_sites=rng.choice([(), ("S0",), ("S1",)]),
                     undesired=[interval(rng.randrange(3), 8, 11)], max_hours=30)
              for n in range(6)]
    slots = [slot(f"T{n}", f"S{rng.randrange(4)}", day=rng.randrange(3), start=rng.choice([9, 14]),
                  hours=rng.choice([2, 3.5]), priority=rng.randint(1, 5),
                  choice="c" if n < 2 else None, choice_cost=10 * n,
                  demand=[line(("lawyer",), count=rng.randint(1, 2)), line(("mediator",))])
             for n in range(6)]
    previous = [assign(f"T{rng.randrange(6)}", f"P{rng.randrange(6)}") for _ in range(4)]
    return problem(sites, people, slots, previous=previous)


@pytest.mark.parametrize("seed", range(5))
def test_add_delta_is_the_change_of_the_objective(seed):
    rng = random.Random(seed)
    p = _random_problem(rng)
    ix = ProblemIndex(p)
    roster = Roster(ix)
    for _ in range(40):
        i, j = rng.randrange(len(p.slots)), rng.randrange(len(p.people))
        l = rng.randrange(2)
        if not ix.qualified(p.people[j], p.slots[i].demand[l]) or roster.blockers(i, l, j):
            continue
        before = sum(terms_of(ix, list(roster.assignments())).values())
        delta = add_delta(ix, roster, i, l, j)
        roster.add(i, l, j)
        after = sum(terms_of(ix, list(roster.assignments())).values())
        assert delta == pytest.approx(after - before, abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_objective_agrees_with_the_independent_checker(seed):
    rng = random.Random(100 + seed)
    p = _random_problem(rng)
    ix = ProblemIndex(p)
    roster = Roster(ix)
    for _ in range(30):
        i, j, l = rng.randrange(len(p.slots)), rng.randrange(len(p.people)), rng.randrange(2)
        if ix.qualified(p.people[j], p.slots[i].demand[l]) and not roster.blockers(i, l, j):
            roster.add(i, l, j)
    assignments = [assign(p.slots[i].id, p.people[j].id, l) for i, l, j in roster.assignments()]
    report = check_report(p, Solution("feasible", 0.0, tuple(assignments)))
    assert report.ok, report.summary()
    mine = objective_terms(p, assignments)
    for name, value in report.terms.items():
        assert mine[name] == pytest.approx(value, abs=1e-6), name
    assert objective(p, assignments) == pytest.approx(report.objective, abs=1e-6)
