"""solver.suggest: who could take a place, ranked by the exact change of the objective.

The property test draws random small weeks (the strategies of test_properties), a valid
roster (the greedy's) and one place, and judges every suggestion with the independent
checker: a feasible option is valid and its delta is the checker's objective difference; an
infeasible one breaks exactly the rules it names; a repair is valid and priced exactly.
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.check import check
from solver.greedy import greedy
from solver.io import parse_problem
from solver.problem import Assignment
from solver.suggest import SuggestError, suggest
from tests.solver.factories import assign, interval, line, person, problem, site, slot
from tests.solver.test_properties import SETTINGS, _as_dicts, _solution, problems


def _report(doc, assignments):
    return check(doc, _solution(_as_dicts(assignments)))


def _without(assignments, slot, person, line):
    return [a for a in assignments if (a.slot, a.person, a.line) != (slot, person, line)]


@st.composite
def places(draw):
    doc = draw(problems(max_people=6, max_slots=4, max_lines=2, max_count=2))
    roster = list(greedy(parse_problem(doc)))
    slot = draw(st.sampled_from(doc["slots"]))
    line = draw(st.integers(0, len(slot["demand"]) - 1))
    holders = [a.person for a in roster if (a.slot, a.line) == (slot["id"], line)]
    replacing = draw(st.sampled_from([None, *holders]))
    return doc, roster, slot["id"], line, replacing


@SETTINGS
@given(places())
def test_every_suggestion_is_what_the_checker_says(case):
    doc, roster, slot, line, replacing = case
    before = _report(doc, roster)
    assert before.ok, before.summary()
    base = _without(roster, slot, replacing, line) if replacing else roster
    got = suggest(parse_problem(doc), tuple(roster), slot, line, replacing=replacing, limit=100)

    deltas = [o.delta for o in got.feasible]
    assert deltas == sorted(deltas)
    assert got.feasible_count == len(got.feasible)
    for option in got.feasible:
        after = _report(doc, [*base, Assignment(slot, option.person, line)])
        assert after.ok, (option, after.summary())
        assert option.delta == pytest.approx(after.objective - before.objective, abs=1e-6)
        assert option.delta == pytest.approx(sum(v for _, v in option.terms), abs=1e-6)
    broken_before = _report(doc, base).rules_broken()
    for option in got.infeasible:
        after = _report(doc, [*base, Assignment(slot, option.person, line)])
        assert {b.rule for b in option.blocks} == after.rules_broken() - broken_before - {11}, option
    # Everyone else lacks the line's role or skills (or is the holder being replaced).
    listed = {o.person for o in (*got.feasible, *got.infeasible)} | {replacing}
    listed |= {a.person for a in base if (a.slot, a.line) == (slot, line)}  # have it already
    for p in doc["people"]:
        if p["id"] not in listed:
            after = _report(doc, [*base, Assignment(slot, p["id"], line)])
            assert after.rules_broken() & {2, 3}, p["id"]
    for repair in got.repairs:
        moved = _without(base, repair.from_slot, repair.person, repair.from_line)
        after = _report(doc, [*moved, Assignment(slot, repair.person, line),
                              Assignment(repair.from_slot, repair.replacement, repair.from_line)])
        assert after.ok, (repair, after.summary())
        assert repair.delta == pytest.approx(after.objective - before.objective, abs=1e-6)


def _week(*people, slots=None, pinned=(), previous=()):
    slots = slots or [slot("T1", "S1", start=9), slot("T2", "S2", start=9)]
    return problem([site("S1"), site("S2", x=20)], list(people), slots, pinned=pinned, previous=previous)


def test_the_nearest_comes_first_and_the_terms_add_up():
    p = _week(person("NEAR", x=1), person("FAR", x=15))
    got = suggest(p, (), "T1", 0)
    assert [o.person for o in got.feasible] == ["NEAR", "FAR"]
    near = got.feasible[0]
    assert dict(near.terms)["unfilled"] == -1000 * 3
    assert near.delta == pytest.approx(sum(v for _, v in near.terms))


def test_fairness_can_outrank_distance():
    # FAR is 6 hours under target: filling the 2-hour place saves 20 points, more than 14 km.
    p = _week(person("NEAR", x=1), person("FAR", x=15, target_hours=6))
    assert [o.person for o in suggest(p, (), "T1", 0).feasible] == ["FAR", "NEAR"]


def test_someone_busy_elsewhere_is_listed_with_the_rule_and_the_slot():
    p = _week(person("A"), person("B", x=15, available=[interval(1, 8, 12)]))
    got = suggest(p, (assign("T2", "A"),), "T1", 0)
    assert got.feasible == ()
    blocks = {o.person: o.blocks for o in got.infeasible}
    assert [(b.rule, b.slot) for b in blocks["A"]] == [(5, "T2")]
    assert [b.rule for b in blocks["B"]] == [4]


def test_a_person_without_the_role_is_not_a_candidate():
    p = _week(person("M", roles=("mediator",)), person("L"))
    got = suggest(p, (), "T1", 0)
    assert [o.person for o in (*got.feasible, *got.infeasible)] == ["L"]


def test_replacing_prices_the_holder_leaving():
    p = _week(person("HOLD", x=10), person("NEW", x=1))
    got = suggest(p, (assign("T1", "HOLD"),), "T1", 0, replacing="HOLD")
    assert [o.person for o in got.feasible] == ["NEW"]
    # Only the km change: the place stays filled.
    assert dict(got.feasible[0].terms).keys() == {"km"}
    assert got.feasible[0].delta < 0


def test_a_full_line_blocks_everyone_unless_replacing():
    p = _week(person("HOLD"), person("NEW"))
    got = suggest(p, (assign("T1", "HOLD"),), "T1", 0)
    assert [(o.person, [b.rule for b in o.blocks]) for o in got.infeasible] == [("NEW", [9])]


def test_a_repair_frees_someone_busy_elsewhere():
    # A could do T1 but for their hours (3 of 4 spent at T2); B cannot do T1 (not available
    # then) but can take T2: A moves, B takes A's place.
    busy = problem([site("S1"), site("S2", x=20)],
                   [person("A", max_hours=4), person("B", available=[interval(1, 8, 12)])],
                   [slot("T1", "S1", start=9), slot("T2", "S2", start=9, day=1)])
    got = suggest(busy, (assign("T2", "A"),), "T1", 0)
    assert got.feasible == ()
    assert [(r.person, r.from_slot, r.replacement) for r in got.repairs] == [("A", "T2", "B")]


def test_no_repair_moves_a_locked_place():
    busy = problem([site("S1"), site("S2", x=20)],
                   [person("A", max_hours=4), person("B", available=[interval(1, 8, 12)])],
                   [slot("T1", "S1", start=9), slot("T2", "S2", start=9, day=1)],
                   pinned=[assign("T2", "A")])
    assert suggest(busy, (assign("T2", "A"),), "T1", 0).repairs == ()


def test_a_trainee_needs_a_supervisor_in_the_slot():
    slots = [slot("T1", "S1", demand=[line(("lawyer", "trainee_lawyer"), count=2)])]
    p = _week(person("TR", roles=("trainee_lawyer",)), person("L"), slots=slots)
    alone = {o.person: [b.rule for b in o.blocks] for o in suggest(p, (), "T1", 0).infeasible}
    assert alone == {"TR": [10]}
    with_lawyer = suggest(p, (assign("T1", "L"),), "T1", 0)
    assert [o.person for o in with_lawyer.feasible] == ["TR"]


def test_an_unknown_place_is_refused():
    p = _week(person("A"))
    with pytest.raises(SuggestError):
        suggest(p, (), "NOPE", 0)
    with pytest.raises(SuggestError):
        suggest(p, (), "T1", 3)
    with pytest.raises(SuggestError):
        suggest(p, (), "T1", 0, replacing="A")
