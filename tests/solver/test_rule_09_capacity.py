"""Rule 9: a line gets at most count people."""
from tests.solver.factories import line, person, problem, site, slot, solved


def _problem(count: int, people: int):
    # Advisers are paired with the site and nearby, so each assignment looks attractive.
    crowd = [person(f"L{n}", paired_sites=("S1",)) for n in range(people)]
    return problem([site("S1")], crowd, [slot("T1", "S1", demand=[line(count=count)])],
                   unfilled=1000, change=100)


def test_line_never_gets_more_than_count():
    assert len(solved(_problem(count=2, people=4)).assignments) == 2


def test_line_filled_up_to_count():
    assert len(solved(_problem(count=3, people=3)).assignments) == 3
