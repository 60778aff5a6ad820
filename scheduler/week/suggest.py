"""Ranked suggestions for one place of a district's week (`solver.suggest` on the week's
problem and its draft), for the assign page and `scheduler suggest`.

The roster is the draft, or the newest published version when there is no draft yet (the
first edit copies it). The problem is the one a solve reads (`build_problem`), so the
figures are the spec's objective: `previous` is the published version and `pinned` the
draft's locks, which a repair never moves.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select, union
from sqlalchemy.orm import Session, selectinload

from models import Assignment, Pairing, Person, PersonRole, PersonSkill, Schedule, Site, Slot, SlotLine, User
from scheduler.core.access import NotVisible
from scheduler.core.collector import collector_paused
from scheduler.core.versions import current_draft, latest_published
from scheduler.core.weeks import to_local
from scheduler.week.desk import district_for
from scheduler.week.problem import week_problem
from solver import suggest as ranking
from solver.problem import Assignment as Placed
from solver.rules import RULES

# The rules a person's other places break (clash, hours, slots a day): moving one may free them.
MOVABLE = frozenset({5, 6, 7})


@dataclass(frozen=True)
class Where:
    """Another place named in a reason or a repair: its slot, site and local times."""

    slot: Slot
    site: Site
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Reason:
    rule: int  # solver.rules number
    zh: str  # the rule's name, as hand edits' refusals name it
    en: str
    where: Where | None = None  # the other slot (busy at, already in, other time of a request)
    holder: Person | None = None  # who holds the full line


@dataclass(frozen=True)
class Suggestion:
    person: Person
    delta: float
    terms: tuple[tuple[str, float], ...]
    reasons: tuple[Reason, ...]  # empty when the person can take the place

    @property
    def fill(self) -> float:
        """The part of `delta` that is the place being filled (the same for everyone)."""
        return dict(self.terms).get("unfilled", 0.0)


@dataclass(frozen=True)
class RepairSuggestion:
    person: Person  # takes this place ...
    leaves: Where  # ... leaving this one ...
    leaves_line: int
    replacement: Person  # ... which this person takes
    delta: float
    terms: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class PlaceSuggestions:
    slot: Slot
    site: Site
    line_index: int
    roles: tuple[str, ...]
    skills: tuple[str, ...]
    count: int
    holders: tuple[Person, ...]  # who holds the line now
    replacing: Person | None
    start: datetime
    end: datetime
    feasible: tuple[Suggestion, ...]
    feasible_count: int
    infeasible: tuple[Suggestion, ...]  # the first `shown` of them: nearest to allowed first
    infeasible_count: int
    repairs: tuple[RepairSuggestion, ...]
    lock_version: int | None

    @property
    def full(self) -> bool:
        return self.replacing is None and len(self.holders) >= self.count


def _slot_of(session: Session, district_id: int, week_start: date, slot_id: int, line_index: int) -> Slot:
    slot = session.scalar(select(Slot).where(Slot.id == slot_id)
                          .options(selectinload(Slot.lines), selectinload(Slot.site)))
    if slot is None or slot.district_id != district_id or slot.week_start != week_start or slot.cancelled:
        raise NotVisible("No such slot in this week.")
    if not any(ln.idx == line_index for ln in slot.lines):
        raise NotVisible("No such demand line in this slot.")
    return slot


def _roster(session: Session, schedule: Schedule | None, people: set[str], slots: set[str]) -> tuple[Placed, ...]:
    """The schedule's assignments the problem can name (its people and slots)."""
    if schedule is None:
        return ()
    rows = session.execute(
        select(Slot.external_id, Person.external_id, Assignment.line_index)
        .join(Slot, Slot.id == Assignment.slot_id).join(Person, Person.id == Assignment.person_id)
        .where(Assignment.schedule_id == schedule.id))
    return tuple(Placed(s, p, line) for s, p, line in rows if s in slots and p in people)


def suggestions(session: Session, actor: User, district_id: int, week_start: date, slot_id: int,
                line_index: int, *, replacing_id: int | None = None, limit: int = 10) -> PlaceSuggestions:
    """Who could take line `line_index` of the slot, cheapest first (with `replacing_id`,
    instead of that holder), who cannot and why, and repairs when nobody can."""
    district_for(session, actor, district_id)
    return place_suggestions(session, district_id, week_start, slot_id, line_index, replacing_id=replacing_id,
                             limit=limit)


def place_suggestions(session: Session, district_id: int, week_start: date, slot_id: int, line_index: int, *,
                      replacing_id: int | None = None, limit: int = 10,
                      blocked_limit: int = 100) -> PlaceSuggestions:
    """`suggestions` without the access check, for the command line's operator. Of those
    who cannot take the place, the first `blocked_limit` are named (a page lists no more)."""
    slot = _slot_of(session, district_id, week_start, slot_id, line_index)
    draft = current_draft(session, district_id, week_start)
    schedule = draft or latest_published(session, district_id, week_start)
    replacing = session.get(Person, replacing_id) if replacing_id is not None else None
    places = {(slot.id, line_index)}
    with collector_paused():
        return _answer(session, district_id, week_start, slot, draft, schedule, replacing, places, line_index,
                       limit, blocked_limit)


def _answer(session: Session, district_id: int, week_start: date, slot: Slot, draft: Schedule | None,
            schedule: Schedule | None, replacing: Person | None, places: set[tuple[int, int]], line_index: int,
            limit: int, blocked_limit: int) -> PlaceSuggestions:
    got, holder_ids = _ranked(session, district_id, week_start, schedule, slot, line_index, places, replacing,
                              limit)
    if not got.feasible:
        # Repairs price other places too: add whoever those places involve, and ask again. Only
        # people kept out by their other places (busy, hours, slots a day) can be freed.
        movable = [o.person for o in got.infeasible if {b.rule for b in o.blocks} <= MOVABLE]
        held = set(session.execute(select(Assignment.slot_id, Assignment.line_index).join(Person).where(
            Assignment.schedule_id == (schedule.id if schedule else None),
            Person.external_id.in_(movable))).all()) if movable else set()
        if held - places:
            got, holder_ids = _ranked(session, district_id, week_start, schedule, slot, line_index,
                                      places | held, replacing, limit)
    names = _Lookup(session, slot.site.timezone)
    names.want(people=holder_ids, slots=())
    blocked = got.infeasible[:blocked_limit]
    for option in (*got.feasible, *blocked):
        names.want(people=[option.person, *(b.person for b in option.blocks if b.person)],
                   slots=[b.slot for b in option.blocks if b.slot])
    for repair in got.repairs:
        names.want(people=[repair.person, repair.replacement], slots=[repair.from_slot])
    names.load()
    line = next(ln for ln in slot.lines if ln.idx == line_index)
    zone = slot.site.timezone
    return PlaceSuggestions(
        slot, slot.site, line_index, tuple(line.roles), tuple(line.skills), line.count,
        tuple(names.person(p) for p in holder_ids), replacing,
        to_local(slot.start_at, zone), to_local(slot.end_at, zone),
        tuple(names.suggestion(o) for o in got.feasible), got.feasible_count,
        tuple(names.suggestion(o) for o in blocked), len(got.infeasible),
        tuple(RepairSuggestion(names.person(r.person), names.where(r.from_slot), r.from_line,
                               names.person(r.replacement), r.delta, r.terms) for r in got.repairs),
        draft.lock_version if draft is not None else None)


class _Lookup:
    """Rows for the external ids the solver answered with, two queries in all."""

    def __init__(self, session: Session, zone: str) -> None:
        self.session, self.zone = session, zone
        self.people_ids: set[str] = set()
        self.slot_ids: set[str] = set()
        self.people: dict[str, Person] = {}
        self.slots: dict[str, Slot] = {}

    def want(self, *, people, slots) -> None:
        self.people_ids.update(people)
        self.slot_ids.update(slots)

    def load(self) -> None:
        if self.people_ids:
            self.people = {p.external_id: p for p in self.session.scalars(
                select(Person).where(Person.external_id.in_(self.people_ids))
                .options(selectinload(Person.roles)))}
        if self.slot_ids:
            self.slots = {s.external_id: s for s in self.session.scalars(
                select(Slot).where(Slot.external_id.in_(self.slot_ids)).options(selectinload(Slot.site)))}

    def person(self, external_id: str) -> Person:
        return self.people[external_id]

    def where(self, external_id: str) -> Where:
        slot = self.slots[external_id]
        zone = slot.site.timezone or self.zone
        return Where(slot, slot.site, to_local(slot.start_at, zone), to_local(slot.end_at, zone))

    def suggestion(self, option: ranking.Option) -> Suggestion:
        reasons = tuple(Reason(b.rule, RULES[b.rule].zh, RULES[b.rule].en, self.where(b.slot) if b.slot else None,
                               self.person(b.person) if b.person else None) for b in option.blocks)
        return Suggestion(self.person(option.person), option.delta, option.terms, reasons)


def _ranked(session: Session, district_id: int, week_start: date, schedule: Schedule | None, slot: Slot,
            line_index: int, places: set[tuple[int, int]], replacing: Person | None, limit: int):
    """solver.suggest on the week's problem narrowed to the people `places` involve (see
    `_people_for`): every figure stays the full week's, at a fraction of the reading."""
    place_slots = {s for s, _ in places}
    spans = session.execute(select(Slot.start_at, Slot.end_at).where(Slot.id.in_(place_slots))).all()
    # The places' slots and their requests' other times (one time per request).
    groups = select(Slot.choice_group).where(Slot.id.in_(place_slots), Slot.choice_group.is_not(None))
    request_slots = place_slots | set(session.scalars(select(Slot.id).where(Slot.choice_group.in_(groups))))
    person_ids = _people_for(session, schedule, places, request_slots)
    # Only the places' times are ever judged: everyone's other times need not be read; of the
    # week's slots only those above and the ones the people hold.
    slot_ids = set(request_slots)
    if schedule is not None:
        slot_ids.update(session.scalars(select(Assignment.slot_id).where(
            Assignment.schedule_id == schedule.id, Assignment.person_id.in_(person_ids))))
    problem = week_problem(session, district_id, week_start, person_ids=person_ids, slot_ids=slot_ids,
                           within=[tuple(span) for span in spans])
    # Locks outside the narrowed problem cannot matter here.
    people, slots = {p.id for p in problem.people}, {s.id for s in problem.slots}
    problem = replace(problem, pinned=tuple(a for a in problem.pinned if a.person in people and a.slot in slots))
    roster = _roster(session, schedule, people, slots)
    holder_ids = [a.person for a in roster if (a.slot, a.line) == (slot.external_id, line_index)]
    if replacing is not None and replacing.external_id not in holder_ids:
        raise NotVisible("That person does not hold this place.")
    got = ranking.suggest(problem, roster, slot.external_id, line_index,
                          replacing=replacing.external_id if replacing else None, limit=limit)
    return got, holder_ids


def _people_for(session: Session, schedule: Schedule | None, places: set[tuple[int, int]],
                request_slots: set[int]):
    """Everyone a suggestion for `places` can involve, as a query of their ids (a mediator's
    line names most of a district: read again by the database, not sent back as a list): the
    active people of the slots' district holding one of a line's roles and all its skills,
    the sites' standing advisers (whether a place is "unpaired" depends on them), and whoever
    holds a place in `request_slots`, the places' slots and their requests' other times (line
    capacity, supervision, one time per request)."""
    lines = session.execute(select(SlotLine.slot_id, SlotLine.idx, SlotLine.roles, SlotLine.skills, Slot.district_id,
                                   Slot.site_id).join(Slot, Slot.id == SlotLine.slot_id)
                            .where(SlotLine.slot_id.in_({s for s, _ in places}))).all()
    wanted = []
    for row in lines:
        if (row.slot_id, row.idx) not in places:
            continue
        query = select(Person.id).where(Person.district_id == row.district_id, Person.active, Person.id.in_(
            select(PersonRole.person_id).where(PersonRole.role.in_(list(row.roles)))))
        for skill in row.skills:
            query = query.where(Person.id.in_(select(PersonSkill.person_id).where(PersonSkill.skill == skill)))
        wanted.append(query)
    wanted.append(select(Pairing.person_id).where(Pairing.site_id.in_({row.site_id for row in lines})))
    if schedule is not None:
        wanted.append(select(Assignment.person_id).where(
            Assignment.schedule_id == schedule.id, Assignment.slot_id.in_(request_slots)))
    return union(*wanted)
