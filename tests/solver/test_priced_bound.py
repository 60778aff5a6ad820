"""The priced Lagrangian bound (issue 14, item 3; solver.model.priced_bound): a lower bound
of the whole problem from an LP over a few columns, priced over every eligible column."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import solver.model.priced_bound as priced
import solver.solve as solve_module
from solver.candidates import build_candidates
from solver.io import parse_problem
from solver.model.index import ProblemIndex
from tests.solver.factories import person, problem, site, slot, solved, to_doc
from tests.solver.test_properties import brute_force, problems

TOLERANCE = 1e-6


def _trap():
    """k = 1 keeps only P0 on both clashing slots; the optimum (A: P2, B: P0) is 10.5 km."""
    return problem([site("SA", x=0), site("SB", x=10)],
                   [person("P0", x=5), person("P1", x=20), person("P2", x=-5.5)],
                   [slot("A", "SA", priority=5), slot("B", "SB", priority=1)])


def _duals(week, columns) -> dict:
    lp = priced.RestrictedLp(week)
    lp.add(sorted(columns))
    return lp.solve(10.0)


def _bound(p, k: int | None) -> float | None:
    ix = ProblemIndex(p)
    return priced.priced_bound(ix, build_candidates(ix, k).triples(), time.monotonic() + 20)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problems(max_people=4, max_slots=3, max_lines=2, max_count=2), st.sampled_from((1, 2)))
@example(to_doc(_trap()), 1)
def test_the_priced_bound_never_exceeds_the_optimum(doc, k):
    optimum, _ = brute_force(doc)
    bound = _bound(parse_problem(doc), k)
    assert bound is not None
    assert bound <= optimum + TOLERANCE * max(1.0, abs(optimum)), (bound, optimum, k)


def test_without_pricing_the_restricted_lp_lies_above_the_optimum():
    p = _trap()
    ix = ProblemIndex(p)
    columns = set(build_candidates(ix, 1).triples())
    week = priced.RelaxedWeek(ix)
    duals = _duals(week, columns)
    unpriced = priced.lagrangian(week, duals, columns, [])
    assert unpriced > 10.5 + 1.0  # the columns the optimum needs were pruned
    assert _bound(p, 1) <= 10.5 + TOLERANCE


def test_overlapping_slots_need_two_people_in_the_bound():
    """Rules 5 and 8 (the `at` rows): P0 cannot hold both slots at once, so the bound counts
    P1's 50 km; with those rows left out it would be 0."""
    p = problem([site("S", x=0)], [person("P0", x=0), person("P1", x=50)],
                [slot("A", "S"), slot("B", "S")])
    optimum = solved(p, k=0).objective
    assert optimum == pytest.approx(50.0, abs=1e-3)
    # GLOP's duals are optimal to its tolerances: L(y) at them is a hair below the LP optimum.
    assert optimum - 1e-4 <= _bound(p, None) <= optimum + TOLERANCE


def test_hours_and_fairness_reach_the_bound():
    """Rule 6 (P0 may work 4 hours: one slot) and fairness (P1 is 4 hours under target unless
    given a slot): the optimum gives one slot to each, and the relaxation is tight."""
    p = problem([site("S", x=0)], [person("P0", x=0, max_hours=4), person("P1", x=30, target_hours=4)],
                [slot("A", "S", day=0), slot("B", "S", day=1)])
    optimum = solved(p, k=0).objective
    assert optimum - 1e-4 <= _bound(p, None) <= optimum + TOLERANCE
    assert optimum - 1e-4 <= _bound(p, 1) <= optimum + TOLERANCE


def test_solve_writes_the_priced_bound_where_the_full_lp_is_out_of_reach(monkeypatch):
    monkeypatch.setattr(solve_module, "FULL_LP_VARS", 0)
    sol = solved(_trap(), k=1)
    stats = dict(sol.stats)
    assert stats["bound_scope"].startswith("full problem: Lagrangian bound")
    assert sol.bound is not None and sol.bound <= 10.5 + TOLERANCE
    assert stats["priced_rounds"] >= 1


def _pricing_agrees_with_the_full_list(ix: ProblemIndex, k: int, rounds: int = 0) -> None:
    """After `rounds` rounds of column generation from the k cheapest (later rounds have
    moderate line duals, so the ring search stops before the last ring)."""
    from solver.candidates import AvailableGrids, static_blocker

    columns = set(build_candidates(ix, k).triples())
    week = priced.RelaxedWeek(ix)
    grids = AvailableGrids(ix)
    for _ in range(rounds + 1):
        duals = _duals(week, columns)
        listed = priced.price(week, grids, duals, columns, time.monotonic() + 10)
        if _ < rounds:
            columns.update(key for _, key in listed)
    found = {key: rc for rc, key in listed}
    every = {(i, l, j): priced.reduced_cost(week, duals, i, l, j)
             for i, s in enumerate(ix.slots) for l in range(len(s.demand)) for j in range(len(ix.people))
             if (i, l, j) not in columns and static_blocker(ix, j, i, l) is None}
    negative = {key for key, rc in every.items() if rc < -priced.EPS}
    assert set(found) == negative
    for key, rc in found.items():
        assert rc == pytest.approx(every[key], abs=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problems(max_people=5, max_slots=3, max_lines=2, max_count=2))
@example(to_doc(_trap()))
def test_pricing_finds_every_negative_column_with_its_exact_reduced_cost(doc):
    """The ring search stops early and computes reduced costs inline: it must agree with
    `reduced_cost` on every eligible column, listed here one by one."""
    _pricing_agrees_with_the_full_list(ix=ProblemIndex(parse_problem(doc)), k=1)


@pytest.mark.parametrize("k, rounds", [(1, 0), (1, 1), (3, 1)])
def test_pricing_on_the_spec_example_week(k, rounds):
    """The spec's example week (docs/examples): 40 people spread over a district; after a
    round the ring search stops early on 20 of its 69 lines."""
    from solver.io import load_problem
    from tests.solver.test_solve import TINY

    _pricing_agrees_with_the_full_list(ProblemIndex(load_problem(TINY)), k, rounds)


def test_the_fairness_chord_lifts_the_priced_bound(monkeypatch):
    """P1 (2-hour target, available only around the one 3.5-hour slot) is 1.5 hours over or
    2 hours under in any roster; without the chord R meets the target with 4/7 of the slot."""
    from tests.solver.factories import interval

    week = problem([site("S", x=0)],
                   [person("P1", target_hours=2.0, available=[interval(0, 8, 13)]), person("P2", x=1)],
                   [slot("A", "S", hours=3.5)])
    optimum = solved(week).objective
    assert _bound(week, None) == pytest.approx(optimum, abs=1e-6)
    monkeypatch.setattr(priced, "person_chords", lambda ix, unit: {})
    assert _bound(week, None) < optimum - 1.0


@pytest.mark.parametrize("with_chords, expected", [(-5.0, 7.0), (9.0, 9.0)])
def test_a_bound_below_zero_with_chords_is_retried_without_them(monkeypatch, with_chords, expected):
    """R with chords first; only when it proves nothing (<= 0) is R without chords solved."""
    seen = []

    def fake(week, columns, deadline, stats, on_round):
        seen.append(week.with_chords)
        return with_chords if week.with_chords else 7.0

    monkeypatch.setattr(priced, "_priced_bound", fake)
    ix = ProblemIndex(_trap())
    assert priced.priced_bound(ix, [], time.monotonic() + 5) == expected
    assert seen == ([True, False] if with_chords <= 0 else [True])
