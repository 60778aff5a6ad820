"""What the published versions say about village visits: who comes when for each request,
what a new version changes at each village, and the request statuses that follow.

A request is `scheduled` once a published version staffs one of its slots (the demand
generator made one slot per acceptable window, as a choice group). When a later version
staffs none of them, it is back to `received`; when the confirmed time changes, it is
`scheduled` again until the coordinator confirms the new time with the village.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, Person, Schedule, Site, Slot, VisitRequest
from scheduler.core.versions import newest_versions

OPEN_STATUSES = ("received", "scheduled", "confirmed")


@dataclass(frozen=True)
class Staffed:
    """A slot and the people a published version puts on it."""

    slot: Slot
    people: tuple[Person, ...]

    def same_as(self, other: Staffed | None) -> bool:
        return other is not None and self.slot.id == other.slot.id and \
            {p.id for p in self.people} == {p.id for p in other.people}


@dataclass(frozen=True)
class VisitChange:
    """One visit at a village (a request's, or a set visit) in two published versions."""

    village: Site
    request: VisitRequest | None
    before: Staffed | None
    after: Staffed | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "scheduled"
        if self.after is None:
            return "not_kept"
        if self.before.slot.id != self.after.slot.id:
            return "time_changed"
        return "people_changed"


def _staffed(session: Session, rows: Iterable[tuple[int, int]]) -> dict[int, Staffed]:
    """(slot id, person id) pairs -> slot id -> Staffed, people in a stable order."""
    by_slot: dict[int, list[int]] = defaultdict(list)
    for slot_id, person_id in rows:
        by_slot[slot_id].append(person_id)
    if not by_slot:
        return {}
    slots = {s.id: s for s in session.scalars(
        select(Slot).where(Slot.id.in_(list(by_slot))).options(selectinload(Slot.site)))}
    people = {p.id: p for p in session.scalars(
        select(Person).where(Person.id.in_({p for ids in by_slot.values() for p in ids}))
        .options(selectinload(Person.roles)))}
    return {sid: Staffed(slots[sid], tuple(sorted((people[p] for p in pids), key=lambda p: p.external_id)))
            for sid, pids in by_slot.items()}


def planned_visits(session: Session, request_ids: Iterable[int]) -> dict[int, Staffed]:
    """Each request's visit as the newest published version of its week staffs it (the
    earliest, should two weeks each staff one of its windows)."""
    ids = list(set(request_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Slot.request_id, Assignment.slot_id, Assignment.person_id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.request_id.in_(ids), Slot.cancelled.is_(False),
               Assignment.schedule_id.in_(newest_versions()))).all()
    staffed = _staffed(session, [(slot_id, person_id) for _, slot_id, person_id in rows])
    found: dict[int, Staffed] = {}
    for visit in sorted(staffed.values(), key=lambda v: v.slot.start_at):
        found.setdefault(visit.slot.request_id, visit)
    return found


def _visit_rows(session: Session, version: Schedule | None, requests_only: bool) -> dict[tuple[str, int], tuple]:
    """The staffed visits at villages in one version as plain values: key -> (slot id, its
    people's ids, start). The key is ("request", id) for a request's visit (the earliest of
    its windows staffed) and ("slot", id) for a set visit (left out with `requests_only`)."""
    if version is None:
        return {}
    query = (select(Assignment.slot_id, Assignment.person_id, Slot.request_id, Slot.start_at)
             .join(Slot, Slot.id == Assignment.slot_id).join(Site, Site.id == Slot.site_id)
             .where(Assignment.schedule_id == version.id, Site.kind == "village", Slot.cancelled.is_(False)))
    if requests_only:
        query = query.where(Slot.request_id.is_not(None))
    slots: dict[int, tuple[int | None, datetime, set[int]]] = {}
    for slot_id, person_id, request_id, start_at in session.execute(query):
        slots.setdefault(slot_id, (request_id, start_at, set()))[2].add(person_id)
    visits: dict[tuple[str, int], tuple] = {}
    for slot_id, (request_id, start_at, people) in sorted(slots.items(), key=lambda kv: (kv[1][1], kv[0])):
        key = ("request", request_id) if request_id else ("slot", slot_id)
        visits.setdefault(key, (slot_id, frozenset(people), start_at))
    return visits


def visit_changes(session: Session, old: Schedule | None, new: Schedule, now: datetime) -> list[VisitChange]:
    """Visits whose time or people differ between two versions and that are still ahead
    (a visit already under way or over is not announced). A first version announces only
    the requests it schedules.

    The versions are compared as plain values first; only the visits that differ are then
    loaded with their slots and people (a week has hundreds of visits, a publish changes few)."""
    # A first version announces requests only: its set visits are not even read (a city's
    # first publish has tens of thousands).
    before, after = _visit_rows(session, old, False), _visit_rows(session, new, old is None)
    keys = set(before) | set(after)
    if old is None:
        keys = {k for k in keys if k[0] == "request"}
    changed = sorted((k for k in keys if before.get(k, (None, None))[:2] != after.get(k, (None, None))[:2]
                      and any(v is not None and v[2] > now for v in (before.get(k), after.get(k)))),
                     key=lambda k: (k[0], k[1]))
    # Each version's own people: a slot kept with other people is two different Staffed.
    staffed_before = _staffed(session, sorted({(before[k][0], p) for k in changed if k in before for p in before[k][1]}))
    staffed_after = _staffed(session, sorted({(after[k][0], p) for k in changed if k in after for p in after[k][1]}))
    # A request that has no slot in this week (all its windows elsewhere) cannot change here.
    requests = {r.id: r for r in session.scalars(select(VisitRequest).where(
        VisitRequest.id.in_([k[1] for k in changed if k[0] == "request"])).options(selectinload(VisitRequest.owner)))}
    changes = []
    for key in changed:
        b = staffed_before[before[key][0]] if key in before else None
        a = staffed_after[after[key][0]] if key in after else None
        village = (a or b).slot.site
        changes.append(VisitChange(village, requests.get(key[1]) if key[0] == "request" else None, b, a))
    return changes


def sync_statuses(session: Session, changes: list[VisitChange], now: datetime) -> list[tuple[VisitRequest, str]]:
    """Move each changed request's status to what the published versions now say; returns
    (request, previous status) for those that moved."""
    touched = [c for c in changes if c.request is not None and c.request.status in OPEN_STATUSES]
    planned = planned_visits(session, [c.request.id for c in touched])
    moved = []
    for change in touched:
        request, visit = change.request, planned.get(change.request.id)
        if visit is None:
            status = "received"
        elif request.status == "confirmed" and not (change.before and change.after
                                                    and change.before.slot.id == change.after.slot.id):
            status = "scheduled"  # a new time needs confirming with the village again
        else:
            status = "scheduled" if request.status == "received" else request.status
        if status != request.status:
            moved.append((request, request.status))
            request.status, request.updated_at = status, now
    session.flush()
    return moved
