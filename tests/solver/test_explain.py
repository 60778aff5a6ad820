"""solver.explain: every open place says why, from what kept each qualified person off."""
from solver.explain import explain
from tests.solver.factories import (
    assign,
    interval,
    line,
    person,
    problem,
    site,
    slot,
    solved,
)


def _open(sol, slot_id, line_no=0):
    (place,) = [o for o in sol.unfilled if o.slot == slot_id and o.line == line_no]
    return place


def _codes(place):
    return {r.code: dict(r.params) for r in place.reasons}


def test_nobody_holds_role_and_skills():
    p = problem([site("S1")], [person("L1", skills=("family",))],
                [slot("T1", "S1", demand=[line(("notary",))]),
                 slot("T2", "S1", day=1, demand=[line(("lawyer",), skills=("land",))])])
    sol = solved(p)
    assert _codes(_open(sol, "T1")) == {"no_qualified": {"roles": "notary", "skills": "-"}}
    reason = _open(sol, "T2").reasons[0]
    assert reason.code == "no_qualified" and "land" in reason.en and "律师" in reason.zh


def test_counts_per_reason_and_where_the_busy_are():
    people = [person("L1", name="王五"), person("L2", unavailable=[interval(0, 8, 20)]),
              person("L3", unavailable=[interval(0, 8, 20)])]
    sites = [site("S1"), site("S2", name="下桥村", x=1)]
    # T1 (priority 5) at 下桥村 takes the only free lawyer at the time of T2.
    slots = [slot("T1", "S2", priority=5), slot("T2", "S1", priority=1)]
    sol = solved(problem(sites, people, slots))
    place = _open(sol, "T2")
    codes = _codes(place)
    assert codes["qualified"]["qualified"] == "3"
    assert codes["unavailable"]["count"] == "2"
    assert codes["busy"] == {"count": "1", "person": "L1", "site": "下桥村", "slot": "T1"}
    summary = place.reasons[0].en
    assert summary.startswith("3 qualified (lawyer): 2 unavailable")
    assert "王五 at 下桥村" in summary
    assert "下桥村" in place.reasons[0].zh


def test_hours_and_day_limits_and_exclusion():
    people = [person("L1", max_hours=3), person("L2", max_slots_per_day=1),
              person("L3", excluded_sites=("S1",))]
    slots = [slot("A", "S1", start=8, hours=3, priority=5, demand=[line(count=2)]),
             slot("B", "S1", start=14, hours=3, priority=1)]
    sol = solved(problem([site("S1")], people, slots))
    codes = _codes(_open(sol, "B"))
    assert codes["hours"]["count"] == "1" and codes["day_limit"]["count"] == "1"
    assert codes["excluded"] == {"count": "1", "person": "L3"}


def test_trainee_without_supervisor():
    p = problem([site("S1")], [person("R1", roles=("trainee_lawyer",))],
                [slot("T1", "S1", demand=[line(("trainee_lawyer",))])])
    assert "supervision" in _codes(_open(solved(p), "T1"))


def test_free_but_dearer_than_leaving_it_open():
    # Filling is worth 1 x priority 1; the only lawyer is 40 km away.
    p = problem([site("S1")], [person("L1", x=40)], [slot("T1", "S1", priority=1)], unfilled=1)
    codes = _codes(_open(solved(p), "T1"))
    assert codes["cost"]["person"] == "L1" and float(codes["cost"]["delta"]) > 0


def test_explain_works_on_any_valid_roster():
    p = problem([site("S1")], [person("L1"), person("L2")],
                [slot("T1", "S1", demand=[line(count=3)])])
    (place,) = explain(p, [assign("T1", "L1")])
    assert place.missing == 2
    codes = _codes(place)
    assert codes["busy"]["count"] == "1"  # L1 already holds this slot
    assert codes["free"]["count"] == "1"  # L2 could come: this roster is simply not optimal
