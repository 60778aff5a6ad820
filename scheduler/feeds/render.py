"""Calendar feeds of people, villages and sites, built from published versions only and
rendered when a version is published, so serving one is a single lookup of its token's hash.

Each feed remembers every event it has carried (`FeedEvent`): UIDs never change, SEQUENCE
rises on each real change, and an event that disappears stays as STATUS:CANCELLED for seven
days so subscribed calendars drop it. The tokens themselves are `scheduler.feeds.tokens`'.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Assignment, FeedEvent, FeedRender, FeedToken, Site, Slot
from scheduler.core.versions import latest_published
from scheduler.feeds.bulk import Rendered, chunks, render_feeds
from scheduler.feeds.content import among
from scheduler.feeds.urls import DEFAULT_FEED_DOMAIN, TOKEN_SHAPE, hash_token

log = logging.getLogger(__name__)

# A publish that leaves its feeds to a job caps their renderings' lifetime to this, so a
# job that died never leaves a feed stale for longer: a request after it renders on demand.
STALE_AT_MOST = timedelta(minutes=10)


@dataclass(frozen=True)
class Served:
    """A feed's bytes and caching headers; `rendered` when this call had to render it."""

    body: bytes
    etag: str
    last_modified: datetime
    rendered: bool


# --- refreshing ------------------------------------------------------------------------

def touched_feeds(session: Session, district_id: int, week_start: date) -> dict[str, list[int]]:
    """The live feeds (kind -> subject ids) a change of this district's week touches: the
    people of its newest published version, people whose feeds carry one of its slots (an
    event to cancel), and its villages and other sites."""
    people: set[int] = set()
    version = latest_published(session, district_id, week_start)
    if version is not None:
        people.update(session.scalars(select(Assignment.person_id).where(Assignment.schedule_id == version.id)))
    # People who dropped out of the week still need their event cancelled.
    week_slots = select(Slot.id).where(Slot.district_id == district_id, Slot.week_start == week_start)
    people.update(session.scalars(select(FeedEvent.subject_id).where(
        FeedEvent.subject_kind == "person", FeedEvent.slot_id.in_(week_slots)).distinct()))
    week_sites = select(Slot.site_id).where(Slot.district_id == district_id, Slot.week_start == week_start)
    site_kinds = dict(session.execute(select(Site.id, Site.kind).where(Site.id.in_(week_sites))).all())
    subjects = {
        "person": people,
        "village": {s for s, k in site_kinds.items() if k == "village"},
        "site": {s for s, k in site_kinds.items() if k != "village"},
    }
    return {kind: _with_live_token(session, kind, ids) for kind, ids in subjects.items()}


def refresh_feeds(session: Session, district_id: int, week_start: date, now: datetime, *,
                  domain: str = DEFAULT_FEED_DOMAIN) -> int:
    """Bring every live feed touched by this district's week up to date with its newest
    published version, as of `now` (new events get UIDs in `domain`, the settings'
    `feed_domain`), in bulk (`scheduler.feeds.bulk`). Called by
    `scheduler.week.drafts.publish` and the other changes of a published week; returns the
    feeds refreshed."""
    count = 0
    for kind, ids in touched_feeds(session, district_id, week_start).items():
        render_feeds(session, kind, ids, now, domain=domain)
        count += len(ids)
    return count


def cap_staleness(session: Session, feeds: dict[str, list[int]], now: datetime) -> None:
    """Let these feeds' current renderings serve for at most STALE_AT_MOST more (a feed job
    renders them sooner; if it dies, a request renders them on demand after that)."""
    until = now + STALE_AT_MOST
    for kind, ids in feeds.items():
        for chunk in chunks(ids):
            session.execute(update(FeedRender).where(
                FeedRender.subject_kind == kind, among(session, FeedRender.subject_id, chunk),
                FeedRender.expires_at > until)
                .values(expires_at=until).execution_options(synchronize_session=False))


def refresh_subjects(session: Session, kind: str, subject_ids: Iterable[int], now: datetime, *,
                     domain: str = DEFAULT_FEED_DOMAIN) -> dict[int, Rendered]:
    """Update the remembered events of these feeds (new ones with UIDs in `domain`) and render
    again those that changed or expired, as of `now`; returns those rendered."""
    return render_feeds(session, kind, subject_ids, now, domain=domain)


def _with_live_token(session: Session, kind: str, ids: set[int]) -> list[int]:
    live: list[int] = []
    for chunk in chunks(sorted(ids)):
        live += session.scalars(select(FeedToken.subject_id).where(
            FeedToken.subject_kind == kind, among(session, FeedToken.subject_id, chunk),
            FeedToken.revoked_at.is_(None)))
    return sorted(live)


# --- serving ---------------------------------------------------------------------------

# Built once: serving a feed skips statement construction and ORM loading entirely.
_LOOKUP = (
    select(FeedToken.subject_kind, FeedToken.subject_id, FeedRender.body, FeedRender.etag,
           FeedRender.last_modified, FeedRender.expires_at)
    .outerjoin(FeedRender, and_(FeedRender.subject_kind == FeedToken.subject_kind,
                                FeedRender.subject_id == FeedToken.subject_id))
    .where(FeedToken.token_hash == bindparam("token_hash"), FeedToken.revoked_at.is_(None))
)


def _lookup(session: Session, token_hash: str) -> Row[Any] | None:
    """The token's row joined to its rendering. On PostgreSQL (the session bound to an
    engine, as the app's are) read on a connection of its own in autocommit: a lone SELECT,
    with no BEGIN and ROLLBACK around it, two round trips of four. The session's own
    transaction is left unstarted, so serving an unchanged feed never opens one."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return connection.execute(_LOOKUP, {"token_hash": token_hash}).first()
    return session.connection().execute(_LOOKUP, {"token_hash": token_hash}).first()


def cached_feed(session: Session, token: str, now: datetime, *, domain: str = DEFAULT_FEED_DOMAIN) -> Served | None:
    """The feed a token opens at `now`, or None for a malformed, unknown or revoked token.

    One indexed lookup when the cached rendering is current; otherwise it is rendered again
    here (a feed nobody published into yet, or one whose window moved on) and the caller
    commits.
    """
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    row = _lookup(session, hash_token(token))
    if row is None:
        return None
    kind, subject_id, body, etag, last_modified, expires_at = row
    if body is not None and expires_at > now:
        return Served(body, etag, last_modified, rendered=False)
    try:
        with session.begin_nested():
            render = render_feeds(session, kind, [subject_id], now, domain=domain).get(subject_id)
    except IntegrityError:
        # Another request rendered it at the same moment: serve what it stored.
        log.info("feed %s %s: rendered concurrently", kind, subject_id)
        render = session.scalar(select(FeedRender).where(
            FeedRender.subject_kind == kind, FeedRender.subject_id == subject_id))
        if render is None:
            return None
        return Served(render.body, render.etag, render.last_modified, rendered=False)
    if render is None:  # rendered by another request since the lookup, and still fresh
        stored = session.execute(select(FeedRender.body, FeedRender.etag, FeedRender.last_modified).where(
            FeedRender.subject_kind == kind, FeedRender.subject_id == subject_id)).first()
        return Served(*stored, rendered=False) if stored is not None else None
    return Served(render.body, render.etag, render.last_modified, rendered=True)
