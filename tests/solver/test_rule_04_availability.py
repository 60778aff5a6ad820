"""Rule 4: the slot lies inside one of the person's `available` intervals (if any) and
overlaps none of their `unavailable` ones."""
from solver.rules import rule_label
from solver.solve import solve
from tests.solver.factories import assign, interval, person, problem, rules_broken, site, slot, solved


def _one(person_, **kw):
    # The slot: Monday 9-12.
    return problem([site("S1")], [person_], [slot("T1", "S1")], **kw)


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


def test_the_checker_finds_an_assignment_outside_the_person_s_time():
    outside = person("L1", available=[interval(0, 8, 10), interval(0, 10, 13)])
    assert 4 in rules_broken(_one(outside), assign("T1", "L1"))
    assert 4 in rules_broken(_one(person("L1", unavailable=[interval(0, 11.5, 14)])), assign("T1", "L1"))
    inside = person("L1", available=[interval(0, 8, 13)], unavailable=[interval(0, 12, 14)])
    assert 4 not in rules_broken(_one(inside), assign("T1", "L1"))


def test_a_pin_at_an_unavailable_time_is_named_with_the_rule():
    p = _one(person("L1", unavailable=[interval(0, 8, 20)]), pinned=[assign("T1", "L1")])
    sol = solve(p, time_limit=5)
    assert sol.status == "infeasible"
    (text,) = sol.conflicts
    assert "L1 -> T1" in text and rule_label(4) in text
