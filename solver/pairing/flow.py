"""The village-adviser transportation problem, solved exactly by min-cost flow.

Network: every village sends one unit, either to a person (arc cost: the pair's cost) or
straight to the sink (cost: leaving it unpaired); every person passes at most its capacity
on to the sink. The spec's objective is

    sum(km * w_km over pairs) + change * (current pairs not kept) + unfilled * (unpaired)

and since the number of current pairs is a constant C, "change for each one not kept" is
`change * C - change * (kept)`. Every village carries exactly one unit, so adding `change`
to every arc leaving a village shifts the total by the constant `change * villages`. The
flow therefore uses, all non-negative:

    person arc   km * w_km + (0 if it is a current pair else change)
    unpaired arc unfilled + change

Integer costs: each cost is multiplied by `scale` (10**6, i.e. micro-units, lowered by
powers of ten only when the largest cost times the node count would near 2**60, where the
flow algorithm's internal scaling could overflow) and rounded. The flow is exactly optimal
for the rounded costs, so its true objective is within `villages / scale` of the optimum.

Sparse graph, proven optimal for the full one: a city has millions of eligible arcs, but a
village's adviser is nearly always one of its nearest eligible people. We solve on a
candidate graph (each village's `candidates` nearest eligible people plus its current
adviser), then price every missing arc with LP duality: with `alpha_v` (the shortest
residual-path cost from village v to the sink) and `beta_p >= 0` (the same from person p),
the flow is optimal for the full graph iff no missing arc has
`cost(v, p) < alpha_v - beta_p` (`solver.pairing.pricing` finds such arcs with grid
searches instead of scanning the city). Violating arcs join the graph and the flow is
solved again until none is left.
Arcs that cost at least the unpaired arc are never needed (swapping such a pair for
"unpaired" never costs more) and are left out.
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.graph.python import min_cost_flow

from solver.geo import km
from solver.pairing.pricing import Neighbours, price
from solver.problem import Person, Site, Weights

MAX_SCALE = 10**6
DEFAULT_CANDIDATES = 10
_COST_LIMIT = 2**60


@dataclass(frozen=True)
class Transport:
    """The pairing left to solve: villages without a fixed adviser, people with room left.

    `groups[g]` lists the people (indices) eligible by role and skills for the villages
    whose `group[v] == g`; exclusions are checked per pair with `excluded(v, p)`.
    `current` holds the (village, person) index pairs that exist today."""

    villages: Sequence[Site]
    people: Sequence[Person]
    cap: Sequence[int]
    group: Sequence[int]
    groups: Sequence[Sequence[int]]
    current: frozenset[tuple[int, int]]
    weights: Weights

    def excluded(self, v: int, p: int) -> bool:
        return self.villages[v].id in self.people[p].excluded_sites

    def km(self, v: int, p: int) -> float:
        s, q = self.villages[v], self.people[p]
        return km(s.lat, s.lon, q.lat, q.lon)

    def eligible(self, v: int) -> list[int]:
        return [p for p in self.groups[self.group[v]] if not self.excluded(v, p)]


@dataclass(frozen=True)
class TransportResult:
    adviser: tuple[int | None, ...]  # per village: the person index, or None
    arcs: int  # person arcs in the final candidate graph
    rounds: int  # flow solves (1 + pricing rounds that added arcs)
    scale: int
    flow_cost: int  # in scaled integer units, offset form


def choose_scale(weights: Weights, nodes: int) -> int:
    top = (weights.unfilled + weights.change) * (nodes + 1)
    scale = MAX_SCALE
    while scale > 1 and top * scale >= _COST_LIMIT:
        scale //= 10
    return scale


def solve_transport(t: Transport, *, candidates: int = DEFAULT_CANDIDATES) -> TransportResult:
    nv, w = len(t.villages), t.weights
    scale = choose_scale(w, nv + len(t.people))
    unpaired = round(scale * (w.unfilled + w.change))

    known: list[dict[int, int]] = [{} for _ in range(nv)]  # pricing asks again each round

    def fresh_cost(v: int, p: int) -> int:
        extra = 0.0 if (v, p) in t.current else w.change
        return round(scale * (t.km(v, p) * w.km + extra))

    def cost(v: int, p: int) -> int:
        c = known[v].get(p)
        if c is None:
            c = known[v][p] = fresh_cost(v, p)
        return c

    near = Neighbours(t)
    arcs: list[dict[int, int]] = [{} for _ in range(nv)]
    # Current pairs are always candidates: pricing below assumes every missing arc
    # carries the change cost.
    first = [(v, p) for v in range(nv) for p in near.nearest(v, candidates)]
    for v, p in first + sorted(t.current):
        c = cost(v, p)
        if c < unpaired:
            arcs[v][p] = c

    rounds = 0
    while True:
        rounds += 1
        adviser, flow_cost = _min_cost_flow(t, arcs, unpaired)
        alpha, beta = _duals(t, arcs, adviser, unpaired)
        added = price(t, arcs, near, alpha, beta, scale, max(1, candidates), cost, fresh_cost)
        if not added:
            break
    return TransportResult(adviser=tuple(adviser), arcs=sum(len(a) for a in arcs),
                           rounds=rounds, scale=scale, flow_cost=flow_cost)


def _min_cost_flow(t: Transport, arcs: list[dict[int, int]],
                   unpaired: int) -> tuple[list[int | None], int]:
    nv, npeople = len(t.villages), len(t.people)
    sink = nv + npeople
    tails: list[int] = []
    heads: list[int] = []
    costs: list[int] = []
    for v in range(nv):
        for p, c in sorted(arcs[v].items()):
            tails.append(v)
            heads.append(nv + p)
            costs.append(c)
    person_arcs = len(tails)
    tails += list(range(nv)) + [nv + p for p in range(npeople)]
    heads += [sink] * (nv + npeople)
    costs += [unpaired] * nv + [0] * npeople
    capacities = [1] * (person_arcs + nv) + list(t.cap)
    flow = min_cost_flow.SimpleMinCostFlow()
    ids = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(list(range(nv)) + [sink], [1] * nv + [-nv])
    status = flow.solve()
    if status != flow.OPTIMAL:
        # Always feasible (every village may go unpaired) and the scale keeps costs in
        # range, so this is a bug, not bad input.
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = flow.flows(ids[:person_arcs]) if person_arcs else []
    adviser: list[int | None] = [None] * nv
    for i in range(person_arcs):
        if used[i]:
            adviser[tails[i]] = heads[i] - nv
    return adviser, flow.optimal_cost()


def _duals(t: Transport, arcs: list[dict[int, int]], adviser: list[int | None],
           unpaired: int) -> tuple[list[int], list[int]]:
    """Shortest residual-path costs to the sink: alpha per village, beta per person.

    Residual arcs (village arcs are treated as uncapacitated, which changes nothing as a
    village holds one unit): village -> person at cost c, village -> sink at `unpaired`,
    person -> sink at 0 while the person has room, and person -> village at -c back along
    each pair in use. Label-correcting Bellman-Ford (queue based); the flow is optimal on
    the candidate graph, so there is no negative cycle and it ends."""
    nv, npeople = len(t.villages), len(t.people)
    inf = math.inf
    holders: list[list[int]] = [[] for _ in range(npeople)]
    users: list[list[int]] = [[] for _ in range(npeople)]
    for v in range(nv):
        for p in arcs[v]:
            users[p].append(v)
        if adviser[v] is not None:
            holders[adviser[v]].append(v)
    base = [0 if len(holders[p]) < t.cap[p] else inf for p in range(npeople)]
    alpha: list[float] = [unpaired] * nv
    beta: list[float] = list(base)
    queue = deque(list(range(nv)) + [nv + p for p in range(npeople) if holders[p]])
    queued = [True] * (nv + npeople)
    budget = (nv + npeople + 1) * (sum(len(a) for a in arcs) + 2 * nv + npeople + 1)
    while queue:
        budget -= 1
        if budget < 0:
            raise RuntimeError("negative cycle in the residual graph: the flow is not optimal")
        x = queue.popleft()
        queued[x] = False
        if x < nv:
            best = min((c + beta[p] for p, c in arcs[x].items()), default=inf)
            new = min(alpha[x], best)
            if new < alpha[x]:
                alpha[x] = new
                p = adviser[x]
                if p is not None and not queued[nv + p]:
                    queued[nv + p] = True
                    queue.append(nv + p)
        else:
            p = x - nv
            new = min([base[p]] + [alpha[v] - arcs[v][p] for v in holders[p]])
            if new < beta[p]:
                beta[p] = new
                for v in users[p]:
                    if not queued[v]:
                        queued[v] = True
                        queue.append(v)
    return [int(a) for a in alpha], [int(b) for b in beta]
