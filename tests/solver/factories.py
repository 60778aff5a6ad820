"""Small builders of `solver.problem` dataclasses for tests.

Everything has a sensible default so a test states only what it is about:

    p = problem(sites=[site("S1")], people=[person("L1")], slots=[slot("T1", "S1")])

Places are given in km east (`x`) and north (`y`) of a point in Ningbo, times as
(day offset from Monday 2026-11-30, hour) in Asia/Shanghai. `to_doc` turns a Problem
back into a roster-problem/1 dict and `assert_valid` judges a Solution with the
independent checker (`solver.check`).
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from solver.check import check
from solver.problem import (
    Assignment,
    DemandLine,
    Interval,
    Person,
    Problem,
    Rules,
    Site,
    Slot,
    Solution,
    Weights,
)
from solver.solve import solve

ZONE_NAME = "Asia/Shanghai"
ZONE = ZoneInfo(ZONE_NAME)
MONDAY = datetime(2026, 11, 30, tzinfo=ZONE)
ORIGIN = (29.87, 121.55)
_KM_PER_DEG_LAT = 6371.0 * math.pi / 180.0


def at(day: int = 0, hour: float = 9.0) -> datetime:
    """An aware local datetime `day` days after Monday 2026-11-30 at `hour` (may be 9.5)."""
    return MONDAY + timedelta(days=day, minutes=round(hour * 60))


def latlon(x: float = 0.0, y: float = 0.0) -> tuple[float, float]:
    """(lat, lon) of the point `x` km east and `y` km north of ORIGIN."""
    lat = ORIGIN[0] + y / _KM_PER_DEG_LAT
    lon = ORIGIN[1] + x / (_KM_PER_DEG_LAT * math.cos(math.radians(ORIGIN[0])))
    return lat, lon


def interval(day: int, start_hour: float, end_hour: float, end_day: int | None = None) -> Interval:
    return Interval(at(day, start_hour), at(day if end_day is None else end_day, end_hour))


def site(id: str = "S1", x: float = 0.0, y: float = 0.0, *, kind: str = "village",
         name: str | None = None, district: str = "D1", needs=()) -> Site:
    lat, lon = latlon(x, y)
    return Site(id=id, name=name or f"site {id}", kind=kind, district=district,
                lat=lat, lon=lon, needs=tuple(needs))


def person(id: str = "P1", roles=("lawyer",), skills=(), x: float = 0.0, y: float = 0.0, *,
           max_hours: float = 40.0, name: str | None = None, district: str = "D1",
           target_hours: float | None = None, max_slots_per_day: int | None = None,
           available=None, unavailable=(), undesired=(), paired_sites=(), excluded_sites=(),
           max_paired_sites: int | None = None) -> Person:
    lat, lon = latlon(x, y)
    return Person(
        id=id, name=name or f"person {id}", roles=frozenset(roles), skills=frozenset(skills),
        district=district, lat=lat, lon=lon, max_hours=max_hours, target_hours=target_hours,
        max_slots_per_day=max_slots_per_day,
        available=None if available is None else tuple(available),
        unavailable=tuple(unavailable), undesired=tuple(undesired),
        paired_sites=frozenset(paired_sites), excluded_sites=frozenset(excluded_sites),
        max_paired_sites=max_paired_sites)


def line(roles=("lawyer",), count: int = 1, skills=()) -> DemandLine:
    return DemandLine(roles=frozenset(roles), count=count, skills=frozenset(skills))


def slot(id: str = "T1", site: str = "S1", day: int = 0, start: float = 9.0,
         hours: float = 3.0, *, demand=None, kind: str = "visit", priority: int = 3,
         choice: str | None = None, choice_cost: float = 0.0) -> Slot:
    begin = at(day, start)
    return Slot(id=id, site=site, kind=kind, start=begin,
                end=begin + timedelta(minutes=round(hours * 60)),
                demand=tuple(demand) if demand is not None else (line(),),
                priority=priority, choice=choice, choice_cost=choice_cost)


def assign(slot: str, person: str, line: int = 0) -> Assignment:
    return Assignment(slot=slot, person=person, line=line)


def problem(sites=(), people=(), slots=(), *, pinned=(), previous=(), rules: Rules | None = None,
            weights: Weights | None = None, **weight_overrides) -> Problem:
    """A Problem; keyword weights (e.g. `km=0`) override the default Weights."""
    if weights is None:
        weights = Weights(**weight_overrides)
    elif weight_overrides:
        raise TypeError("give either weights or weight overrides, not both")
    return Problem(timezone=ZONE_NAME, sites=tuple(sites), people=tuple(people),
                   slots=tuple(slots), pinned=tuple(pinned), previous=tuple(previous),
                   rules=rules or Rules(), weights=weights)


# ----------------------------------------------------------------- documents and checking

def _interval_doc(iv: Interval) -> dict:
    return {"start": iv.start.isoformat(), "end": iv.end.isoformat()}


def _assignment_doc(a: Assignment) -> dict:
    return {"slot": a.slot, "person": a.person, "line": a.line}


def to_doc(p: Problem) -> dict:
    """The roster-problem/1 dict of a Problem (every optional field written out)."""
    people = []
    for q in p.people:
        doc = {"id": q.id, "name": q.name, "roles": sorted(q.roles), "skills": sorted(q.skills),
               "district": q.district, "lat": q.lat, "lon": q.lon, "max_hours": q.max_hours,
               "unavailable": [_interval_doc(i) for i in q.unavailable],
               "undesired": [_interval_doc(i) for i in q.undesired],
               "paired_sites": sorted(q.paired_sites),
               "excluded_sites": sorted(q.excluded_sites)}
        if q.available is not None:
            doc["available"] = [_interval_doc(i) for i in q.available]
        if q.target_hours is not None:
            doc["target_hours"] = q.target_hours
        if q.max_slots_per_day is not None:
            doc["max_slots_per_day"] = q.max_slots_per_day
        if q.max_paired_sites is not None:
            doc["max_paired_sites"] = q.max_paired_sites
        people.append(doc)
    slots = []
    for s in p.slots:
        doc = {"id": s.id, "site": s.site, "kind": s.kind, "start": s.start.isoformat(),
               "end": s.end.isoformat(), "priority": s.priority,
               "demand": [{"roles": sorted(d.roles), "count": d.count, "skills": sorted(d.skills)}
                          for d in s.demand]}
        if s.choice is not None:
            doc["choice"] = s.choice
            doc["choice_cost"] = s.choice_cost
        slots.append(doc)
    r, w = p.rules, p.weights
    return {
        "format": "roster-problem/1", "timezone": p.timezone,
        "sites": [{"id": s.id, "name": s.name, "kind": s.kind, "district": s.district,
                   "lat": s.lat, "lon": s.lon, "needs": list(s.needs)} for s in p.sites],
        "people": people, "slots": slots,
        "pinned": [_assignment_doc(a) for a in p.pinned],
        "previous": [_assignment_doc(a) for a in p.previous],
        "rules": {"travel_kmh": r.travel_kmh, "road_factor": r.road_factor,
                  "trainee_role": r.trainee_role, "supervisor_role": r.supervisor_role},
        "weights": {"unfilled": w.unfilled, "unpaired": w.unpaired, "km": w.km,
                    "fairness": w.fairness, "undesired": w.undesired, "change": w.change},
    }


def solution_doc(sol: Solution) -> dict:
    """A minimal roster-solution/1 dict: what the checker reads."""
    doc = {"format": "roster-solution/1", "status": sol.status, "objective": sol.objective,
           "assignments": [_assignment_doc(a) for a in sol.assignments],
           "unfilled": [{"slot": o.slot, "line": o.line, "missing": o.missing,
                         "reasons": [f"{r.zh} / {r.en}" for r in o.reasons]}
                        for o in sol.unfilled],
           "stats": dict(sol.stats)}
    if sol.bound is not None:
        doc["bound"] = sol.bound
    return doc


def check_report(p: Problem, sol: Solution):
    """The independent checker's report on `sol`."""
    return check(to_doc(p), solution_doc(sol))


def rules_broken(p: Problem, *assignments: Assignment) -> set[int]:
    """The hard rules the checker finds broken by the roster of `assignments`."""
    return check(to_doc(p), solution_doc(Solution("feasible", 0.0, assignments))).rules_broken()


def assert_valid(p: Problem, sol: Solution) -> None:
    """Fail unless the checker finds no broken hard rule and agrees on the objective."""
    report = check_report(p, sol)
    assert report.ok, report.summary()
    if sol.status in ("optimal", "feasible"):
        assert math.isclose(report.objective, sol.objective, rel_tol=1e-9, abs_tol=1e-6), (
            report.summary(), sol.objective)


def solved(p: Problem, time_limit: float = 5.0, **kw) -> Solution:
    """`solver.solve.solve` on a small problem, its answer checked by the checker."""
    sol = solve(p, time_limit=time_limit, **kw)
    assert_valid(p, sol)
    return sol


def held(sol: Solution) -> set[tuple[str, str, int]]:
    """The solution's assignments as (slot, person, line) triples."""
    return {(a.slot, a.person, a.line) for a in sol.assignments}
