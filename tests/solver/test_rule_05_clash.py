"""Rule 5: one place at a time, travel between sites included."""
from solver.geo import travel_minutes
from solver.problem import Rules
from tests.solver.factories import held, person, problem, site, slot, solved


def _two_slots(x_km: float, gap_minutes: float, first_hours: float = 3.0):
    sites = [site("S1"), site("S2", x=x_km)]
    slots = [slot("A", "S1", start=9, hours=first_hours),
             slot("B", "S2", start=9 + first_hours + gap_minutes / 60)]
    return problem(sites, [person("L1", x=x_km / 2)], slots)


def test_overlapping_slots_are_never_held_together():
    sol = solved(_two_slots(1.0, gap_minutes=-60))
    assert len(sol.assignments) == 1


def test_too_little_time_to_travel_blocks_the_second_slot():
    # 40 km: ceil(40 * 1.3 / 30 * 60) = 104 minutes of travel, only 60 between the slots.
    sol = solved(_two_slots(40.0, gap_minutes=60))
    assert len(sol.assignments) == 1


def test_enough_time_to_travel_allows_both():
    sol = solved(_two_slots(5.0, gap_minutes=60))
    assert {a.slot for a in sol.assignments} == {"A", "B"}


def test_travel_is_exact_at_the_boundary():
    p = _two_slots(40.0, gap_minutes=0)
    need = travel_minutes(p.sites[0], p.sites[1], Rules())
    assert len(solved(_two_slots(40.0, gap_minutes=need)).assignments) == 2
    assert len(solved(_two_slots(40.0, gap_minutes=need - 1)).assignments) == 1


def test_slots_starting_together_clash_both_ways():
    # An empty slot at 9:00 and a 3-hour slot at 9:00 at one site: read in one order
    # they fit (9:00 >= 9:00 + 0), in the other they do not; the spec checks both.
    sites = [site("S1")]
    slots = [slot("A", "S1", start=9, hours=0), slot("B", "S1", start=9, hours=3)]
    sol = solved(problem(sites, [person("L1")], slots))
    assert len(sol.assignments) == 1


def test_back_to_back_at_one_site_is_fine():
    sites = [site("S1")]
    slots = [slot("A", "S1", start=9, hours=3), slot("B", "S1", start=12, hours=3)]
    sol = solved(problem(sites, [person("L1")], slots))
    assert held(sol) == {("A", "L1", 0), ("B", "L1", 0)}
