"""Distances, travel times and the ring search of solver.geo."""
from __future__ import annotations

import math
import random

import pytest

from solver.geo import GridIndex, TravelTable, km, minutes_for_km, travel_minutes
from solver.problem import Rules, Site


def _site(id: str, lat: float, lon: float) -> Site:
    return Site(id=id, name=id, kind="village", district="D", lat=lat, lon=lon)


def test_km_one_degree_of_latitude_is_an_arc_of_the_6371_km_sphere():
    assert km(29.0, 121.0, 30.0, 121.0) == pytest.approx(6371.0 * math.pi / 180, rel=1e-12)


def test_km_on_the_equator_and_across_the_date_line():
    assert km(0.0, 179.5, 0.0, -179.5) == pytest.approx(6371.0 * math.pi / 180, rel=1e-9)


def test_km_is_symmetric_and_zero_for_one_point():
    a, b = (29.87, 121.55), (30.27, 120.15)  # Ningbo, Hangzhou: about 140 km
    assert km(*a, *b) == km(*b, *a)
    assert 130 < km(*a, *b) < 150
    assert km(*a, *a) == 0.0


def test_km_of_antipodes_is_half_the_circumference():
    assert km(10.0, 20.0, -10.0, -160.0) == pytest.approx(math.pi * 6371.0)


def test_travel_minutes_is_zero_within_one_site():
    s = _site("S", 29.8, 121.5)
    assert travel_minutes(s, s, Rules()) == 0


def test_travel_minutes_rounds_up_the_spec_formula():
    a, b = _site("A", 29.8, 121.5), _site("B", 29.9, 121.6)
    d = km(a.lat, a.lon, b.lat, b.lon)
    rules = Rules(travel_kmh=30, road_factor=1.3)
    expected = math.ceil(d * 1.3 / 30 * 60)
    assert travel_minutes(a, b, rules) == expected == travel_minutes(b, a, rules)
    # Faster roads, fewer minutes.
    assert travel_minutes(a, b, Rules(travel_kmh=60, road_factor=1.0)) < expected


def test_minutes_for_km_of_an_exact_hour_is_not_rounded_up():
    assert minutes_for_km(30.0, Rules(travel_kmh=30, road_factor=1.0)) == 60
    assert minutes_for_km(30.01, Rules(travel_kmh=30, road_factor=1.0)) == 61


def test_travel_table_agrees_with_travel_minutes_both_ways():
    rng = random.Random(7)
    sites = [_site(f"S{i}", 29.5 + rng.random(), 121 + rng.random()) for i in range(12)]
    rules = Rules(travel_kmh=25, road_factor=1.4)
    table = TravelTable(sites, rules)
    for a in sites:
        for b in sites:
            assert table.minutes(a.id, b.id) == travel_minutes(a, b, rules)
            assert table.minutes(b.id, a.id) == table.minutes(a.id, b.id)


@pytest.mark.parametrize("cell_deg", [0.01, 0.05, 0.4])
def test_grid_rings_cover_every_point_once_with_valid_non_decreasing_bounds(cell_deg):
    rng = random.Random(11)
    points = [(29 + 2 * rng.random(), 120 + 2 * rng.random(), i) for i in range(400)]
    grid = GridIndex(points, cell_deg)
    assert len(grid) == 400
    for _ in range(60):
        # Some queries fall outside the points' box on purpose.
        lat, lon = 28.5 + 3 * rng.random(), 119.5 + 3 * rng.random()
        last, seen = -1.0, []
        for bound, items in grid.rings(lat, lon):
            assert items and bound >= last
            last = bound
            for i in items:
                assert km(lat, lon, points[i][0], points[i][1]) >= bound
            seen += items
        assert sorted(seen) == list(range(400))


def test_grid_rings_yield_the_nearest_point_first_ring():
    points = [(29.80, 121.50, "near"), (29.95, 121.50, "far"), (29.81, 121.51, "close")]
    first_bound, first = next(GridIndex(points, 0.02).rings(29.80, 121.50))
    assert first_bound == 0.0 and "near" in first and "far" not in first


def test_empty_grid_has_no_rings():
    assert list(GridIndex([]).rings(29.0, 121.0)) == []
