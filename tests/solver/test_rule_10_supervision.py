"""Rule 10: a trainee assignment needs another assignment of a supervisor in the slot."""
from tests.solver.factories import line, person, problem, site, slot, solved

TRAINEE_LINE = line(("trainee_lawyer",))


def test_trainee_alone_is_not_sent():
    s = slot("T1", "S1", demand=[TRAINEE_LINE, line(("mediator",))])
    p = problem([site("S1")], [person("R1", roles=("trainee_lawyer",)), person("M1", roles=("mediator",))], [s])
    sol = solved(p)
    assert {a.person for a in sol.assignments} == {"M1"}


def test_trainee_goes_with_a_supervising_lawyer():
    s = slot("T1", "S1", demand=[TRAINEE_LINE, line(("lawyer",))])
    p = problem([site("S1")], [person("R1", roles=("trainee_lawyer",)), person("L1")], [s])
    assert {a.person for a in solved(p).assignments} == {"R1", "L1"}


def test_the_supervisor_must_be_another_assignment():
    # One person holding both roles cannot supervise themself.
    s = slot("T1", "S1", demand=[TRAINEE_LINE])
    p = problem([site("S1")], [person("X1", roles=("trainee_lawyer", "lawyer"))], [s])
    assert solved(p).assignments == ()


def test_trainee_on_a_line_that_also_takes_lawyers_is_not_a_trainee_assignment():
    s = slot("T1", "S1", demand=[line(("lawyer", "trainee_lawyer", "mediator"))])
    p = problem([site("S1")], [person("X1", roles=("trainee_lawyer", "mediator"))], [s])
    assert len(solved(p).assignments) == 1
