"""The standing village-adviser pairing (spec: "Standing pairing").

Hard rules: every village gets exactly one eligible person unless every eligible person is
at their limit; a person is eligible when they hold `supervisor_role`, every skill in the
village's `needs`, and do not list the village in `excluded_sites`; a person gets at most
`max_paired_sites` villages (absent: the number of their current `paired_sites`).
Objective: km per pair, `change` per current pair not kept, `unfilled` per unpaired village.

The pairing is a transportation problem, solved exactly by min-cost flow
(`solver.pairing.flow`). That optimum ignores one part of the first rule: it may leave a
village unpaired while an eligible person still has room, when the pair would cost more
than `unfilled` (only with odd weights: by default a pair would have to be over 1,000 km
long). The spec forbids that, and the cheapest pairing that obeys it is a harder problem
(it contains minimum maximal matching), so only then `solver.pairing.exact` solves it with
CP-SAT. Either way the flow optimum is a lower bound, written to `stats`.
"""
from __future__ import annotations

import time
from collections import Counter

from solver.geo import km
from solver.pairing.exact import solve_maximal
from solver.pairing.flow import Transport, solve_transport
from solver.pairing.reasons import UnpairedReasons, fixed_conflicts
from solver.problem import Pair, Pairing, Person, Problem, UnpairedSite


def capacity(person: Person) -> int:
    """How many villages a person may hold (spec: `max_paired_sites`, else current count)."""
    if person.max_paired_sites is not None:
        return person.max_paired_sites
    return len(person.paired_sites)


def pair(problem: Problem, *, fixed: tuple[Pair, ...] = (), time_limit: float = 10.0,
         workers: int = 2) -> Pairing:
    """The cheapest pairing that obeys the hard rules and keeps every `fixed` pair.

    `time_limit` and `workers` only matter in the rare case described in the module
    docstring, where CP-SAT finishes the job."""
    started = time.perf_counter()
    w = problem.weights
    if min(w.km, w.change, w.unfilled) < 0:
        raise ValueError("pairing weights km, change and unfilled must not be negative")
    fixed = tuple(dict.fromkeys(fixed))  # the same pair twice is still one pair
    conflicts = fixed_conflicts(problem, fixed, capacity)
    if conflicts:
        return Pairing(status="infeasible", objective=0.0, pairs=(), conflicts=conflicts,
                       stats=(("wall_s", round(time.perf_counter() - started, 3)),))

    t = _transport(problem, fixed)
    result = solve_transport(t)
    adviser = list(result.adviser)
    stats: dict[str, float | int | str] = {
        "villages": len(t.villages) + len(fixed), "fixed": len(fixed),
        "people": len(t.people), "arcs": result.arcs, "flow_rounds": result.rounds,
        "cost_scale": result.scale, "method": "min_cost_flow"}
    status = "optimal"
    if _room_left(t, adviser):
        stats["lower_bound"] = pairing_objective(problem, _pairs(t, adviser, fixed))
        adviser, proven, stats["method"] = solve_maximal(t, adviser, time_limit=time_limit,
                                                         workers=workers)
        status = "optimal" if proven else "feasible"

    pairs = _pairs(t, adviser, fixed)
    explain = UnpairedReasons(problem, capacity)
    unpaired = tuple(
        UnpairedSite(site=s.id, reasons=explain(s))
        for s, p in zip(t.villages, adviser) if p is None)
    stats["wall_s"] = round(time.perf_counter() - started, 3)
    return Pairing(status=status, objective=pairing_objective(problem, pairs),
                   pairs=pairs, unpaired_sites=unpaired, stats=tuple(stats.items()))


def pairing_objective(problem: Problem, pairs: list[Pair] | tuple[Pair, ...]) -> float:
    """The spec's objective of a set of pairs, exactly, in floats."""
    w = problem.weights
    sites = {s.id: s for s in problem.sites}
    people = {q.id: q for q in problem.people}
    chosen = {(x.site, x.person) for x in pairs}
    total = 0.0
    for x in pairs:
        s, q = sites[x.site], people[x.person]
        total += km(s.lat, s.lon, q.lat, q.lon) * w.km
    for q in problem.people:
        total += w.change * sum(1 for s in q.paired_sites if (s, q.id) not in chosen)
    paired = {x.site for x in pairs}
    total += w.unfilled * sum(1 for s in problem.sites if s.kind == "village"
                              and s.id not in paired)
    return total


def _pairs(t: Transport, adviser: list[int | None], fixed: tuple[Pair, ...]) -> tuple[Pair, ...]:
    found = [Pair(site=s.id, person=t.people[p].id)
             for s, p in zip(t.villages, adviser) if p is not None]
    return tuple(sorted(found + list(fixed), key=lambda x: (x.site, x.person)))


def _room_left(t: Transport, adviser: list[int | None]) -> bool:
    """Whether an unpaired village has an eligible person with room (the spec forbids it)."""
    load = Counter(p for p in adviser if p is not None)
    return any(load[p] < t.cap[p] for v, a in enumerate(adviser) if a is None
               for p in t.eligible(v))


def _transport(problem: Problem, fixed: tuple[Pair, ...]) -> Transport:
    """The part left after the fixed pairs: their villages go, their people lose room."""
    taken = Counter(x.person for x in fixed)
    done = {x.site for x in fixed}
    villages = sorted((s for s in problem.sites if s.kind == "village" and s.id not in done),
                      key=lambda s: s.id)
    role = problem.rules.supervisor_role
    people, cap = [], []
    for q in sorted(problem.people, key=lambda q: q.id):
        room = capacity(q) - taken[q.id]
        if role in q.roles and room > 0:
            people.append(q)
            cap.append(room)
    group_of: dict[frozenset[str], int] = {}
    group: list[int] = []
    groups: list[tuple[int, ...]] = []
    for s in villages:
        needs = frozenset(s.needs)
        if needs not in group_of:
            group_of[needs] = len(groups)
            groups.append(tuple(p for p, q in enumerate(people) if needs <= q.skills))
        group.append(group_of[needs])
    village_index = {s.id: v for v, s in enumerate(villages)}
    current = set()
    for p, q in enumerate(people):
        for site_id in q.paired_sites:
            v = village_index.get(site_id)
            if (v is not None and frozenset(villages[v].needs) <= q.skills
                    and site_id not in q.excluded_sites):
                current.add((v, p))
    return Transport(villages=tuple(villages), people=tuple(people), cap=tuple(cap),
                     group=tuple(group), groups=tuple(groups),
                     current=frozenset(current), weights=problem.weights)
