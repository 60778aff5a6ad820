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
`cost(v, p) < alpha_v - beta_p`. As `beta_p >= 0`, only people closer than the radius that
`cost < alpha_v` allows need looking at, which a grid index finds without scanning the
city. Violating arcs join the graph and the flow is solved again until none is left.
Arcs that cost at least the unpaired arc are never needed (swapping such a pair for
"unpaired" never costs more) and are left out.
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.graph.python import min_cost_flow

from solver.geo import EARTH_RADIUS_KM, GridIndex, km
from solver.problem import Person, Site, Weights

MAX_SCALE = 10**6
DEFAULT_CANDIDATES = 10
_COST_LIMIT = 2**60
# Slack on the search radius so float rounding in km() can never hide a violating arc;
# every arc found is then judged on its exact integer cost.
_RADIUS_SLACK_KM = 1e-6
# Farther than any two points on the sphere (pi * 6371 km is about 20,015 km).
_HALF_EARTH_KM = 20_100.0


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

    def cost(v: int, p: int) -> int:
        c = known[v].get(p)
        if c is None:
            extra = 0.0 if (v, p) in t.current else w.change
            c = known[v][p] = round(scale * (t.km(v, p) * w.km + extra))
        return c

    near = _Neighbours(t)
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
        added = _price(t, arcs, near, alpha, beta, scale, max(1, candidates), cost)
        if not added:
            break
    return TransportResult(adviser=tuple(adviser), arcs=sum(len(a) for a in arcs),
                           rounds=rounds, scale=scale, flow_cost=flow_cost)


class _Neighbours:
    """Per village, its eligible people within a radius as (chord2, person), nearest first.

    `chord2` is the squared straight-line distance between the points on the unit sphere:
    it grows with the great-circle distance, so it sorts and filters with no trigonometry,
    and km() is only called for the few people that matter. Each village's list is
    complete up to the largest radius asked so far and grows on demand."""

    CACHE_BUDGET = 2_000_000  # entries kept over all villages; beyond it, recomputed

    def __init__(self, t: Transport) -> None:
        self._t = t
        self._index, self._start = [], []
        for members in t.groups:
            people = [t.people[p] for p in members]
            self._index.append(GridIndex(((q.lat, q.lon, p) for p, q in zip(members, people)),
                                         cell_deg=_cell_size(people)))
            self._start.append(_spacing_km(people))
        self._unit = [_unit(q.lat, q.lon) for q in t.people]
        self._radius = [-1.0] * len(t.villages)
        self._cached = 0
        self._items: list[list[tuple[float, int]]] = [[] for _ in t.villages]

    def within(self, v: int, radius: float) -> list[tuple[float, int]]:
        """Every eligible person at most `radius` km away (maybe more beyond it)."""
        if radius <= self._radius[v]:
            return self._items[v]
        t, site = self._t, self._t.villages[v]
        limit = chord2_limit(radius)
        x, y, z = _unit(site.lat, site.lon)
        unit, people, site_id = self._unit, t.people, site.id
        found = []
        for bound, items in self._index[t.group[v]].rings(site.lat, site.lon):
            if bound > radius:
                break
            for p in items:
                px, py, pz = unit[p]
                chord2 = (px - x) ** 2 + (py - y) ** 2 + (pz - z) ** 2
                if chord2 <= limit and site_id not in people[p].excluded_sites:
                    found.append((chord2, p))
        found.sort()
        grown = len(found) - len(self._items[v])
        if self._cached + grown <= self.CACHE_BUDGET:
            self._cached += grown
            self._items[v], self._radius[v] = found, radius
        return found

    def nearest(self, v: int, k: int) -> list[int]:
        """The k nearest eligible people (fewer if there are not so many)."""
        radius = self._start[self._t.group[v]] * math.sqrt(k)
        while True:
            found = self.within(v, radius)
            if len(found) >= k or radius > _HALF_EARTH_KM:
                return [p for _, p in found[:k]]
            radius *= 2

    def grow(self, v: int, up_to: float):
        """Lists complete to ever larger radii, doubling from the last one, until one
        reaches `up_to` (doubling keeps the number of fresh searches logarithmic)."""
        radius = max(self._radius[v], self._start[self._t.group[v]])
        while True:
            yield self.within(v, radius)
            if radius >= up_to:
                return
            radius *= 2


def chord2_limit(radius_km: float) -> float:
    """The squared unit-sphere chord of a great-circle distance, a hair over so that float
    rounding never leaves out a point that is exactly that far."""
    half_angle = min(radius_km / (2 * EARTH_RADIUS_KM), math.pi / 2)
    return (2 * math.sin(half_angle)) ** 2 * (1 + 1e-9) + 1e-12


def _spacing_km(people: Sequence[Person]) -> float:
    """About the distance to a person's nearest neighbour, for a first search radius."""
    if len(people) < 2:
        return 10.0
    lats, lons = [q.lat for q in people], [q.lon for q in people]
    area = (max(max(lats) - min(lats), 0.01) * 111.0) * (max(max(lons) - min(lons), 0.01) * 96.0)
    return max(0.2, math.sqrt(area / len(people)))


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _cell_size(people: Sequence[Person]) -> float:
    """Grid cells of about four people each, so ring searches stay short."""
    if len(people) < 2:
        return 1.0
    lats, lons = [q.lat for q in people], [q.lon for q in people]
    area = max(max(lats) - min(lats), 0.01) * max(max(lons) - min(lons), 0.01)
    return min(2.0, max(0.005, math.sqrt(4 * area / len(people))))


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


def _price(t: Transport, arcs: list[dict[int, int]], near: _Neighbours,
           alpha: list[int], beta: list[int], scale: int, per_village: int,
           cost: Callable[[int, int], int]) -> int:
    """Add missing arcs with negative reduced cost (`cost < alpha_v - beta_p`): for each
    village the nearest `per_village` of them, searching outwards by doubling radii, so a
    village that could still go anywhere (alpha = unpaired) does not bring in the whole
    city. Return how many were added; 0 proves the flow optimal on the full graph."""
    w = t.weights
    floor_beta = min([0] + beta)
    added = 0
    for v in range(len(t.villages)):
        threshold = alpha[v] - floor_beta
        # A missing arc is not a current pair, so it costs round(scale*(km*w_km + change)),
        # at least scale*(km*w_km + change) - 0.5; it can only violate below `threshold`.
        room = threshold + 0.5 - scale * w.change
        if room <= 0:
            continue
        radius = room / (scale * w.km) + _RADIUS_SLACK_KM if w.km > 0 else math.inf
        radius = min(radius, _HALF_EARTH_KM)
        limit = chord2_limit(radius)
        found = 0
        for items in near.grow(v, radius):
            for chord2, p in items:
                if chord2 > limit or found >= per_village:
                    break
                if p not in arcs[v]:
                    c = cost(v, p)
                    if c + beta[p] < alpha[v]:
                        arcs[v][p] = c
                        found += 1
            if found >= per_village:
                break
        added += found
    return added
