"""Rule 11: pinned assignments are kept; pins that break a hard rule make the problem
infeasible, each offending pin named with the rule it breaks."""
from solver.solve import solve
from tests.solver.factories import (
    assign,
    held,
    interval,
    line,
    person,
    problem,
    site,
    slot,
    solved,
)


def _base(apart=False, **kw):
    people = [person("L1"), person("L2", x=50), person("R1", roles=("trainee_lawyer",))]
    # Overlapping slots (rule 5 between pins) unless `apart`.
    slots = [slot("T1", "S1", start=9), slot("T2", "S1", start=13 if apart else 10)]
    return problem([site("S1")], people, slots, **kw)


def test_pinned_assignment_is_kept_even_when_dearer():
    sol = solved(_base(apart=True, pinned=[assign("T1", "L2")]))
    assert held(sol) == {("T1", "L2", 0), ("T2", "L1", 0)}
    assert sol.status in ("optimal", "feasible")


def test_without_the_pin_the_nearer_lawyer_is_chosen():
    assert held(solved(_base(apart=True))) == {("T1", "L1", 0), ("T2", "L1", 0)}


def _conflicts(p):
    sol = solve(p, time_limit=5)
    assert sol.status == "infeasible" and sol.assignments == ()
    return sol.conflicts


def test_pin_breaking_a_rule_alone_is_named_with_its_rule():
    p = _base(pinned=[assign("T1", "L1"), assign("T2", "L2")])
    p = problem(p.sites, [person("L1"), person("L2", x=50, unavailable=[interval(0, 8, 20)])],
                p.slots, pinned=p.pinned)
    (text,) = _conflicts(p)
    assert "L2 -> T2" in text and "rule 4" in text


def test_pins_clashing_with_each_other_name_both():
    (text,) = _conflicts(_base(pinned=[assign("T1", "L1"), assign("T2", "L1")]))
    assert "L1 -> T2" in text and "L1 -> T1" in text and "rule 5" in text


def test_more_pins_than_places_break_the_line_count():
    (text,) = _conflicts(_base(pinned=[assign("T1", "L1"), assign("T1", "L2")]))
    assert "rule 9" in text and "L1 -> T1" in text and "L2 -> T1" in text


def test_pinned_trainee_nobody_can_supervise():
    slots = [slot("T1", "S1", demand=[line(("trainee_lawyer",))])]
    p = problem([site("S1")], [person("R1", roles=("trainee_lawyer",))], slots,
                pinned=[assign("T1", "R1")])
    (text,) = _conflicts(p)
    assert "R1 -> T1" in text and "rule 10" in text


def test_pinned_trainee_gets_a_supervisor():
    slots = [slot("T1", "S1", demand=[line(("trainee_lawyer",)), line(("lawyer",))])]
    p = problem([site("S1")], [person("R1", roles=("trainee_lawyer",)), person("L1")], slots,
                pinned=[assign("T1", "R1")])
    assert held(solved(p)) == {("T1", "R1", 0), ("T1", "L1", 1)}
