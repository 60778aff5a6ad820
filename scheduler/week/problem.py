"""Building the solver's problem (roster-problem/1) for one district and week from the
database: the very document `scheduler problem` writes and the app solves.

People are the district's active providers. Availability is expanded from weekly rules and
dated exceptions into the spec's intervals, in local time. A person with no `available`
rule and no `available` exception is treated as always available (the spec's absent
`available`), so a newly entered person is usable before they fill in their week.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
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
from solver.problem import PROBLEM_FORMAT


def _fmt(moment: datetime, zone: str) -> str:
    return to_local(moment, zone).strftime("%Y-%m-%dT%H:%M:%S")


def _interval(start: datetime, end: datetime, zone: str) -> dict[str, str]:
    return {"start": _fmt(start, zone), "end": _fmt(end, zone)}


def build_problem(session: Session, district_id: int, week_start: date, *,
                  person_ids: set[int] | None = None, slot_ids: set[int] | None = None,
                  within: list[tuple[datetime, datetime]] | None = None) -> dict[str, Any]:
    """The week's problem; `person_ids` / `slot_ids` narrow it to a part (for checking an
    edit against the hard rules without building the whole week). With `within` (UTC spans),
    people's available, unavailable and undesired times keep only the intervals overlapping
    one of them: enough to judge the slots at those times, and far less to write and read."""
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
        people_query = people_query.where(Person.id.in_(person_ids))
    slots = session.scalars(slot_query).all()
    # Plain rows, not ORM objects: thousands of people with their roles, skills and rules.
    people = session.execute(people_query).all()
    sites = session.scalars(
        select(Site).where(or_(Site.district_id == district_id, Site.id.in_({s.site_id for s in slots})))
        .order_by(Site.external_id)
    ).all()
    ids = [p.id for p in people]
    roles = _pairs_of(session.execute(
        select(PersonRole.person_id, PersonRole.role).where(PersonRole.person_id.in_(ids)).order_by(PersonRole.role)))
    skills = _pairs_of(session.execute(
        select(PersonSkill.person_id, PersonSkill.skill).where(PersonSkill.person_id.in_(ids))
        .order_by(PersonSkill.skill)))
    # Plain rows, not ORM objects: a district has tens of thousands of them, read-only here.
    r, x = AvailabilityRule, AvailabilityException
    rule_query = (select(r.person_id, r.kind, r.weekday, r.start_time, r.end_time, r.valid_from, r.valid_to)
                  .where(r.person_id.in_(ids)))
    keeps_available = None
    if within is not None:
        # Only the weekdays the spans fall on; whether someone keeps weekly available times at
        # all (the spec's absent `available`: always available) is asked of all their rules.
        weekdays = {day.weekday() for start, stop in within for day in _local_days(start, stop, zone)}
        rule_query = rule_query.where(r.weekday.in_(weekdays))
        keeps_available = set(session.scalars(
            select(r.person_id).where(r.person_id.in_(ids), r.kind == "available").distinct()))
    rules = _by_person(session.execute(rule_query))
    exceptions = _by_person(session.execute(
        select(x.person_id, x.kind, x.start_at, x.end_at)
        .where(x.person_id.in_(ids), x.start_at < end, x.end_at > begin)))
    paired = _pairs(session, ids, week_start)
    names = dict(session.execute(select(District.id, District.name)).all())
    excluded = _pairs_of(session.execute(
        select(SiteExclusion.person_id, Site.external_id).join(Site).where(SiteExclusion.person_id.in_(ids))
    ))
    return {
        "format": PROBLEM_FORMAT,
        "timezone": zone,
        "sites": [_site(s, names[s.district_id]) for s in sites],
        "people": [
            _person(p, roles.get(p.id, []), skills.get(p.id, []), names[p.district_id],
                    rules.get(p.id, []), exceptions.get(p.id, []),
                    paired.get(p.id, []), excluded.get(p.id, []), week_start, zone, within,
                    None if keeps_available is None else p.id in keeps_available)
            for p in people
        ],
        "slots": [_slot(s, zone) for s in slots],
        "pinned": _assignments(session, current_draft(session, district_id, week_start), locked_only=True),
        "previous": _assignments(session, latest_published(session, district_id, week_start)),
    }


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


def _pairs(session: Session, person_ids: list[int], on: date) -> dict[int, list[str]]:
    rows = session.execute(
        select(Pairing.person_id, Site.external_id)
        .join(Site, Site.id == Pairing.site_id)
        .where(Pairing.person_id.in_(person_ids), Pairing.valid_from <= on,
               or_(Pairing.valid_to.is_(None), Pairing.valid_to > on))
    )
    return _pairs_of(rows)


def _site(s: Site, district: str) -> dict[str, Any]:
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


def _person(p, roles: list[str], skills: list[str], district: str, rules: list, exceptions: list,
            paired: list[str], excluded: list[str],
            week_start: date, zone: str, within: list[tuple[datetime, datetime]] | None = None,
            keeps_available: bool | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": p.external_id, "name": p.name, "roles": roles, "skills": skills,
        "district": district, "lat": p.lat, "lon": p.lon, "max_hours": p.max_hours_week,
    }
    if p.target_hours_week is not None:
        doc["target_hours"] = p.target_hours_week
    if p.max_slots_per_day is not None:
        doc["max_slots_per_day"] = p.max_slots_per_day
    if p.max_paired_sites is not None:
        doc["max_paired_sites"] = p.max_paired_sites
    available, undesired = [], []
    days = {day.weekday(): day for day in week_days(week_start)}
    for rule in rules:
        # A weekly rule falls on one day of the week: look that day up rather than try all seven.
        day = days.get(rule.weekday)
        if day is not None and _rule_applies(rule, day):
            target = available if rule.kind == "available" else undesired
            target.append((to_utc(day, rule.start_time, zone), to_utc(day, rule.end_time, zone)))
    unavailable = []
    for ex in exceptions:
        {"available": available, "unavailable": unavailable, "undesired": undesired}[ex.kind].append(
            (ex.start_at, ex.end_at))
    if keeps_available is None:
        keeps_available = any(r.kind == "available" for r in rules)
    has_available_rules = keeps_available or any(e.kind == "available" for e in exceptions)
    if within is not None:
        # Overlap keeps every interval that can matter: one that contains a span overlaps it.
        available, unavailable, undesired = (
            [(a, b) for a, b in spans if any(a < end and b > start for start, end in within)]
            for spans in (available, unavailable, undesired))
    if has_available_rules:
        doc["available"] = [_interval(a, b, zone) for a, b in sorted(available)]
    if unavailable:
        doc["unavailable"] = [_interval(a, b, zone) for a, b in sorted(unavailable)]
    if undesired:
        doc["undesired"] = [_interval(a, b, zone) for a, b in sorted(undesired)]
    if paired:
        doc["paired_sites"] = sorted(paired)
    if excluded:
        doc["excluded_sites"] = sorted(excluded)
    return doc


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


def _assignments(session: Session, schedule: Schedule | None, locked_only: bool = False) -> list[dict[str, Any]]:
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
    return [{"slot": s, "person": p, "line": line} for s, p, line in session.execute(query)]


