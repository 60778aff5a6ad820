"""Rule 6: assigned hours add up to at most max_hours."""
from tests.solver.factories import person, problem, site, slot, solved


def _week(max_hours: float):
    slots = [slot(f"T{d}", "S1", day=d, hours=3) for d in range(3)]
    return problem([site("S1")], [person("L1", max_hours=max_hours)], slots)


def test_hours_limit_caps_the_assignments():
    sol = solved(_week(max_hours=7.5))
    assert len(sol.assignments) == 2


def test_hours_limit_reached_exactly_is_allowed():
    sol = solved(_week(max_hours=9))
    assert len(sol.assignments) == 3


def test_a_slot_longer_than_the_limit_is_never_given():
    p = problem([site("S1")], [person("L1", max_hours=2)], [slot("T1", "S1", hours=3)])
    sol = solved(p)
    assert sol.assignments == ()
