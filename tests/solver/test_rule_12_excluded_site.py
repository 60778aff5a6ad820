"""Rule 12: no one is assigned at one of their `excluded_sites` (conflict of interest)."""
from solver.rules import rule_label
from solver.solve import solve
from tests.solver.factories import assign, person, problem, rules_broken, site, slot, solved


def _one(person_, **kw):
    return problem([site("S1"), site("S2", x=1)], [person_], [slot("T1", "S1")], **kw)


def test_excluded_site_is_never_staffed_by_that_person():
    assert solved(_one(person("L1", excluded_sites=("S1",)))).assignments == ()
    assert len(solved(_one(person("L1", excluded_sites=("S2",)))).assignments) == 1


def test_the_checker_finds_an_assignment_at_an_excluded_site():
    assert 12 in rules_broken(_one(person("L1", excluded_sites=("S1",))), assign("T1", "L1"))
    assert 12 not in rules_broken(_one(person("L1", excluded_sites=("S2",))), assign("T1", "L1"))


def test_a_pin_at_an_excluded_site_is_named_with_the_rule():
    sol = solve(_one(person("L1", excluded_sites=("S1",)), pinned=[assign("T1", "L1")]), time_limit=5)
    assert sol.status == "infeasible"
    (text,) = sol.conflicts
    assert "L1 -> T1" in text and rule_label(12) in text
