"""Rule 3: the person holds every skill of the line."""
from solver.rules import rule_label
from solver.solve import solve
from tests.solver.factories import assign, line, person, problem, rules_broken, site, slot, solved

DEMAND = [line(("lawyer",), skills=("family", "land"))]


def _one(person_, **kw):
    return problem([site("S1")], [person_], [slot("T1", "S1", demand=DEMAND)], **kw)


def test_every_skill_is_required():
    assert solved(_one(person("L1", skills=("family",)))).assignments == ()
    assert len(solved(_one(person("L1", skills=("family", "land", "x")))).assignments) == 1


def test_the_checker_finds_a_missing_skill():
    assert 3 in rules_broken(_one(person("L1", skills=("family",))), assign("T1", "L1"))
    assert 3 not in rules_broken(_one(person("L1", skills=("family", "land"))), assign("T1", "L1"))


def test_a_pin_lacking_a_skill_is_named_with_the_rule():
    sol = solve(_one(person("L1", skills=("land",)), pinned=[assign("T1", "L1")]), time_limit=5)
    assert sol.status == "infeasible"
    (text,) = sol.conflicts
    assert "L1 -> T1" in text and rule_label(3) in text
