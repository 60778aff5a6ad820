"""Distances and travel times by the spec's formulas, plus caches for heavy callers.

`km` is the haversine distance on a sphere of radius 6371 km; `travel_minutes` is
`ceil(km * road_factor / travel_kmh * 60)` between two different sites, 0 within one site.
The model and the greedy ask for the same pairs many times, so `TravelTable` memoises them
by site id, and `GridIndex` finds points near a place without scanning a whole city.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from solver.problem import Rules, Site

EARTH_RADIUS_KM = 6371.0

T = TypeVar("T")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km between two WGS-84 points (degrees)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    # Rounding can push h a hair above 1 for antipodal points.
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def minutes_for_km(distance_km: float, rules: Rules) -> int:
    """Travel minutes for a distance; the operation order is the spec's, so ceil agrees."""
    return math.ceil(distance_km * rules.road_factor / rules.travel_kmh * 60)


def travel_minutes(site_a: Site, site_b: Site, rules: Rules) -> int:
    if site_a.id == site_b.id:
        return 0
    return minutes_for_km(km(site_a.lat, site_a.lon, site_b.lat, site_b.lon), rules)


class TravelTable:
    """Travel minutes between sites by id, each pair computed once (travel is symmetric)."""

    def __init__(self, sites: Iterable[Site], rules: Rules) -> None:
        self._sites = {s.id: s for s in sites}
        self._rules = rules
        self._cache: dict[tuple[str, str], int] = {}

    def minutes(self, a: str, b: str) -> int:
        if a == b:
            return 0
        key = (a, b) if a < b else (b, a)
        value = self._cache.get(key)
        if value is None:
            value = travel_minutes(self._sites[key[0]], self._sites[key[1]], self._rules)
            self._cache[key] = value
        return value


class GridIndex(Generic[T]):
    """Points bucketed in cells of `cell_deg` degrees, searched ring by ring outwards.

    `rings(lat, lon)` yields `(min_km, items)` for ring 0, 1, 2...: every item in a ring is at
    least `min_km` from the query point, and `min_km` never decreases, so a caller can stop
    as soon as the bound exceeds what it already holds.
    """

    def __init__(self, points: Iterable[tuple[float, float, T]], cell_deg: float = 0.05) -> None:
        self.cell_deg = cell_deg
        self._cells: dict[tuple[int, int], list[T]] = {}
        max_abs_lat = 0.0
        for lat, lon, item in points:
            self._cells.setdefault(self._cell(lat, lon), []).append(item)
            max_abs_lat = max(max_abs_lat, abs(lat))
        self._max_abs_lat = max_abs_lat
        if self._cells:
            rows = [c[0] for c in self._cells]
            cols = [c[1] for c in self._cells]
            self._box = (min(rows), max(rows), min(cols), max(cols))

    def __len__(self) -> int:
        return sum(len(v) for v in self._cells.values())

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self.cell_deg), math.floor(lon / self.cell_deg))

    def _ring_bound_km(self, ring: int, lat: float, lon: float) -> float:
        """A lower bound on the distance from (lat, lon) to any point of ring `ring`: the
        point sits in the centre cell, so the ring's inner edge is at least this far."""
        if ring == 0:
            return 0.0
        ci, cj = self._cell(lat, lon)
        size = self.cell_deg
        dlat = min(lat - (ci - ring + 1) * size, (ci + ring) * size - lat)
        dlon = min(lon - (cj - ring + 1) * size, (cj + ring) * size - lon)
        along_meridian = EARTH_RADIUS_KM * math.radians(max(0.0, dlat))
        # hav(d) >= cos(phi1) cos(phi2) hav(dlon), and both latitudes are at most this far out.
        c = math.cos(math.radians(min(90.0, max(self._max_abs_lat, abs(lat)) + size)))
        half = min(math.radians(max(0.0, dlon)), math.pi) / 2
        along_parallel = 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, c * math.sin(half)))
        # A hair below, so that rounding never makes the bound exceed a true distance.
        return max(0.0, min(along_meridian, along_parallel) * (1 - 1e-12) - 1e-9)

    def rings(self, lat: float, lon: float) -> Iterator[tuple[float, list[T]]]:
        """Non-empty rings outwards from (lat, lon) as (min_km, items)."""
        if not self._cells:
            return
        ci, cj = self._cell(lat, lon)
        lo_i, hi_i, lo_j, hi_j = self._box
        last = max(ci - lo_i, hi_i - ci, cj - lo_j, hi_j - cj)
        cells = self._cells
        ring = 0
        while ring <= last:
            if (2 * ring + 1) ** 2 > len(cells):
                # Once the probes made so far outnumber the occupied cells, bucketing those
                # cells by ring is cheaper than probing on (so never worse than twice either).
                rest: dict[int, list[T]] = {}
                for (i, j), bucket in cells.items():
                    r = max(abs(i - ci), abs(j - cj))
                    if r >= ring:
                        rest.setdefault(r, []).extend(bucket)
                for r in sorted(rest):
                    yield self._ring_bound_km(r, lat, lon), rest[r]
                return
            found: list[T] = []
            for i in range(max(ci - ring, lo_i), min(ci + ring, hi_i) + 1):
                if ring and abs(i - ci) != ring:
                    # Only the two side columns of the ring's square, not its inside.
                    for j in (cj - ring, cj + ring):
                        bucket = cells.get((i, j))
                        if bucket:
                            found.extend(bucket)
                    continue
                for j in range(max(cj - ring, lo_j), min(cj + ring, hi_j) + 1):
                    bucket = cells.get((i, j))
                    if bucket:
                        found.extend(bucket)
            if found:
                yield self._ring_bound_km(ring, lat, lon), found
            ring += 1
