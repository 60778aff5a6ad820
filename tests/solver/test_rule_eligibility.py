"""Rules 2, 3, 4 and 12: role, skills, availability, excluded sites (one assignment alone)."""
from tests.solver.factories import interval, line, person, problem, site, slot, solved


def _one(person_, demand=None):
    return problem([site("S1")], [person_], [slot("T1", "S1", demand=demand)])


def test_role_is_required():
    assert solved(_one(person("M1", roles=("mediator",)))).assignments == ()
    assert len(solved(_one(person("L1"))).assignments) == 1


def test_every_skill_is_required():
    demand = [line(("lawyer",), skills=("family", "land"))]
    assert solved(_one(person("L1", skills=("family",)), demand)).assignments == ()
    assert len(solved(_one(person("L1", skills=("family", "land", "x")), demand)).assignments) == 1


def test_slot_must_lie_inside_one_available_interval():
    # Slot 9-12. Two touching intervals 8-10 and 10-13 do not join up.
    split = person("L1", available=[interval(0, 8, 10), interval(0, 10, 13)])
    assert solved(_one(split)).assignments == ()
    whole = person("L1", available=[interval(0, 8, 13)])
    assert len(solved(_one(whole)).assignments) == 1


def test_empty_available_means_never():
    assert solved(_one(person("L1", available=[]))).assignments == ()


def test_unavailable_blocks_any_overlap():
    assert solved(_one(person("L1", unavailable=[interval(0, 11.5, 14)]))).assignments == ()
    # Touching at the end does not overlap (half-open intervals).
    assert len(solved(_one(person("L1", unavailable=[interval(0, 12, 14)]))).assignments) == 1


def test_excluded_site_is_never_staffed_by_that_person():
    assert solved(_one(person("L1", excluded_sites=("S1",)))).assignments == ()
    assert len(solved(_one(person("L1", excluded_sites=("S2",)))).assignments) == 1
