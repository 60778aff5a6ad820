"""solver.candidates: the pruned search finds exactly the eligible people, cheapest first."""
import random

import pytest

from solver.candidates import build_candidates, optimistic_cost, static_blocker
from solver.model.index import ProblemIndex
from tests.solver.factories import interval, line, person, problem, site, slot


def _random_problem(seed: int):
    rng = random.Random(seed)
    sites = [site(f"S{n}", x=rng.uniform(0, 40), y=rng.uniform(0, 40)) for n in range(5)]
    people = []
    for n in range(60):
        day = rng.randrange(3)
        available = rng.choice([None, [interval(day, 8, 12)], [interval(day, 8, 10), interval(day, 10, 13)],
                                [interval(0, 0, 24, end_day=3)], []])
        people.append(person(
            f"P{n}", roles=rng.choice([("lawyer",), ("mediator",), ("lawyer", "notary")]),
            skills=rng.choice([(), ("family",)]), x=rng.uniform(0, 40), y=rng.uniform(0, 40),
            available=available, unavailable=rng.choice([(), [interval(day, 9, 10)]]),
            excluded_sites=rng.choice([(), ("S0",)]), target_hours=rng.choice([None, 3, 6]),
            max_hours=rng.choice([2, 8])))
    slots = [slot(f"T{n}", f"S{rng.randrange(5)}", day=rng.randrange(3), start=rng.choice([9, 10]),
                  hours=rng.choice([2, 3]),
                  demand=[line(("lawyer",), skills=rng.choice([(), ("family",)])),
                          line(("mediator", "notary"))])
             for n in range(8)]
    return problem(sites, people, slots)


@pytest.mark.parametrize("seed", range(6))
def test_search_with_a_large_k_finds_every_eligible_person(seed):
    ix = ProblemIndex(_random_problem(seed))
    every = build_candidates(ix, None).by_line
    found = build_candidates(ix, 1000).by_line
    assert {key: set(v) for key, v in found.items()} == {key: set(v) for key, v in every.items()}
    for (i, l), people in every.items():
        assert all(static_blocker(ix, j, i, l) is None for j in people)


@pytest.mark.parametrize("seed", range(6))
def test_k_keeps_the_cheapest(seed):
    ix = ProblemIndex(_random_problem(seed))
    every = build_candidates(ix, None).by_line
    kept = build_candidates(ix, 3)
    for key, people in every.items():
        i, l = key
        costs = sorted(optimistic_cost(ix, j, i, l) for j in people)
        mine = sorted(optimistic_cost(ix, j, i, l) for j in kept.by_line.get(key, []))
        assert mine == pytest.approx(costs[:3])
    assert kept.pruned == any(len(v) > 3 for v in every.values())
