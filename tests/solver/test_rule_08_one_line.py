"""Rule 8: a person holds at most one line of one slot."""
from tests.solver.factories import line, person, problem, site, slot, solved


def test_one_person_fills_only_one_of_two_lines():
    s = slot("T1", "S1", demand=[line(("lawyer",)), line(("lawyer",))])
    sol = solved(problem([site("S1")], [person("L1")], [s]))
    assert len(sol.assignments) == 1


def test_two_people_fill_both_lines():
    s = slot("T1", "S1", demand=[line(("lawyer",)), line(("lawyer",))])
    sol = solved(problem([site("S1")], [person("L1"), person("L2")], [s]))
    assert sorted(a.line for a in sol.assignments) == [0, 1]
    assert len({a.person for a in sol.assignments}) == 2
