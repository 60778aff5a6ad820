"""The standing pairing at scale: pricing arcs into the flow (solver/pairing/pricing.py)
reaches the full graph's optimum, and the answer does not depend on the input order."""
from __future__ import annotations

import random

import pytest

from solver.pairing import pair
from solver.problem import Problem
from tests.solver.factories import person, problem, site
from tests.solver.test_pairing import assert_sound


def random_problem(seed: int, villages: int, lawyers: int) -> Problem:
    rng = random.Random(seed)
    ids = [f"V{i:03d}" for i in range(villages)]
    sites = [site(v, rng.uniform(0, 40), rng.uniform(0, 30),
                  needs=rng.choice([(), (), (), ("land",), ("dialect",)])) for v in ids]
    people = [person(f"L{i:03d}", x=rng.uniform(0, 40), y=rng.uniform(0, 30),
                     skills=rng.sample(["land", "dialect", "family"], rng.randint(0, 2)),
                     paired_sites=rng.sample(ids, rng.randint(0, 2)),
                     excluded_sites=rng.sample(ids, rng.randint(0, 1)),
                     max_paired_sites=rng.choice([None, 1, 2, 3]))
              for i in range(lawyers)]
    return problem(sites=sites, people=people)


@pytest.mark.parametrize("seed", range(6))
def test_pricing_from_one_candidate_reaches_the_full_graph_optimum(seed):
    from solver.pairing.flow import solve_transport
    from solver.pairing.solve import _transport
    t = _transport(random_problem(seed, villages=70, lawyers=45), ())
    sparse = solve_transport(t, candidates=1)
    dense = solve_transport(t, candidates=10**6)
    assert sparse.flow_cost == dense.flow_cost
    assert sparse.rounds > 1 and sparse.arcs < dense.arcs


def two_towns(seed: int) -> Problem:
    """Town A has more villages than its lawyers can take; town B, 300 km east, has room.
    A's surplus villages can only be paired far beyond any local search: the pricing's
    far side has to find them."""
    rng = random.Random(seed)

    def spot(x0):
        return dict(x=x0 + rng.uniform(-5, 5), y=rng.uniform(-5, 5))

    sites = [site(f"A{i:02d}", **spot(0)) for i in range(rng.randint(14, 24))]
    sites += [site(f"B{i:02d}", **spot(300)) for i in range(5)]
    people = [person(f"LA{i}", max_paired_sites=1, **spot(0)) for i in range(10)]
    people += [person(f"LB{i}", max_paired_sites=3, **spot(300)) for i in range(10)]
    return problem(sites=sites, people=people)


@pytest.mark.parametrize("seed", range(6))
def test_pricing_finds_arcs_far_away_when_villages_stay_unpaired(seed, monkeypatch):
    from solver.pairing import pricing
    from solver.pairing.flow import solve_transport
    from solver.pairing.solve import _transport
    far_finds = []
    real = pricing._far_side
    monkeypatch.setattr(pricing, "_far_side",
                        lambda *a, **k: far_finds.append(real(*a, **k)) or far_finds[-1])
    t = _transport(two_towns(seed), ())
    sparse = solve_transport(t, candidates=1)
    assert any(far_finds)
    monkeypatch.undo()
    assert sparse.flow_cost == solve_transport(t, candidates=10**6).flow_cost


def test_the_result_does_not_depend_on_input_order():
    p = random_problem(7, villages=40, lawyers=30)
    first = pair(p)
    rng = random.Random(1)
    sites, people = list(p.sites), list(p.people)
    rng.shuffle(sites)
    rng.shuffle(people)
    shuffled = Problem(timezone=p.timezone, sites=tuple(sites), people=tuple(people), slots=())
    again = pair(shuffled)
    assert (again.pairs, again.unpaired_sites, again.objective) == (
        first.pairs, first.unpaired_sites, first.objective)
    assert_sound(p, first)
