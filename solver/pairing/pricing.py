"""Finding the missing arcs that would improve the pairing flow (pricing), without scanning
every village-person pair of a city.

With the duals of the flow on the candidate graph (`alpha_v`, `beta_p >= 0`; see
`solver.pairing.flow`), a missing arc improves the flow iff `cost(v, p) + beta_p < alpha_v`.
A missing arc is never a current pair, so `cost >= scale * (km * w_km + change) - 0.5`, and
a violating arc is shorter than both

    R_v = (alpha_v - min beta + 0.5 - scale * change) / (scale * w_km)   and
    R_p = (max alpha - beta_p + 0.5 - scale * change) / (scale * w_km).

Near side: each village looks for violators among its eligible people within
min(R_v, a local radius), nearest first, stopping at `per_village` of them. Most villages
have a small R_v (their adviser is near), so this is complete for them. Far side: only
when the near side found nothing, the villages with a larger R_v are put in a grid and
each person looks for them within R_p. Full people have a high beta_p and so a small
R_p; a village left unpaired (alpha = unpaired) would otherwise need the whole city
scanned. Between the two sides every missing arc that could violate is looked at, so
"nothing found" proves the flow optimal on the full graph.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from solver.geo import EARTH_RADIUS_KM, GridIndex
from solver.problem import Person

# Slack on search radii so float rounding in km() can never hide a violating arc; every
# arc found is then judged on its exact integer cost.
RADIUS_SLACK_KM = 1e-6
# Farther than any two points on the sphere (pi * 6371 km is about 20,015 km).
HALF_EARTH_KM = 20_100.0
# The near side searches at most this many times a group's typical spacing.
LOCAL_SPACINGS = 8.0


class Neighbours:
    """Per village, its eligible people within a radius as (chord2, person), nearest first.

    `chord2` is the squared straight-line distance between the points on the unit sphere:
    it grows with the great-circle distance, so it sorts and filters with no trigonometry,
    and km() is only called for the few people that matter. Each village's list is
    complete up to the largest radius asked so far and grows on demand."""

    CACHE_BUDGET = 2_000_000  # entries kept over all villages; beyond it, recomputed

    def __init__(self, t) -> None:
        self._t = t
        self._index: list[GridIndex] = []
        self.spacing: list[float] = []
        for members in t.groups:
            people = [t.people[p] for p in members]
            self._index.append(GridIndex(((q.lat, q.lon, p) for p, q in zip(members, people)),
                                         cell_deg=cell_size([(q.lat, q.lon) for q in people])))
            self.spacing.append(_spacing_km(people))
        self.members = [frozenset(g) for g in t.groups]
        self._unit = [unit(q.lat, q.lon) for q in t.people]
        self._radius = [-1.0] * len(t.villages)
        self._cached = 0
        self._items: list[list[tuple[float, int]]] = [[] for _ in t.villages]

    def within(self, v: int, radius: float) -> list[tuple[float, int]]:
        """Every eligible person at most `radius` km away (maybe more beyond it)."""
        if radius <= self._radius[v]:
            return self._items[v]
        t, site = self._t, self._t.villages[v]
        limit = chord2_limit(radius)
        x, y, z = unit(site.lat, site.lon)
        units, people, site_id = self._unit, t.people, site.id
        found = []
        for bound, items in self._index[t.group[v]].rings(site.lat, site.lon):
            if bound > radius:
                break
            for p in items:
                px, py, pz = units[p]
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
        radius = self.spacing[self._t.group[v]] * math.sqrt(k)
        while True:
            found = self.within(v, radius)
            if len(found) >= k or radius > HALF_EARTH_KM:
                return [p for _, p in found[:k]]
            radius *= 2

    def grow(self, v: int, up_to: float):
        """Lists complete to ever larger radii, doubling from the last one, until one
        reaches `up_to` (doubling keeps the number of fresh searches logarithmic)."""
        radius = max(self._radius[v], self.spacing[self._t.group[v]])
        while True:
            if radius >= up_to:
                yield self.within(v, up_to)
                return
            yield self.within(v, radius)
            radius *= 2


def price(t, arcs: list[dict[int, int]], near: Neighbours, alpha: list[int],
          beta: list[int], scale: int, per_village: int,
          cost: Callable[[int, int], int], fresh_cost: Callable[[int, int], int]) -> int:
    """Add violating arcs (near side first, far side only if it found none); return how
    many were added. 0 proves the flow optimal on the full graph."""
    w = t.weights
    floor_beta, top_alpha = min([0] + beta), max(alpha, default=0)
    far = []
    added = 0
    for v in range(len(t.villages)):
        reach = _radius(alpha[v] - floor_beta, scale, w)
        if reach <= 0:
            continue
        local = LOCAL_SPACINGS * near.spacing[t.group[v]]
        if reach > local:
            far.append(v)
        added += _near_side(v, min(reach, local), arcs, near, alpha, beta, per_village, cost)
    if added or not far:
        return added
    return _far_side(t, far, arcs, near, alpha, beta, top_alpha, scale, per_village, fresh_cost)


def _radius(room: float, scale: int, w) -> float:
    """How far a missing arc can reach and still cost less than `room` (scaled units)."""
    room = room + 0.5 - scale * w.change
    if room <= 0:
        return 0.0
    if w.km <= 0:
        return HALF_EARTH_KM
    return min(HALF_EARTH_KM, room / (scale * w.km) + RADIUS_SLACK_KM)


def _near_side(v: int, radius: float, arcs, near: Neighbours, alpha, beta, per_village: int,
               cost) -> int:
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
    return found


def _far_side(t, far: list[int], arcs, near: Neighbours, alpha, beta, top_alpha: int,
              scale: int, per_village: int, fresh_cost) -> int:
    """Each person looks for far villages within R_p; fresh costs, not cached, as the pairs
    seen here are many and rarely seen again."""
    villages = t.villages
    index = GridIndex(((villages[v].lat, villages[v].lon, v) for v in far),
                      cell_deg=cell_size([(villages[v].lat, villages[v].lon) for v in far]))
    vunit = {v: unit(villages[v].lat, villages[v].lon) for v in far}
    added = 0
    for p, q in enumerate(t.people):
        radius = _radius(top_alpha - beta[p], scale, t.weights)
        if radius <= 0:
            continue
        limit = chord2_limit(radius)
        x, y, z = unit(q.lat, q.lon)
        found = 0
        for bound, items in index.rings(q.lat, q.lon):
            if bound > radius or found >= per_village:
                break
            for v in items:
                vx, vy, vz = vunit[v]
                if ((vx - x) ** 2 + (vy - y) ** 2 + (vz - z) ** 2 > limit
                        or p not in near.members[t.group[v]] or p in arcs[v]
                        or villages[v].id in q.excluded_sites):
                    continue
                c = fresh_cost(v, p)
                if c + beta[p] < alpha[v]:
                    arcs[v][p] = c
                    found += 1
        added += found
    return added


def chord2_limit(radius_km: float) -> float:
    """The squared unit-sphere chord of a great-circle distance, a hair over so that float
    rounding never leaves out a point that is exactly that far."""
    half_angle = min(radius_km / (2 * EARTH_RADIUS_KM), math.pi / 2)
    return (2 * math.sin(half_angle)) ** 2 * (1 + 1e-9) + 1e-12


def unit(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def cell_size(points: Sequence[tuple[float, float]]) -> float:
    """Grid cells (degrees) of about four points each, so ring searches stay short."""
    if len(points) < 2:
        return 1.0
    lats, lons = [a for a, _ in points], [b for _, b in points]
    area = max(max(lats) - min(lats), 0.01) * max(max(lons) - min(lons), 0.01)
    return min(2.0, max(0.005, math.sqrt(4 * area / len(points))))


def _spacing_km(people: Sequence[Person]) -> float:
    """About the distance to a person's nearest neighbour, for a first search radius."""
    if len(people) < 2:
        return 10.0
    lats, lons = [q.lat for q in people], [q.lon for q in people]
    area = (max(max(lats) - min(lats), 0.01) * 111.0) * (max(max(lons) - min(lons), 0.01) * 96.0)
    return max(0.2, math.sqrt(area / len(people)))
