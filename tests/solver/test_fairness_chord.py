"""The fairness chord (solver.model.chords.load_chord): a cut on a person's deviation when no
sum of their slots' durations meets the target. It must lift the LP relaxation where the
target cannot be met and never cut off a roster."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from solver.candidates import build_candidates
from solver.io import parse_problem
from solver.model import costs
from solver.model.build import build_part
from solver.model.chords import load_chord
from solver.model.index import ProblemIndex
from solver.model.lp_bound import lp_relaxation
from tests.solver.factories import person, problem, site, slot, solved
from tests.solver.test_properties import brute_force, problems


def apart(*durations: int) -> list[tuple[float, float, int]]:
    """Spans of these durations on separate days: any set of them can be held together."""
    return [(day * 86400.0, day * 86400.0 + d * 1800.0, d) for day, d in enumerate(durations)]


def test_no_sum_meets_the_target_gives_the_chord_of_the_nearest_sums():
    # 3.5-hour slots (7 half hours) and a 2-hour target (4): loads 0, 7, 14; nearest 0 and 7.
    assert load_chord(apart(7, 7), 4, 4) == ((0, 4), (7, 3))
    # Sums 0, 6, 7, 13 around a target of 9-10 units: 7 below, 13 above.
    assert load_chord(apart(6, 7), 9, 10) == ((7, 2), (13, 3))


def test_overlapping_slots_do_not_add_up():
    # A 3-unit and a 4-unit slot at the same hour: loads 0, 3, 4 but never 7.
    same_hour = [(0.0, 3 * 1800.0, 3), (0.0, 4 * 1800.0, 4)]
    assert load_chord(same_hour, 7, 7) is None  # no sum above 7: lo - load is exact
    assert load_chord(same_hour + apart(0, 8)[1:], 7, 7) == ((4, 3), (8, 1))
    # On separate days the two make 7, and there is nothing to cut.
    assert load_chord(apart(3, 4), 7, 7) is None


def test_a_target_some_sum_meets_gives_no_chord():
    assert load_chord(apart(7, 4), 4, 4) is None  # the 4 alone
    assert load_chord(apart(3, 4), 7, 7) is None  # both
    assert load_chord(apart(7), 0, 0) is None  # no slot at all meets a zero target
    assert load_chord(apart(5), 4, 6) is None  # within the rounded-out target


def test_no_sum_above_the_target_gives_no_chord():
    # Loads 0 and 3 only, target 10: lo - load is already exact for both.
    assert load_chord(apart(3), 10, 10) is None


def _week():
    """P1 targets 2 hours; the only slot lasts 3.5 hours. An integer roster either gives P1
    the slot (1.5 hours over) or leaves it to P2 (P1 2 hours under); the LP without the
    chord gives P1 4/7 of the slot and meets the target exactly."""
    return problem([site("S", x=0)],
                   [person("P1", target_hours=2.0), person("P2", x=1)],
                   [slot("A", "S", hours=3.5)])


def _lp(doc_or_problem) -> float:
    ix = ProblemIndex(doc_or_problem if not isinstance(doc_or_problem, dict) else parse_problem(doc_or_problem))
    pm = build_part(ix, list(range(len(ix.slots))), list(build_candidates(ix, None).triples()))
    relaxed = lp_relaxation(pm.model.proto, 10.0)
    assert relaxed is not None
    return pm.unscale(relaxed.value)


def test_the_chord_lifts_the_lp_to_the_integer_optimum(monkeypatch):
    week = _week()
    optimum = solved(week).objective
    with_chord = _lp(week)
    assert with_chord == pytest.approx(optimum, abs=0.02)
    monkeypatch.setattr(costs, "load_chord", lambda *a: None)
    assert _lp(week) < optimum - 1.0  # the plain relaxation meets the target with a fraction


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problems(max_people=4, max_slots=3, max_lines=2, max_count=2))
def test_on_random_weeks_the_lp_with_chords_stays_below_the_optimum(doc):
    optimum, _ = brute_force(doc)
    ix = ProblemIndex(parse_problem(doc))
    if not any(build_candidates(ix, None).by_line.values()):
        return
    idle = sum(p.target_hours * ix.weights.fairness for j, p in enumerate(ix.people)
               if p.target_hours is not None
               and j not in {jj for _, _, jj in build_candidates(ix, None).triples()})
    constant = ix.previous_outside * ix.weights.change + idle
    assert _lp(doc) + constant <= optimum + 1e-6 * max(1.0, abs(optimum))

