"""What the pages show of swaps: a provider's (asked of them, asked by them) and a district's,
for places not yet over: the open ones and those closed in the last days, each with the words
of its last refusal or rejection (kept in the audit log)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from models import AuditEntry, Person, Slot, SwapRequest, User
from scheduler.core.access import AccessDenied, can_see_district, require_role
from scheduler.mine.self_service import provider_person
from scheduler.swaps.operations import OPEN_STATUSES

# Closed swaps stay on the pages this long after their last step.
RECENT = timedelta(days=14)


@dataclass(frozen=True)
class SwapRow:
    swap: SwapRequest
    slot: Slot
    from_person: Person
    to_person: Person
    # The words of the last refusal or rejection, from the audit log.
    answer: str | None


def _rows(session: Session, swaps: list[SwapRequest]) -> list[SwapRow]:
    if not swaps:
        return []
    slots = {s.id: s for s in session.scalars(select(Slot).where(Slot.id.in_({w.slot_id for w in swaps}))
                                              .options(selectinload(Slot.site), selectinload(Slot.lines)))}
    ids = {w.from_person_id for w in swaps} | {w.to_person_id for w in swaps}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    answers: dict[str, str] = {}
    for object_id, details in session.execute(
            select(AuditEntry.object_id, AuditEntry.details)
            .where(AuditEntry.object_type == "swap_request", AuditEntry.action == "swap.rejected",
                   AuditEntry.object_id.in_([str(w.id) for w in swaps]))):
        answers[object_id] = (details or {}).get("reason")
    return [SwapRow(w, slots[w.slot_id], people[w.from_person_id], people[w.to_person_id], answers.get(str(w.id)))
            for w in swaps]


def row_of(session: Session, swap: SwapRequest) -> SwapRow:
    """One swap with its slot and people, as the lists show it (after a step on it)."""
    return _rows(session, [swap])[0]


def _current(now: datetime):
    """Open swaps of places not yet started, and closed ones of the last days."""
    return or_(SwapRequest.status.in_(OPEN_STATUSES), SwapRequest.updated_at >= now - RECENT)


def mine(session: Session, user: User, now: datetime) -> tuple[list[SwapRow], list[SwapRow]]:
    """(asked of me, asked by me): open ones first, then the latest."""
    me = provider_person(session, user)
    found = list(session.scalars(
        select(SwapRequest).join(Slot, Slot.id == SwapRequest.slot_id)
        .where(or_(SwapRequest.to_person_id == me.id, SwapRequest.from_person_id == me.id),
               Slot.end_at > now, _current(now))
        .order_by(Slot.start_at, SwapRequest.id)))
    rows = _rows(session, found)
    return ([r for r in rows if r.swap.to_person_id == me.id], [r for r in rows if r.swap.from_person_id == me.id])


def for_district(session: Session, actor: User, district_id: int, now: datetime,
                 week_start: date | None = None) -> list[SwapRow]:
    """A district's swaps of places not yet over: open ones and those closed lately."""
    require_role(actor, "coordinator")
    if not can_see_district(actor, district_id):
        raise AccessDenied(f"District {district_id} is outside this account's scope.")
    query = (select(SwapRequest).join(Slot, Slot.id == SwapRequest.slot_id)
             .where(Slot.district_id == district_id, Slot.end_at > now, _current(now))
             .order_by(Slot.start_at, SwapRequest.id))
    if week_start is not None:
        query = query.where(Slot.week_start == week_start)
    return _rows(session, list(session.scalars(query)))
