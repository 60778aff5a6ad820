"""After a visit (质量评价制): the provider records what came of it, the village rates it.

Both forms are checked whole: every problem comes back at once, with a code and its
params (一次性告知). Recording the outcome of a requested visit closes the request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, Person, Slot, User, VisitOutcome, VisitRating, VisitRequest
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_role
from scheduler.core.checking import FieldProblem
from scheduler.core.personal_data import has_personal_data
from scheduler.core.versions import newest_versions

COUNT_MAX = 1000
HOURS_MAX = 24
NOTES_MAX = 2000
COMMENT_MAX = 1000
LOOK_BACK = timedelta(weeks=8)
COUNT_FIELDS = ("consultations", "disputes_mediated", "opinions_written")


class VisitRefused(Exception):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ServedVisit:
    """A published place of the provider's that has begun, with what they recorded."""

    slot: Slot
    hours: float  # as planned
    outcome: VisitOutcome | None


@dataclass(frozen=True)
class VillageVisit:
    slot: Slot
    people: tuple[Person, ...]
    rating: VisitRating | None  # this account's


def _provider(session: Session, actor: User) -> Person:
    require_role(actor, "provider")
    person = session.get(Person, actor.person_id)
    if person is None:
        raise NotVisible("This account is linked to no person.")
    return person


def served(session: Session, actor: User, now: datetime, back: timedelta = LOOK_BACK) -> list[ServedVisit]:
    """The provider's published places that have begun, newest first."""
    person = _provider(session, actor)
    slots = session.scalars(
        select(Slot).join(Assignment, Assignment.slot_id == Slot.id)
        .where(Assignment.person_id == person.id, Assignment.schedule_id.in_(newest_versions(person.district_id)),
               Slot.start_at <= now, Slot.start_at > now - back, Slot.cancelled.is_(False))
        .options(selectinload(Slot.site)).order_by(Slot.start_at.desc())).unique().all()
    outcomes = {o.slot_id: o for o in session.scalars(select(VisitOutcome).where(
        VisitOutcome.person_id == person.id, VisitOutcome.slot_id.in_([s.id for s in slots])))}
    return [ServedVisit(s, (s.end_at - s.start_at).total_seconds() / 3600, outcomes.get(s.id)) for s in slots]


def _count(value: object, name: str, problems: list[FieldProblem]) -> int:
    text = "" if value is None else str(value).strip()
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= COUNT_MAX:
        problems.append(FieldProblem(name, "count_invalid", {"max": COUNT_MAX}))
    return number


def _hours(value: object, problems: list[FieldProblem]) -> float:
    text = "" if value is None else str(value).strip()
    if not text:
        problems.append(FieldProblem("hours", "hours_required"))
        return 0.0
    try:
        hours = Decimal(text)
    except InvalidOperation:
        hours = Decimal(-1)
    if not (hours.is_finite() and 0 <= hours <= HOURS_MAX):
        problems.append(FieldProblem("hours", "hours_invalid", {"max": HOURS_MAX}))
        return 0.0
    return float(round(hours, 2))


def record_outcome(session: Session, actor: User, slot_id: int, *, consultations: object = None,
                   disputes_mediated: object = None, opinions_written: object = None, hours: object = None,
                   notes: str | None = None, now: datetime) -> VisitOutcome:
    """Record (or correct) what came of one of the provider's places once it has begun."""
    person = _provider(session, actor)
    slot = session.scalar(select(Slot).join(Assignment, Assignment.slot_id == Slot.id).where(
        Slot.id == slot_id, Assignment.person_id == person.id,
        Assignment.schedule_id.in_(newest_versions(person.district_id))))
    if slot is None:
        raise NotVisible("No such published place of yours.")
    problems: list[FieldProblem] = []
    if slot.start_at > now:
        problems.append(FieldProblem("slot", "not_started"))
    counts = {name: _count(value, name, problems) for name, value in
              zip(COUNT_FIELDS, (consultations, disputes_mediated, opinions_written))}
    spent = _hours(hours, problems)
    text = (notes or "").strip()
    if len(text) > NOTES_MAX:
        problems.append(FieldProblem("notes", "notes_too_long", {"max": NOTES_MAX}))
    if has_personal_data(text):
        problems.append(FieldProblem("notes", "personal_data"))
    if problems:
        raise VisitRefused(problems)
    row = session.scalar(select(VisitOutcome).where(VisitOutcome.slot_id == slot.id,
                                                    VisitOutcome.person_id == person.id))
    if row is None:
        row = VisitOutcome(slot_id=slot.id, person_id=person.id)
        session.add(row)
    for name, value in counts.items():
        setattr(row, name, value)
    row.hours, row.notes, row.recorded_by_id, row.recorded_at = spent, text or None, actor.id, now
    session.flush()
    closed = _close_request(session, slot, now)
    audit.record(session, actor, "visit.outcome", "slot", slot.id, slot.district_id, hours=spent,
                 request_closed=closed, **counts)
    return row


def _close_request(session: Session, slot: Slot, now: datetime) -> int | None:
    if slot.request_id is None:
        return None
    request = session.get(VisitRequest, slot.request_id)
    if request is None or request.status not in ("scheduled", "confirmed"):
        return None
    request.status, request.updated_at = "done", now
    session.flush()
    return request.id


def village_visits(session: Session, actor: User, now: datetime, back: timedelta = LOOK_BACK) -> list[VillageVisit]:
    """Visits to the representative's village that have begun, newest first, with the
    rating this account gave."""
    require_role(actor, "village")
    rows = session.execute(
        select(Slot, Assignment.person_id).join(Assignment, Assignment.slot_id == Slot.id)
        .where(Slot.site_id == actor.village_id, Slot.kind == "visit", Slot.cancelled.is_(False),
               Slot.start_at <= now, Slot.start_at > now - back, Assignment.schedule_id.in_(newest_versions()))
        .options(selectinload(Slot.site))).all()
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({p for _, p in rows}))
                                               .options(selectinload(Person.roles)))}
    teams: dict[int, list[Person]] = {}
    slots: dict[int, Slot] = {}
    for slot, person_id in rows:
        slots[slot.id] = slot
        teams.setdefault(slot.id, []).append(people[person_id])
    ratings = {r.slot_id: r for r in session.scalars(select(VisitRating).where(
        VisitRating.rated_by_id == actor.id, VisitRating.slot_id.in_(list(slots))))}
    return [VillageVisit(slots[sid], tuple(sorted(team, key=lambda p: p.external_id)), ratings.get(sid))
            for sid, team in sorted(teams.items(), key=lambda kv: slots[kv[0]].start_at, reverse=True)]


def rate_visit(session: Session, actor: User, slot_id: int, score: object, comment: str | None,
               now: datetime) -> VisitRating:
    """The village's rating of a visit it received: a score of 1 to 5 and a comment, once."""
    visit = next((v for v in village_visits(session, actor, now, back=timedelta(days=3650))
                  if v.slot.id == slot_id), None)
    if visit is None:
        raise NotVisible("No such visit to your village.")
    problems: list[FieldProblem] = []
    if visit.rating is not None:
        problems.append(FieldProblem("slot", "already_rated"))
    text = "" if score is None else str(score).strip()
    value = 0
    if not text:
        problems.append(FieldProblem("score", "score_required"))
    else:
        value = int(text) if text.isdigit() else 0
        if not 1 <= value <= 5:
            problems.append(FieldProblem("score", "score_invalid"))
    note = (comment or "").strip()
    if len(note) > COMMENT_MAX:
        problems.append(FieldProblem("comment", "comment_too_long", {"max": COMMENT_MAX}))
    if has_personal_data(note):
        problems.append(FieldProblem("comment", "personal_data"))
    if problems:
        raise VisitRefused(problems)
    row = VisitRating(slot_id=visit.slot.id, village_id=actor.village_id, request_id=visit.slot.request_id,
                      rated_by_id=actor.id, score=value, comment=note or None, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, "visit.rating", "slot", visit.slot.id, visit.slot.district_id, score=value)
    return row
