"""Rule 2: the person holds at least one of the line's roles."""
from solver.rules import rule_label
from solver.solve import solve
from tests.solver.factories import assign, line, person, problem, rules_broken, site, slot, solved


def _one(person_, demand=None, **kw):
    return problem([site("S1")], [person_], [slot("T1", "S1", demand=demand)], **kw)


def test_role_is_required():
    assert solved(_one(person("M1", roles=("mediator",)))).assignments == ()
    assert len(solved(_one(person("L1"))).assignments) == 1


def test_one_of_the_line_roles_is_enough():
    demand = [line(("lawyer", "mediator"))]
    assert len(solved(_one(person("M1", roles=("mediator",)), demand)).assignments) == 1


def test_the_checker_finds_a_person_without_the_role():
    assert 2 in rules_broken(_one(person("M1", roles=("mediator",))), assign("T1", "M1"))
    assert 2 not in rules_broken(_one(person("L1")), assign("T1", "L1"))


def test_a_pin_without_the_role_is_named_with_the_rule():
    sol = solve(_one(person("M1", roles=("mediator",)), pinned=[assign("T1", "M1")]), time_limit=5)
    assert sol.status == "infeasible"
    (text,) = sol.conflicts
    assert "M1 -> T1" in text and rule_label(2) in text
