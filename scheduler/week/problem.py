"""Building the solver's problem (roster-problem/1) for one district and week from the
database: the very document `scheduler problem` writes and the app solves.

People are the district's active providers. Availability is expanded from weekly rules and
dated exceptions into the spec's intervals, in local time. A person with no `available`
rule and no `available` exception is treated as always available (the spec's absent
`available`), so a newly entered person is usable before they fill in their week.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, CompoundSelect, Integer, Select, any_, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from models import (
    Assignment,
    AvailabilityException,
    AvailabilityRule,
    District,
    Pairing,
    Person,
    PersonRole,
    PersonSkill,
    Schedule,
    Site,
    SiteExclusion,
    Slot,
)
from scheduler.core.versions import current_draft, latest_published
from scheduler.core.weeks import to_local, to_utc, week_days
from scheduler.demand.generate import week_bounds
from solver.problem import PROBLEM_FORMAT, DemandLine, Interval, Problem
from solver.problem import Assignment as Placed
from solver.problem import Person as SolverPerson
from solver.problem import Site as SolverSite
from solver.problem import Slot as SolverSlot


def _fmt(moment: datetime, zone: str) -> str:
    return to_local(moment, zone).strftime("%Y-%m-%dT%H:%M:%S")


def _interval(start: datetime, end: datetime, zone: str) -> dict[str, str]:
    return {"start": _fmt(start, zone), "end": _fmt(end, zone)}


@dataclass(frozen=True)
class _Week:
    """What both forms of the problem are made of: plain rows, read once."""

    week_start: date
    zone: str
    within: list[tuple[datetime, datetime]] | None
    sites: list
    people: list
    slots: list[Slot]
    roles: dict[int, list[str]]
    skills: dict[int, list[str]]
    rules: dict[int, list]
    exceptions: dict[int, list]
    paired: dict[int, list[str]]
    excluded: dict[int, list[str]]
    keeps_available: set[int] | None
    names: dict[int, str]
    pinned: list[tuple[str, str, int]]
    previous: list[tuple[str, str, int]]


def build_problem(session: Session, district_id: int, week_start: date, *,
                  person_ids: Any = None, slot_ids: set[int] | None = None,
                  within: list[tuple[datetime, datetime]] | None = None) -> dict[str, Any]:
    """The week's problem; `person_ids` (ids, or a query of them) / `slot_ids` narrow it to a
    part (for checking an edit against the hard rules without building the whole week). With
    `within` (UTC spans), people's available, unavailable and undesired times keep only the
    intervals overlapping one of them: enough to judge the slots at those times, and far less
    to write and read."""
    w = _read(session, district_id, week_start, person_ids, slot_ids, within)
    return {
        "format": PROBLEM_FORMAT,
        "timezone": w.zone,
        "sites": [_site(s, w.names[s.district_id]) for s in w.sites],
        "people": [_person(p, w) for p in w.people],
        "slots": [_slot(s, w.zone) for s in w.slots],
        "pinned": [{"slot": s, "person": p, "line": line} for s, p, line in w.pinned],
        "previous": [{"slot": s, "person": p, "line": line} for s, p, line in w.previous],
    }


def week_problem(session: Session, district_id: int, week_start: date, *,
                 person_ids: Any = None, slot_ids: set[int] | None = None,
                 within: list[tuple[datetime, datetime]] | None = None) -> Problem:
    """`solver.io.parse_problem(build_problem(...))` without the document in between, for
    answers a coordinator waits on (suggestions): the same rows become the solver's objects
    directly. The database's own constraints stand in for the reader's checks; a solve still
    writes and reads the document (the file contract)."""
    w = _read(session, district_id, week_start, person_ids, slot_ids, within)
    return Problem(
        timezone=w.zone,
        sites=tuple(SolverSite(s.external_id, s.name, s.kind, w.names[s.district_id], float(s.lat), float(s.lon),
                               tuple(s.needs or ())) for s in w.sites),
        people=tuple(_solver_person(p, w) for p in w.people),
        slots=tuple(SolverSlot(s.external_id, s.site.external_id, s.kind, to_local(s.start_at, w.zone),
                               to_local(s.end_at, w.zone),
                               tuple(DemandLine(frozenset(ln.roles), ln.count, frozenset(ln.skills or ()))
                                     for ln in s.lines),
                               s.priority, s.choice_group, float(s.choice_cost) if s.choice_group else 0.0)
                    for s in w.slots),
        pinned=tuple(dict.fromkeys(Placed(*a) for a in w.pinned)),
        previous=tuple(Placed(*a) for a in w.previous),
    )


def _read(session: Session, district_id: int, week_start: date, person_ids: Any, slot_ids: set[int] | None,
          within: list[tuple[datetime, datetime]] | None) -> _Week:
    district = session.get(District, district_id)
    if district is None:
        raise LookupError(f"no district with id {district_id}")
    zone = district.timezone
    begin, end = week_bounds(week_start)
    slot_query = (
        select(Slot)
        .where(Slot.district_id == district_id, Slot.week_start == week_start, Slot.cancelled.is_(False))
        .options(selectinload(Slot.lines), selectinload(Slot.site))
        .order_by(Slot.start_at, Slot.external_id)
    )
    people_query = (
        select(Person.id, Person.external_id, Person.name, Person.district_id, Person.lat, Person.lon,
               Person.max_hours_week, Person.target_hours_week, Person.max_slots_per_day, Person.max_paired_sites)
        .where(Person.district_id == district_id, Person.active)
        .order_by(Person.external_id)
    )
    if slot_ids is not None:
        slot_query = slot_query.where(Slot.id.in_(slot_ids))
    if person_ids is not None:
        people_query = people_query.where(_in(session, Person.id, person_ids))
    slots = session.scalars(slot_query).all()
    # Plain rows, not ORM objects: thousands of people with their roles, skills and rules.
    people = session.execute(people_query).all()
    sites = session.execute(
        select(Site.external_id, Site.name, Site.kind, Site.district_id, Site.lat, Site.lon, Site.needs)
        .where(or_(Site.district_id == district_id, Site.id.in_({s.site_id for s in slots})))
        .order_by(Site.external_id)
    ).all()
    ids = ([p.id for p in people] if session.get_bind().dialect.name == "postgresql"
           else people_query.with_only_columns(Person.id).order_by(None))

    def among(column):
        return _in(session, column, ids)

    roles = _pairs_of(session.execute(
        select(PersonRole.person_id, PersonRole.role).where(among(PersonRole.person_id)).order_by(PersonRole.role)))
    skills = _pairs_of(session.execute(
        select(PersonSkill.person_id, PersonSkill.skill).where(among(PersonSkill.person_id))
        .order_by(PersonSkill.skill)))
    # Plain rows, not ORM objects: a district has tens of thousands of them, read-only here.
    r, x = AvailabilityRule, AvailabilityException
    rule_query = (select(r.person_id, r.kind, r.weekday, r.start_time, r.end_time, r.valid_from, r.valid_to)
                  .where(among(r.person_id)))
    keeps_available = None
    if within is not None:
        # Only the weekdays the spans fall on; whether someone keeps weekly available times at
        # all (the spec's absent `available`: always available) is asked of all their rules.
        weekdays = {day.weekday() for start, stop in within for day in _local_days(start, stop, zone)}
        rule_query = rule_query.where(r.weekday.in_(weekdays))
        keeps_available = set(session.scalars(
            select(r.person_id).where(among(r.person_id), r.kind == "available").distinct()))
    rules = _by_person(session.execute(rule_query))
    exceptions = _by_person(session.execute(
        select(x.person_id, x.kind, x.start_at, x.end_at)
        .where(among(x.person_id), x.start_at < end, x.end_at > begin)))
    excluded = _pairs_of(session.execute(
        select(SiteExclusion.person_id, Site.external_id).join(Site).where(among(SiteExclusion.person_id))
    ))
    return _Week(
        week_start, zone, within, sites, people, slots, roles, skills, rules, exceptions,
        _pairs(session, among, week_start), excluded, keeps_available,
        dict(session.execute(select(District.id, District.name)).all()),
        _assignments(session, current_draft(session, district_id, week_start), locked_only=True),
        _assignments(session, latest_published(session, district_id, week_start)))


def _by_person(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.person_id].append(row)
    return grouped


def _pairs_of(rows) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for person_id, site_ext in rows:
        grouped[person_id].append(site_ext)
    return grouped


def _pairs(session: Session, among, on: date) -> dict[int, list[str]]:
    rows = session.execute(
        select(Pairing.person_id, Site.external_id)
        .join(Site, Site.id == Pairing.site_id)
        .where(among(Pairing.person_id), Pairing.valid_from <= on,
               or_(Pairing.valid_to.is_(None), Pairing.valid_to > on))
    )
    return _pairs_of(rows)


def _in(session: Session, column, ids):
    """`column IN ids` (a collection of ids or a query of them), written for each database.
    PostgreSQL: the ids as one array parameter (a query's are read first), planned well with
    or without fresh statistics: a query of the narrowed people inside each statement took 2 s
    a suggestion on a database never analysed. SQLite: as given; a query costs less than
    compiling and sending thousands of parameters."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(ids)
    if isinstance(ids, Select | CompoundSelect):
        ids = session.scalars(ids).all()
    return column == any_(literal(list(ids), ARRAY(Integer)))


def _site(s, district: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": s.external_id, "name": s.name, "kind": s.kind,
                           "district": district, "lat": s.lat, "lon": s.lon}
    if s.needs:
        doc["needs"] = list(s.needs)
    return doc


def _local_days(start: datetime, stop: datetime, zone: str) -> list[date]:
    first, last = to_local(start, zone).date(), to_local(stop, zone).date()
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


def _rule_applies(rule: AvailabilityRule, day: date) -> bool:
    return (rule.weekday == day.weekday() and (rule.valid_from is None or rule.valid_from <= day)
            and (rule.valid_to is None or day <= rule.valid_to))


def _times(p, w: _Week) -> tuple[list | None, list, list]:
    """A person's available (None: always), unavailable and undesired times in the week, as
    sorted UTC pairs."""
    rules, exceptions = w.rules.get(p.id, []), w.exceptions.get(p.id, [])
    available, undesired = [], []
    days = {day.weekday(): day for day in week_days(w.week_start)}
    for rule in rules:
        # A weekly rule falls on one day of the week: look that day up rather than try all seven.
        day = days.get(rule.weekday)
        if day is not None and _rule_applies(rule, day):
            target = available if rule.kind == "available" else undesired
            target.append((to_utc(day, rule.start_time, w.zone), to_utc(day, rule.end_time, w.zone)))
    unavailable = []
    for ex in exceptions:
        {"available": available, "unavailable": unavailable, "undesired": undesired}[ex.kind].append(
            (ex.start_at, ex.end_at))
    keeps_available = (any(r.kind == "available" for r in rules) if w.keeps_available is None
                       else p.id in w.keeps_available)
    has_available_rules = keeps_available or any(e.kind == "available" for e in exceptions)
    if w.within is not None:
        # Overlap keeps every interval that can matter: one that contains a span overlaps it.
        available, unavailable, undesired = (
            [(a, b) for a, b in spans if any(a < end and b > start for start, end in w.within)]
            for spans in (available, unavailable, undesired))
    return (sorted(available) if has_available_rules else None), sorted(unavailable), sorted(undesired)


def _person(p, w: _Week) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": p.external_id, "name": p.name, "roles": w.roles.get(p.id, []), "skills": w.skills.get(p.id, []),
        "district": w.names[p.district_id], "lat": p.lat, "lon": p.lon, "max_hours": p.max_hours_week,
    }
    if p.target_hours_week is not None:
        doc["target_hours"] = p.target_hours_week
    if p.max_slots_per_day is not None:
        doc["max_slots_per_day"] = p.max_slots_per_day
    if p.max_paired_sites is not None:
        doc["max_paired_sites"] = p.max_paired_sites
    available, unavailable, undesired = _times(p, w)
    for key, spans in (("available", available), ("unavailable", unavailable), ("undesired", undesired)):
        if spans or (key == "available" and spans is not None):
            doc[key] = [_interval(a, b, w.zone) for a, b in spans]
    if p.id in w.paired:
        doc["paired_sites"] = sorted(w.paired[p.id])
    if p.id in w.excluded:
        doc["excluded_sites"] = sorted(w.excluded[p.id])
    return doc


def _solver_person(p, w: _Week) -> SolverPerson:
    def spans(pairs):
        return tuple(Interval(to_local(a, w.zone), to_local(b, w.zone)) for a, b in pairs)

    available, unavailable, undesired = _times(p, w)
    return SolverPerson(
        p.external_id, p.name, frozenset(w.roles.get(p.id, ())), frozenset(w.skills.get(p.id, ())),
        w.names[p.district_id], float(p.lat), float(p.lon), float(p.max_hours_week),
        None if p.target_hours_week is None else float(p.target_hours_week), p.max_slots_per_day,
        None if available is None else spans(available), spans(unavailable), spans(undesired),
        frozenset(w.paired.get(p.id, ())), frozenset(w.excluded.get(p.id, ())), p.max_paired_sites)


def _slot(s: Slot, zone: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": s.external_id, "site": s.site.external_id, "kind": s.kind,
        "start": _fmt(s.start_at, zone), "end": _fmt(s.end_at, zone), "priority": s.priority,
        "demand": [
            {"roles": list(ln.roles), "count": ln.count, **({"skills": list(ln.skills)} if ln.skills else {})}
            for ln in s.lines
        ],
    }
    if s.choice_group:
        doc["choice"] = s.choice_group
        doc["choice_cost"] = s.choice_cost
    return doc


def _assignments(session: Session, schedule: Schedule | None, locked_only: bool = False) -> list[tuple[str, str, int]]:
    if schedule is None:
        return []
    query = (
        select(Slot.external_id, Person.external_id, Assignment.line_index)
        .join(Slot, Slot.id == Assignment.slot_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.schedule_id == schedule.id)
        .order_by(Slot.external_id, Person.external_id)
    )
    if locked_only:
        query = query.where(Assignment.locked)
    return [(s, p, line) for s, p, line in session.execute(query)]


