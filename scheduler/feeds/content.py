"""What each calendar feed says: the events of a person, village or site in the newest
published version of every week in the window, as plain content dicts.

Feeds are read by whoever holds the URL, so they carry service data only: times, places,
the kind of work and the staff's names. A visit booked by a village request shows its time
and place, never the request's topic, details or anything about the villagers.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, literal, select
from sqlalchemy.orm import Session

from models import Assignment, Person, Site, Slot, SquareEvent
from scheduler.core.versions import current_versions

log = logging.getLogger(__name__)

# Feeds have no reader language, so their words are in both.
KIND_LABELS = {
    "visit": "驻村法律服务 Village visit",
    "event": "广场法律服务 Square event",
    "shift": "窗口值班 Window shift",
}
REQUESTED_VISIT = "预约走访 Requested visit"
WITH = "同班 With"
STAFF = "人员 Staff"
PHONE = "电话 Phone"
NOBODY = "待定 To be confirmed"


@dataclass(frozen=True)
class Wanted:
    """One event a feed should carry now."""

    slot_id: int
    person_id: int | None
    starts_at: datetime
    content: dict[str, Any]


def among(session: Session, column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL `column = ANY(array)`, one parameter however many ids
    (thousands of IN parameters cost psycopg more to send than the query costs to run)."""
    ids = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


# A slot and its site as plain columns: a city's feeds read tens of thousands of them.
_SLOT_COLUMNS = (Slot.id, Slot.site_id, Slot.kind, Slot.start_at, Slot.end_at, Slot.request_id, Slot.event_id,
                 Site.name.label("site_name"), Site.address.label("site_address"), Site.phone.label("site_phone"))


def person_events(session: Session, person_ids: Iterable[int], begin: datetime, end: datetime,
                  ) -> dict[int, list[Wanted]]:
    rows = session.execute(
        select(Assignment.person_id, Assignment.schedule_id, *_SLOT_COLUMNS)
        .join(Slot, Slot.id == Assignment.slot_id)
        .join(Site, Site.id == Slot.site_id)
        .where(Assignment.schedule_id.in_(current_versions(begin, end)),
               among(session, Assignment.person_id, person_ids),
               Slot.start_at >= begin, Slot.start_at < end, Slot.cancelled.is_(False))
    ).all()
    teams = _teams(session, {(r.schedule_id, r.id) for r in rows})
    titles = _event_titles(session, rows)
    wanted: dict[int, list[Wanted]] = defaultdict(list)
    for slot in rows:
        person_id = slot.person_id
        try:
            others = [name for pid, name in teams[(slot.schedule_id, slot.id)] if pid != person_id]
            lines = [f"{WITH}: {'、'.join(others)}"] if others else []
            wanted[person_id].append(Wanted(slot.id, person_id, slot.start_at, _content(
                slot, f"{_label(slot, titles)} · {slot.site_name}", lines)))
        except Exception:  # one broken row never breaks a feed
            log.exception("person %s: skipped slot %s", person_id, slot.id)
    return wanted


def site_events(session: Session, site_ids: Iterable[int], begin: datetime, end: datetime,
                ) -> dict[int, list[Wanted]]:
    """One event per staffed slot at each site (a slot nobody serves is not announced)."""
    rows = session.execute(
        select(Assignment.schedule_id, *_SLOT_COLUMNS)
        .join(Slot, Slot.id == Assignment.slot_id)
        .join(Site, Site.id == Slot.site_id)
        .where(Assignment.schedule_id.in_(current_versions(begin, end)),
               among(session, Slot.site_id, site_ids),
               Slot.start_at >= begin, Slot.start_at < end, Slot.cancelled.is_(False))
    ).all()
    # One row per assignment: keep one per slot.
    rows = list({(r.schedule_id, r.id): r for r in rows}.values())
    teams = _teams(session, {(r.schedule_id, r.id) for r in rows})
    titles = _event_titles(session, rows)
    wanted: dict[int, list[Wanted]] = defaultdict(list)
    for slot in rows:
        try:
            names = [name for _pid, name in teams[(slot.schedule_id, slot.id)]]
            summary = f"{_label(slot, titles)} · {'、'.join(names) or NOBODY}"
            wanted[slot.site_id].append(Wanted(slot.id, None, slot.start_at, _content(
                slot, summary, [f"{STAFF}: {'、'.join(names)}"])))
        except Exception:  # one broken row never breaks a feed
            log.exception("site %s: skipped slot %s", slot.site_id, slot.id)
    return wanted


def _teams(session: Session, keys: set[tuple[int, int]]) -> dict[tuple[int, int], list[tuple[int, str]]]:
    """(schedule, slot) -> [(person id, name)] in line order, for everyone serving the slot."""
    teams: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    if not keys:
        return teams
    rows = session.execute(
        select(Assignment.schedule_id, Assignment.slot_id, Person.id, Person.name)
        .join(Person, Person.id == Assignment.person_id)
        .where(among(session, Assignment.schedule_id, {s for s, _ in keys}),
               among(session, Assignment.slot_id, {s for _, s in keys}))
        .order_by(Assignment.line_index, Person.name, Person.id)
    ).all()
    for schedule_id, slot_id, person_id, name in rows:
        if (schedule_id, slot_id) in keys:
            teams[(schedule_id, slot_id)].append((person_id, name))
    return teams


def _event_titles(session: Session, slots: list[Any]) -> dict[int, str]:
    ids = {s.event_id for s in slots if s.event_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(SquareEvent.id, SquareEvent.title).where(SquareEvent.id.in_(ids))).all())


def _label(slot: Any, titles: dict[int, str]) -> str:
    if slot.request_id is not None:
        return REQUESTED_VISIT
    label = KIND_LABELS.get(slot.kind, slot.kind)
    title = titles.get(slot.event_id) if slot.event_id is not None else None
    return f"{label} · {title}" if title else label


def _content(slot: Any, summary: str, lines: list[str]) -> dict[str, Any]:
    """What the event says, from a row of `_SLOT_COLUMNS`."""
    if slot.site_phone:
        lines = [*lines, f"{PHONE}: {slot.site_phone}"]
    return {
        "start": slot.start_at.isoformat(),
        "end": slot.end_at.isoformat(),
        "summary": summary,
        "location": f"{slot.site_name}, {slot.site_address}" if slot.site_address else slot.site_name,
        "description": "\n".join(lines) or None,
    }
