"""Rule 7: at most max_slots_per_day slots starting on one local calendar day."""
from tests.solver.factories import person, problem, site, slot, solved


def _slots(*starts):
    return [slot(f"T{n}", "S1", day=day, start=hour, hours=1) for n, (day, hour) in enumerate(starts)]


def test_per_day_limit_caps_one_day():
    p = problem([site("S1")], [person("L1", max_slots_per_day=1)], _slots((0, 9), (0, 14)))
    assert len(solved(p).assignments) == 1


def test_per_day_limit_counts_each_day_separately():
    p = problem([site("S1")], [person("L1", max_slots_per_day=1)], _slots((0, 9), (1, 9)))
    assert len(solved(p).assignments) == 2


def test_the_day_is_the_local_date_of_the_start():
    # 23:00 and 01:00 local (UTC+8) are one date in UTC (15:00, 17:00) but two local dates.
    p = problem([site("S1")], [person("L1", max_slots_per_day=1)], _slots((0, 23), (1, 1)))
    assert len(solved(p).assignments) == 2
    # 00:00 and 07:30 local are two UTC dates (16:00 the day before, 23:30) but one local one.
    p = problem([site("S1")], [person("L1", max_slots_per_day=1)], _slots((1, 0), (1, 7.5)))
    assert len(solved(p).assignments) == 1
