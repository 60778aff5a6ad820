"""The full LP guides the pruning (issue 14, item 2; solver.model.lp_guide): the pruned model
keeps every column the LP optimum uses, so its own LP relaxation equals the full one; without
the guide it may not."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from solver.candidates import RoleGrids, build_candidates
from solver.io import parse_problem
from solver.model.build import build_part
from solver.model.index import ProblemIndex
from solver.model.lp_bound import lp_relaxation
from solver.model.lp_guide import LpThread
from tests.solver.factories import person, problem, site, slot, solved
from tests.solver.test_properties import problems


def _trap():
    """P0 is the nearest for both clashing slots: k = 1 keeps only P0 on each line, and the
    true optimum (A: P2, B: P0, 10.5 km) is out of the pruned model."""
    return problem([site("SA", x=0), site("SB", x=10)],
                   [person("P0", x=5), person("P1", x=20), person("P2", x=-5.5)],
                   [slot("A", "SA", priority=5), slot("B", "SB", priority=1)])


def _lp(ix: ProblemIndex, cands) -> float:
    """The LP relaxation of one model over every slot, in spec units."""
    pm = build_part(ix, list(range(len(ix.slots))), list(cands.triples()))
    relaxed = lp_relaxation(pm.model.proto, 10.0)
    assert relaxed is not None
    return pm.unscale(relaxed.value)


def _guide(ix: ProblemIndex) -> tuple[set, LpThread]:
    full = build_candidates(ix, None, grids=RoleGrids(ix))
    thread = LpThread(ix, full, None, time_limit=10.0, guide=True)
    assert thread.result(wait=10.0) is not None
    return thread.guide, thread


def test_the_guided_pruned_model_has_the_full_lp_value_and_the_plain_one_does_not():
    ix = ProblemIndex(_trap())
    full = _lp(ix, build_candidates(ix, None))
    guide, _ = _guide(ix)
    assert _lp(ix, build_candidates(ix, 1, keep=guide)) == pytest.approx(full, abs=1e-6)
    assert _lp(ix, build_candidates(ix, 1)) > full + 1.0  # the k-cheapest cut loses the LP optimum


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problems(max_people=5, max_slots=3, max_lines=2, max_count=2))
def test_on_random_weeks_the_guide_keeps_the_lp_relaxation_whole(doc):
    ix = ProblemIndex(parse_problem(doc))
    full_cands = build_candidates(ix, None)
    if not any(full_cands.by_line.values()):
        return
    guide, thread = _guide(ix)
    full = _lp(ix, full_cands)
    assert _lp(ix, build_candidates(ix, 1, keep=guide)) == pytest.approx(full, rel=1e-7, abs=1e-6)
    # Nothing the guide leaves out has a negative reduced cost: column generation would stop.
    assert all(r >= -1e-6 for key, r in thread.reduced.items() if key not in guide)


def test_reduced_cost_fixing_counts_the_columns_no_better_roster_can_use():
    ix = ProblemIndex(_trap())
    _, thread = _guide(ix)
    positive = sum(r > 1e-9 for r in thread.reduced.values())
    assert positive > 0
    # An incumbent at the LP bound: every column of positive reduced cost is ruled out.
    assert thread.fixable(thread.value + 1e-9) == positive
    # With an incumbent far above the bound nothing can be ruled out.
    assert thread.fixable(thread.value + 1e9) == 0


def test_solve_brings_the_pruned_optimum_back_and_says_how_many_columns_the_lp_kept():
    exact = solved(_trap(), k=0)
    guided = solved(_trap(), k=1)
    stats = dict(guided.stats)
    assert stats["pruned"] == 1 and stats["lp_guided"] > 0
    assert guided.objective == pytest.approx(exact.objective, abs=1e-6)
