"""Availability kept by coordinators for the people of their districts: a person's week as a
grid of half-hours (weekly rules and the week's dated exceptions, read the way the problem
builder reads them), and adding or removing rules and exceptions.

The changes go through the same functions as the provider's own corner
(`scheduler.mine.self_service.*_for` / `*_of`), after the coordinator's scope is checked; every
change is audited. The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AvailabilityException, AvailabilityRule, Person, User
from scheduler.core import audit
from scheduler.core.checking import plain
from scheduler.core.weeks import DEFAULT_ZONE, holiday_name, timetable_weekday, to_utc, week_days
from scheduler.mine import self_service
from scheduler.people.operations import get_person

STEP = timedelta(minutes=30)
DEFAULT_HOURS = (8, 18)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Cell:
    # "available", "outside" (not within the person's available times) or "unavailable".
    state: str
    undesired: bool


@dataclass(frozen=True)
class GridDay:
    day: date
    holiday: str | None
    # The weekday whose window timetable applies, when it is another day's (make-up day).
    works_as: int | None


@dataclass(frozen=True)
class PersonWeek:
    person: Person
    week_start: date
    zone: str
    days: list[GridDay]
    rows: list[time]
    cells: list[list[Cell]]  # one row per half-hour, one cell per day
    rules: list[AvailabilityRule]
    week_rule_ids: frozenset[int]  # rules that apply on some day of this week
    exceptions: list[AvailabilityException]
    # No available rule or period at all: the solver treats the person as always available.
    always_available: bool


def rule_applies(rule: AvailabilityRule, day: date) -> bool:
    return (rule.weekday == day.weekday() and (rule.valid_from is None or rule.valid_from <= day)
            and (rule.valid_to is None or day <= rule.valid_to))


def _zone(person: Person) -> str:
    return person.district.timezone if person.district is not None else DEFAULT_ZONE


def person_week(session: Session, user: User, person_id: int, week_start: date) -> PersonWeek:
    person = get_person(session, user, person_id)
    zone = _zone(person)
    days = week_days(week_start)
    begin, end = to_utc(days[0], time(), zone), to_utc(days[-1] + DAY, time(), zone)
    rules = list(session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == person.id)
                                 .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time,
                                           AvailabilityRule.id)))
    exceptions = list(session.scalars(
        select(AvailabilityException).where(AvailabilityException.person_id == person.id,
                                            AvailabilityException.start_at < end, AvailabilityException.end_at > begin)
        .order_by(AvailabilityException.start_at, AvailabilityException.id)))
    return build_week(person, week_start, zone, rules, exceptions)


def build_week(person: Person, week_start: date, zone: str, rules: list[AvailabilityRule],
               exceptions: list[AvailabilityException]) -> PersonWeek:
    days = week_days(week_start)
    intervals: dict[str, list[tuple[datetime, datetime]]] = {"available": [], "unavailable": [], "undesired": []}
    week_rules = set()
    for day in days:
        for rule in rules:
            if rule_applies(rule, day):
                week_rules.add(rule.id)
                intervals[rule.kind].append((to_utc(day, rule.start_time, zone), to_utc(day, rule.end_time, zone)))
    for ex in exceptions:
        intervals[ex.kind].append((ex.start_at, ex.end_at))
    always = not any(r.kind == "available" for r in rules) and not any(e.kind == "available" for e in exceptions)
    rows = _rows(days, zone, [iv for kind in intervals.values() for iv in kind])
    cells = []
    for row in rows:
        line = []
        for day in days:
            a = to_utc(day, row, zone)
            b = a + STEP
            if any(s < b and a < e for s, e in intervals["unavailable"]):
                state = "unavailable"
            elif always or any(s <= a and b <= e for s, e in intervals["available"]):
                state = "available"
            else:
                state = "outside"
            line.append(Cell(state, any(s < b and a < e for s, e in intervals["undesired"])))
        cells.append(line)
    grid_days = []
    for day in days:
        weekday = timetable_weekday(day)
        grid_days.append(GridDay(day, holiday_name(day) if weekday is None else None,
                                 weekday if weekday is not None and weekday != day.weekday() else None))
    return PersonWeek(person, week_start, zone, grid_days, rows, cells, rules, frozenset(week_rules), exceptions,
                      always)


def _rows(days: list[date], zone: str, intervals: list[tuple[datetime, datetime]]) -> list[time]:
    """Half-hours from 08:00 to 18:00, widened to show every time that starts or ends within
    the week (a period running over midnight does not widen the grid to the whole day)."""
    first, last = DEFAULT_HOURS[0] * 60, DEFAULT_HOURS[1] * 60
    tz = ZoneInfo(zone)
    week = (datetime.combine(days[0], time(), tz), datetime.combine(days[-1] + DAY, time(), tz))
    for s, e in intervals:
        for moment, is_end in ((s, False), (e, True)):
            local = moment.astimezone(tz)
            if not week[0] < local < week[1]:
                continue
            minutes = local.hour * 60 + local.minute
            if minutes == 0:
                continue
            if is_end:
                last = max(last, -(-minutes // 30) * 30)
            else:
                first = min(first, minutes // 30 * 30)
    return [time(m // 60, m % 60) for m in range(first, last, 30)]


def add_rule(session: Session, user: User, person_id: int, weekday: int, start: time, end: time, kind: str,
             valid_from: date | None = None, valid_to: date | None = None) -> AvailabilityRule:
    person = get_person(session, user, person_id)
    rule = self_service.add_rule_for(session, person, weekday, start, end, kind, valid_from, valid_to)
    _audit(session, user, person, "availability.rule_add", rule_id=rule.id, **_rule_details(rule))
    return rule


def delete_rule(session: Session, user: User, person_id: int, rule_id: int) -> AvailabilityRule:
    person = get_person(session, user, person_id)
    rule = self_service.delete_rule_of(session, person, rule_id)
    _audit(session, user, person, "availability.rule_remove", rule_id=rule_id, **_rule_details(rule))
    return rule


def add_exception(session: Session, user: User, person_id: int, start_at: datetime, end_at: datetime, kind: str,
                  note: str | None) -> AvailabilityException:
    person = get_person(session, user, person_id)
    row = self_service.add_exception_for(session, person, start_at, end_at, kind, note)
    _audit(session, user, person, "availability.period_add", exception_id=row.id, **_period_details(row))
    return row


def delete_exception(session: Session, user: User, person_id: int, exception_id: int) -> AvailabilityException:
    person = get_person(session, user, person_id)
    row = self_service.delete_exception_of(session, person, exception_id)
    _audit(session, user, person, "availability.period_remove", exception_id=exception_id, **_period_details(row))
    return row


def _rule_details(rule: AvailabilityRule) -> dict[str, object]:
    return plain({"kind": rule.kind, "weekday": rule.weekday, "start": rule.start_time, "end": rule.end_time,
                  "valid_from": rule.valid_from, "valid_to": rule.valid_to})


def _period_details(row: AvailabilityException) -> dict[str, object]:
    return plain({"kind": row.kind, "start": row.start_at, "end": row.end_at, "note": row.note})


def _audit(session: Session, user: User, person: Person, action: str, **details: object) -> None:
    audit.record(session, user, action, "person", person.external_id, person.district_id, **details)
