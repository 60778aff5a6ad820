"""Calendar feeds of people, villages and sites, built from published versions only and
rendered when a version is published, so serving one is a single lookup of its token's hash.

Each feed remembers every event it has carried (`FeedEvent`): UIDs never change, SEQUENCE
rises on each real change, and an event that disappears stays as STATUS:CANCELLED for seven
days so subscribed calendars drop it. The tokens themselves are `scheduler.feeds.tokens`'.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Assignment, District, FeedEvent, FeedRender, FeedToken, Person, Site, Slot
from scheduler.core.versions import latest_published
from scheduler.feeds import content as feed_content
from scheduler.feeds import ical
from scheduler.feeds.content import Wanted
from scheduler.feeds.urls import DEFAULT_FEED_DOMAIN, TOKEN_SHAPE, hash_token

log = logging.getLogger(__name__)

WINDOW_BACK = timedelta(days=30)
WINDOW_AHEAD = timedelta(days=180)
CANCELLED_KEPT = timedelta(days=7)
# Even with no change due, a feed is rendered again after this: the window moves daily.
RENDER_AT_MOST = timedelta(days=1)
BATCH = 500
CANCELLED_PREFIX = "已取消 Cancelled: "
CALENDAR_NAMES = {
    "person": "{name} · 法律服务排班 Legal service schedule",
    "village": "{name} · 法律顾问来访 Legal adviser visits",
    "site": "{name} · 值班表 Duty roster",
}


@dataclass(frozen=True)
class Served:
    """A feed's bytes and caching headers; `rendered` when this call had to render it."""

    body: bytes
    etag: str
    last_modified: datetime
    rendered: bool


# --- refreshing ------------------------------------------------------------------------

def refresh_feeds(session: Session, district_id: int, week_start: date, now: datetime, *,
                  domain: str = DEFAULT_FEED_DOMAIN) -> int:
    """Bring every live feed touched by this district's week up to date with its newest
    published version, as of `now` (new events get UIDs in `domain`, the settings'
    `feed_domain`). Called by `scheduler.week.drafts.publish`; returns the feeds refreshed."""
    slots = session.execute(select(Slot.id, Slot.site_id).where(
        Slot.district_id == district_id, Slot.week_start == week_start)).all()
    slot_ids = [s.id for s in slots]
    people: set[int] = set()
    version = latest_published(session, district_id, week_start)
    if version is not None:
        people.update(session.scalars(select(Assignment.person_id).where(Assignment.schedule_id == version.id)))
    for chunk in _chunks(slot_ids):
        # People who dropped out of the week still need their event cancelled.
        people.update(session.scalars(select(FeedEvent.subject_id).where(
            FeedEvent.subject_kind == "person", FeedEvent.slot_id.in_(chunk))))
    site_kinds = dict(session.execute(select(Site.id, Site.kind).where(Site.id.in_({s.site_id for s in slots}))).all())
    subjects = {
        "person": people,
        "village": {s for s, k in site_kinds.items() if k == "village"},
        "site": {s for s, k in site_kinds.items() if k != "village"},
    }
    count = 0
    for kind, ids in subjects.items():
        live = _with_live_token(session, kind, ids)
        refresh_subjects(session, kind, live, now, domain=domain)
        count += len(live)
    return count


def refresh_subjects(session: Session, kind: str, subject_ids: Iterable[int], now: datetime, *,
                     domain: str = DEFAULT_FEED_DOMAIN) -> dict[int, FeedRender]:
    """Update the remembered events of these feeds (new ones with UIDs in `domain`) and render
    them again, as of `now`."""
    begin, end = now - WINDOW_BACK, now + WINDOW_AHEAD
    renders: dict[int, FeedRender] = {}
    for chunk in _chunks(sorted(set(subject_ids))):
        loader = feed_content.person_events if kind == "person" else feed_content.site_events
        wanted = loader(session, chunk, begin, end)
        known: dict[int, list[FeedEvent]] = {i: [] for i in chunk}
        for event in session.scalars(select(FeedEvent).where(
                FeedEvent.subject_kind == kind, FeedEvent.subject_id.in_(chunk))):
            known[event.subject_id].append(event)
        existing = {r.subject_id: r for r in session.scalars(select(FeedRender).where(
            FeedRender.subject_kind == kind, FeedRender.subject_id.in_(chunk)))}
        names = _names(session, kind, chunk)
        for subject_id in chunk:
            events, changed = _sync(session, kind, subject_id, wanted.get(subject_id, []), known[subject_id],
                                    now, begin, domain)
            render = existing.get(subject_id)
            if not changed and render is not None and render.expires_at > now:
                # Nothing new: the cached bytes stand (publishing re-renders only what changed).
                renders[subject_id] = render
                continue
            renders[subject_id] = _store_render(session, kind, subject_id, render, names.get(subject_id), events, now)
    session.flush()
    return renders


def _sync(session: Session, kind: str, subject_id: int, wanted: list[Wanted], known: list[FeedEvent],
          now: datetime, begin: datetime, domain: str) -> tuple[list[FeedEvent], bool]:
    """Update the feed's remembered events to `wanted`; returns them and whether any changed."""
    by_key = {(e.slot_id, e.person_id): e for e in known}
    seen = set()
    changed = False
    for item in wanted:
        key = (item.slot_id, item.person_id)
        seen.add(key)
        digest = _digest(item.content)
        event = by_key.get(key)
        if event is None:
            event = FeedEvent(uid=_uid(kind, item, domain), subject_kind=kind, subject_id=subject_id,
                              slot_id=item.slot_id, person_id=item.person_id, sequence=0, status="confirmed")
            session.add(event)
            by_key[key] = event
        elif event.status == "confirmed" and event.content_hash == digest:
            continue
        else:
            event.sequence += 1
        changed = True
        event.content, event.content_hash, event.starts_at = item.content, digest, item.starts_at
        event.status, event.cancelled_at, event.changed_at = "confirmed", None, now
    for key, event in list(by_key.items()):
        if key in seen:
            continue
        if event.starts_at < begin:
            # Out of the window for good: nothing will ever show it again.
            session.delete(event)
            del by_key[key]
            changed = True
        elif event.status == "confirmed":
            event.status, event.cancelled_at, event.changed_at = "cancelled", now, now
            event.sequence += 1
            changed = True
    return list(by_key.values()), changed


def _uid(kind: str, item: Wanted, domain: str) -> str:
    if kind == "person":
        return f"slot-{item.slot_id}-person-{item.person_id}@{domain}"
    return f"slot-{item.slot_id}-{kind}@{domain}"


def _digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _store_render(session: Session, kind: str, subject_id: int, render: FeedRender | None,
                  subject: tuple[str, str] | None, events: list[FeedEvent], now: datetime) -> FeedRender:
    name, zone = subject or (f"{kind} {subject_id}", "Asia/Shanghai")
    shown = [e for e in events if e.status == "confirmed" or e.cancelled_at > now - CANCELLED_KEPT]
    body = ical.render(ical.CalendarInfo(name=CALENDAR_NAMES[kind].format(name=name), zone=zone),
                       [i for i in map(_event_info, shown) if i is not None])
    etag = hashlib.sha256(body).hexdigest()[:32]
    expiries = [now + RENDER_AT_MOST]
    expiries += [e.cancelled_at + CANCELLED_KEPT for e in shown if e.status == "cancelled"]
    expiries += [e.starts_at + WINDOW_BACK for e in shown]
    expires_at = max(min(expiries), now + timedelta(seconds=1))
    if render is None:
        render = FeedRender(subject_kind=kind, subject_id=subject_id)
        session.add(render)
    elif render.etag == etag:
        render.rendered_at, render.expires_at = now, expires_at
        return render
    # HTTP dates have whole seconds: a change within the same second still moves it forward.
    modified = now.replace(microsecond=0)
    if render.last_modified is not None and modified <= render.last_modified:
        modified = render.last_modified + timedelta(seconds=1)
    render.body, render.etag, render.last_modified = body, etag, modified
    render.rendered_at, render.expires_at = now, expires_at
    return render


def _event_info(event: FeedEvent) -> ical.EventInfo | None:
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


def _names(session: Session, kind: str, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Subject id -> (name, time zone of its district)."""
    model = Person if kind == "person" else Site
    rows = session.execute(select(model.id, model.name, District.timezone)
                           .join(District, District.id == model.district_id).where(model.id.in_(ids))).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def _with_live_token(session: Session, kind: str, ids: set[int]) -> list[int]:
    live: list[int] = []
    for chunk in _chunks(sorted(ids)):
        live += session.scalars(select(FeedToken.subject_id).where(
            FeedToken.subject_kind == kind, FeedToken.subject_id.in_(chunk), FeedToken.revoked_at.is_(None)))
    return live


def _chunks(items: Sequence[int], size: int = BATCH) -> Iterable[list[int]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- serving ---------------------------------------------------------------------------

# Built once: serving a feed skips statement construction and ORM loading entirely.
_LOOKUP = (
    select(FeedToken.subject_kind, FeedToken.subject_id, FeedRender.body, FeedRender.etag,
           FeedRender.last_modified, FeedRender.expires_at)
    .outerjoin(FeedRender, and_(FeedRender.subject_kind == FeedToken.subject_kind,
                                FeedRender.subject_id == FeedToken.subject_id))
    .where(FeedToken.token_hash == bindparam("token_hash"), FeedToken.revoked_at.is_(None))
)


def cached_feed(session: Session, token: str, now: datetime, *, domain: str = DEFAULT_FEED_DOMAIN) -> Served | None:
    """The feed a token opens at `now`, or None for a malformed, unknown or revoked token.

    One indexed lookup when the cached rendering is current; otherwise it is rendered again
    here (a feed nobody published into yet, or one whose window moved on) and the caller
    commits.
    """
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    row = session.connection().execute(_LOOKUP, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    kind, subject_id, body, etag, last_modified, expires_at = row
    if body is not None and expires_at > now:
        return Served(body, etag, last_modified, rendered=False)
    try:
        with session.begin_nested():
            render = refresh_subjects(session, kind, [subject_id], now, domain=domain)[subject_id]
    except IntegrityError:
        # Another request rendered it at the same moment: serve what it stored.
        log.info("feed %s %s: rendered concurrently", kind, subject_id)
        render = session.scalar(select(FeedRender).where(
            FeedRender.subject_kind == kind, FeedRender.subject_id == subject_id))
        if render is None:
            return None
        return Served(render.body, render.etag, render.last_modified, rendered=False)
    return Served(render.body, render.etag, render.last_modified, rendered=True)
