"""Rule 13: among the slots sharing a choice id, at most one has any assignment."""
from tests.solver.factories import assign, held, person, problem, site, slot, solved


def _group(costs=(0.0, 0.0), people=2, previous=()):
    slots = [slot("A", "S1", day=0, choice="req1", choice_cost=costs[0]),
             slot("B", "S1", day=1, choice="req1", choice_cost=costs[1])]
    return problem([site("S1")], [person(f"L{n}") for n in range(people)], slots,
                   previous=previous)


def test_only_one_time_of_a_request_is_staffed():
    # Keeping both previous assignments would save a change each: still only one time.
    sol = solved(_group(previous=[assign("A", "L0"), assign("B", "L1")]))
    assert len({a.slot for a in sol.assignments}) == 1
    # The other time of the request is not an open place.
    assert len(sol.unfilled) == 0


def test_the_cheaper_time_is_chosen():
    assert {a.slot for a in solved(_group(costs=(200.0, 0.0))).assignments} == {"B"}
    assert {a.slot for a in solved(_group(costs=(0.0, 200.0))).assignments} == {"A"}


def test_slots_without_a_choice_are_all_staffed():
    slots = [slot("A", "S1", day=0), slot("B", "S1", day=1)]
    sol = solved(problem([site("S1")], [person("L1")], slots))
    assert held(sol) == {("A", "L1", 0), ("B", "L1", 0)}


def test_unstaffed_group_counts_its_first_slot():
    # Nobody can come: the group's first slot in the file is what stays open.
    p = _group(people=0)
    sol = solved(p)
    assert [(o.slot, o.missing) for o in sol.unfilled] == [("A", 1)]
    assert sol.objective == 1000 * 3
