"""Rule 1: every id in an assignment exists, and `line` is a valid index of the slot's demand."""
from solver.rules import rule_label
from solver.solve import solve
from tests.solver.factories import assign, held, line, person, problem, rules_broken, site, slot, solved


def _base(**kw):
    slots = [slot("T1", "S1", demand=[line(("lawyer",)), line(("lawyer",))])]
    return problem([site("S1")], [person("L1"), person("L2", x=1)], slots, **kw)


def test_the_solver_names_only_known_slots_people_and_lines():
    p = _base()
    sol = solved(p)
    assert {(s, q) for s, q, _ in held(sol)} == {("T1", "L1"), ("T1", "L2")}
    assert sorted(a.line for a in sol.assignments) == [0, 1]
    assert not rules_broken(p, *sol.assignments)


def test_a_pin_with_known_ids_and_line_is_kept():
    assert ("T1", "L2", 1) in held(solved(_base(pinned=[assign("T1", "L2", line=1)])))


def test_pins_naming_a_missing_slot_person_or_line_are_named_with_the_rule():
    pins = [assign("NOPE", "L1"), assign("T1", "NOBODY"), assign("T1", "L1", line=2)]
    sol = solve(_base(pinned=pins), time_limit=5)
    assert sol.status == "infeasible" and sol.assignments == ()
    assert len(sol.conflicts) == 3 and all(rule_label(1) in text for text in sol.conflicts)
    slot_, person_, line_ = sol.conflicts
    assert "NOPE" in slot_ and "no such slot" in slot_
    assert "NOBODY" in person_ and "no such person" in person_
    assert "line 2" in line_ and "no such line" in line_


def test_the_checker_finds_unknown_ids_and_lines():
    p = _base()
    assert rules_broken(p, assign("NOPE", "L1")) == {1}
    assert rules_broken(p, assign("T1", "NOBODY")) == {1}
    assert rules_broken(p, assign("T1", "L1", line=2)) == {1}
    assert rules_broken(p, assign("T1", "L1", line=-1)) == {1}
    assert 1 not in rules_broken(p, assign("T1", "L1", line=1))
