"""Rendering many calendar feeds at once: one query per table for each chunk of feeds
(their wanted events, remembered events, cached renderings and names), then executemany
INSERTs, UPDATEs and one DELETE, never an ORM flush per row.

`render_feeds` is what every refresh uses, from one feed served on demand to the 25,000 of
a city's first publish. It is all or nothing for its caller's transaction: it writes
nothing until every feed of a chunk is computed, and a failure leaves the caller to roll
back. The rules (UIDs kept for good, SEQUENCE rising on a real change, cancelled events
kept seven days) are `scheduler.feeds.render`'s, described there.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models import District, FeedEvent, FeedRender, Person, Site
from scheduler.feeds import content as feed_content
from scheduler.feeds import ical
from scheduler.feeds.content import Wanted, among

log = logging.getLogger(__name__)

WINDOW_BACK = timedelta(days=30)
WINDOW_AHEAD = timedelta(days=180)
CANCELLED_KEPT = timedelta(days=7)
# Even with no change due, a feed is rendered again after this: the window moves daily.
RENDER_AT_MOST = timedelta(days=1)
# Feeds per round of queries: big enough that a city takes a dozen rounds, small enough
# for SQLite's 32,766 bound parameters (a chunk's slots and people are in IN lists).
CHUNK = 2000
CANCELLED_PREFIX = "已取消 Cancelled: "
CALENDAR_NAMES = {
    "person": "{name} · 法律服务排班 Legal service schedule",
    "village": "{name} · 法律顾问来访 Legal adviser visits",
    "site": "{name} · 值班表 Duty roster",
}
_EVENT_COLUMNS = (FeedEvent.id, FeedEvent.uid, FeedEvent.subject_id, FeedEvent.slot_id, FeedEvent.person_id,
                  FeedEvent.sequence, FeedEvent.content_hash, FeedEvent.content, FeedEvent.status,
                  FeedEvent.starts_at, FeedEvent.changed_at, FeedEvent.cancelled_at)


@dataclass(frozen=True)
class Rendered:
    """A feed's bytes and caching headers as stored."""

    body: bytes
    etag: str
    last_modified: datetime


@dataclass
class _Event:
    """A remembered event (a `feed_events` row) while a chunk is worked out."""

    id: int | None
    uid: str
    subject_id: int
    slot_id: int
    person_id: int | None
    sequence: int
    content_hash: str
    content: dict[str, Any]
    status: str
    starts_at: datetime
    changed_at: datetime
    cancelled_at: datetime | None
    dirty: bool = False

    def row(self) -> dict[str, Any]:
        row = {"uid": self.uid, "subject_id": self.subject_id, "slot_id": self.slot_id,
               "person_id": self.person_id, "sequence": self.sequence, "content_hash": self.content_hash,
               "content": self.content, "status": self.status, "starts_at": self.starts_at,
               "changed_at": self.changed_at, "cancelled_at": self.cancelled_at}
        if self.id is not None:
            row["_id"] = self.id
        return row


@dataclass
class _Writes:
    new_events: list[dict[str, Any]]
    changed_events: list[dict[str, Any]]
    gone_events: list[int]
    new_renders: list[dict[str, Any]]
    changed_renders: list[dict[str, Any]]
    restamped_renders: list[dict[str, Any]]


def render_feeds(session: Session, kind: str, subject_ids: Iterable[int], now: datetime, *,
                 domain: str, chunk: int = CHUNK) -> dict[int, Rendered]:
    """Update the remembered events of these feeds (new ones with UIDs in `domain`) and
    render again those that changed or expired, as of `now`. Returns the feeds rendered
    (a feed unchanged and still fresh keeps its bytes and is not in the answer)."""
    begin, end = now - WINDOW_BACK, now + WINDOW_AHEAD
    rendered: dict[int, Rendered] = {}
    for ids in chunks(sorted(set(subject_ids)), chunk):
        rendered.update(_render_chunk(session, kind, ids, now, begin, end, domain))
    if rendered:
        # Rows were written around the unit of work: objects it holds must be read again.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, (FeedEvent, FeedRender)):
                session.expire(obj)
    return rendered


def _render_chunk(session: Session, kind: str, ids: list[int], now: datetime, begin: datetime, end: datetime,
                  domain: str) -> dict[int, Rendered]:
    loader = feed_content.person_events if kind == "person" else feed_content.site_events
    wanted = loader(session, ids, begin, end)
    known: dict[int, list[_Event]] = {i: [] for i in ids}
    for row in session.execute(select(*_EVENT_COLUMNS).where(
            FeedEvent.subject_kind == kind, among(session, FeedEvent.subject_id, ids))):
        known[row.subject_id].append(_Event(*row))
    renders = {r.subject_id: r for r in session.execute(
        select(FeedRender.id, FeedRender.subject_id, FeedRender.etag, FeedRender.last_modified,
               FeedRender.expires_at).where(FeedRender.subject_kind == kind, among(session, FeedRender.subject_id, ids)))}
    names = _names(session, kind, ids)
    writes = _Writes([], [], [], [], [], [])
    rendered: dict[int, Rendered] = {}
    for subject_id in ids:
        events, changed = _sync(kind, subject_id, wanted.get(subject_id, []), known[subject_id], now, begin,
                                domain, writes)
        render = renders.get(subject_id)
        if not changed and render is not None and render.expires_at > now:
            continue  # nothing new: the cached bytes stand
        rendered[subject_id] = _render(kind, subject_id, render, names.get(subject_id), events, now, writes)
    _write(session, kind, writes)
    return rendered


def _sync(kind: str, subject_id: int, wanted: list[Wanted], known: list[_Event], now: datetime,
          begin: datetime, domain: str, writes: _Writes) -> tuple[list[_Event], bool]:
    """Bring the feed's remembered events to `wanted` (writes noted in `writes`); returns
    them and whether any changed."""
    by_key = {(e.slot_id, e.person_id): e for e in known}
    seen = set()
    changed = False
    for item in wanted:
        key = (item.slot_id, item.person_id)
        seen.add(key)
        digest = _digest(item.content)
        event = by_key.get(key)
        if event is None:
            event = _Event(None, _uid(kind, item, domain), subject_id, item.slot_id, item.person_id, 0, digest,
                           item.content, "confirmed", item.starts_at, now, None)
            by_key[key] = event
        elif event.status == "confirmed" and event.content_hash == digest:
            continue
        else:
            event.sequence += 1
        changed = event.dirty = True
        event.content, event.content_hash, event.starts_at = item.content, digest, item.starts_at
        event.status, event.cancelled_at, event.changed_at = "confirmed", None, now
    for key, event in list(by_key.items()):
        if key in seen:
            continue
        if event.starts_at < begin:
            # Out of the window for good: nothing will ever show it again.
            del by_key[key]
            if event.id is not None:
                writes.gone_events.append(event.id)
            changed = True
        elif event.status == "confirmed":
            event.status, event.cancelled_at, event.changed_at = "cancelled", now, now
            event.sequence += 1
            changed = event.dirty = True
    for event in by_key.values():
        if event.dirty:
            (writes.new_events if event.id is None else writes.changed_events).append(event.row())
    return list(by_key.values()), changed


def _uid(kind: str, item: Wanted, domain: str) -> str:
    if kind == "person":
        return f"slot-{item.slot_id}-person-{item.person_id}@{domain}"
    return f"slot-{item.slot_id}-{kind}@{domain}"


def _digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _render(kind: str, subject_id: int, render: Any, subject: tuple[str, str] | None, events: list[_Event],
            now: datetime, writes: _Writes) -> Rendered:
    name, zone = subject or (f"{kind} {subject_id}", "Asia/Shanghai")
    shown = [e for e in events if e.status == "confirmed" or e.cancelled_at > now - CANCELLED_KEPT]
    body = ical.render(ical.CalendarInfo(name=CALENDAR_NAMES[kind].format(name=name), zone=zone),
                       [i for i in map(_event_info, shown) if i is not None])
    etag = hashlib.sha256(body).hexdigest()[:32]
    expiries = [now + RENDER_AT_MOST]
    expiries += [e.cancelled_at + CANCELLED_KEPT for e in shown if e.status == "cancelled"]
    expiries += [e.starts_at + WINDOW_BACK for e in shown]
    expires_at = max(min(expiries), now + timedelta(seconds=1))
    if render is not None and render.etag == etag:
        writes.restamped_renders.append({"_id": render.id, "rendered_at": now, "expires_at": expires_at})
        return Rendered(body, etag, render.last_modified)
    # HTTP dates have whole seconds: a change within the same second still moves it forward.
    modified = now.replace(microsecond=0)
    if render is not None and render.last_modified is not None and modified <= render.last_modified:
        modified = render.last_modified + timedelta(seconds=1)
    row = {"body": body, "etag": etag, "last_modified": modified, "rendered_at": now, "expires_at": expires_at}
    if render is None:
        writes.new_renders.append({"subject_kind": kind, "subject_id": subject_id, **row})
    else:
        writes.changed_renders.append({"_id": render.id, **row})
    return Rendered(body, etag, modified)


def _event_info(event: _Event) -> ical.EventInfo | None:
    try:
        content = event.content
        cancelled = event.status == "cancelled"
        return ical.EventInfo(
            uid=event.uid,
            start=datetime.fromisoformat(content["start"]),
            end=datetime.fromisoformat(content["end"]),
            summary=(CANCELLED_PREFIX if cancelled else "") + str(content["summary"]),
            stamp=event.changed_at,
            sequence=event.sequence,
            location=content.get("location"),
            description=content.get("description"),
            cancelled=cancelled,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("feed event %s (%s): skipped, unreadable content: %s", event.id, event.uid, exc)
        return None


def _write(session: Session, kind: str, writes: _Writes) -> None:
    """The chunk's writes: at most one statement (an executemany) of each shape, in Core
    (the ORM's bulk path costs more in Python than the database does)."""
    events, renders = FeedEvent.__table__, FeedRender.__table__
    if writes.gone_events:
        session.execute(events.delete().where(among(session, events.c.id, writes.gone_events)))
    if writes.changed_events:
        session.execute(events.update().where(events.c.id == bindparam("_id")), writes.changed_events)
    copy = session.get_bind().dialect.name == "postgresql"
    if writes.new_events:
        rows = [{"subject_kind": kind, **row} for row in writes.new_events]
        if copy:
            _copy(session, events, rows, json_columns=("content",))
        else:
            session.execute(events.insert(), rows)
    if writes.changed_renders:
        session.execute(renders.update().where(renders.c.id == bindparam("_id")), writes.changed_renders)
    if writes.restamped_renders:
        session.execute(renders.update().where(renders.c.id == bindparam("_id")), writes.restamped_renders)
    if writes.new_renders:
        if copy:
            _copy(session, renders, writes.new_renders)
        else:
            session.execute(renders.insert(), writes.new_renders)


def _copy(session: Session, table: Any, rows: list[dict[str, Any]], json_columns: tuple[str, ...] = ()) -> None:
    """PostgreSQL: new rows with COPY, one stream for the lot. An executemany INSERT is one
    pipelined statement a row, and multi-row VALUES make psycopg parse megabytes of SQL:
    both cost seconds for a city's 50,000 events."""
    columns = list(rows[0])
    names = ", ".join(columns)
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as stream:
        for row in rows:
            stream.write_row([json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c]
                              for c in columns])


def _names(session: Session, kind: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Subject id -> (name, time zone of its district)."""
    model = Person if kind == "person" else Site
    rows = session.execute(select(model.id, model.name, District.timezone)
                           .join(District, District.id == model.district_id).where(among(session, model.id, ids))).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def chunks(items: Sequence[int], size: int = CHUNK) -> Iterable[list[int]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]
