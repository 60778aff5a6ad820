"""Feed jobs: the calendar feeds of a publish that touches many of them (a city's first
publish: 25,000) are rendered after the publish commits, so the publish answers at once.

`publish_feeds` is called inside the publishing transaction. Up to THRESHOLD feeds it
renders them there, in bulk. Past it, when the caller can run a job after committing
(`defer=True`: the web pages), it queues a `FeedJob` instead and caps the touched feeds'
current renderings at STALE_AT_MOST (`scheduler.feeds.render.cap_staleness`). Until the job
reaches a feed, the feed serves its previous rendering: stale for the seconds the job runs,
never longer than STALE_AT_MOST if the job dies (then a request renders it on demand).

`run_feed_job` runs a job in chunks of JOB_CHUNK feeds, each chunk in its own transaction
with the job's progress: all or nothing per chunk, so every feed's remembered events and
its rendering always agree. A chunk that collides with a feed rendered on demand at the
same moment is tried again; any other failure ends the job `failed`, the feeds it had not
reached serving their previous rendering.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import FeedJob, User
from models.db import transaction
from scheduler.core.access import require_role, require_visible
from scheduler.core.clock import Clock
from scheduler.feeds.bulk import chunks, render_feeds
from scheduler.feeds.render import STALE_AT_MOST, cap_staleness, touched_feeds
from scheduler.feeds.urls import DEFAULT_FEED_DOMAIN

log = logging.getLogger(__name__)

# More feeds than this at a publish are left to a job (when the caller can run one).
THRESHOLD = 500
# Feeds per transaction of a job: its progress moves this many at a time.
JOB_CHUNK = 1000
ATTEMPTS = 3


def publish_feeds(session: Session, district_id: int, week_start: date, schedule_id: int, now: datetime, *,
                  domain: str = DEFAULT_FEED_DOMAIN, defer: bool = False) -> FeedJob | None:
    """Bring the feeds this publish touches up to date: now, or (with `defer`, past
    THRESHOLD feeds) in a queued job the caller runs after committing, returned."""
    feeds = touched_feeds(session, district_id, week_start)
    total = sum(len(ids) for ids in feeds.values())
    if not defer or total <= THRESHOLD:
        for kind, ids in feeds.items():
            render_feeds(session, kind, ids, now, domain=domain)
        return None
    cap_staleness(session, feeds, now)
    job = FeedJob(district_id=district_id, week_start=week_start, schedule_id=schedule_id, total=total,
                  created_at=now)
    session.add(job)
    session.flush()
    return job


def next_queued(factory: sessionmaker[Session]) -> int | None:
    """The oldest queued job's id, if any."""
    with factory() as session:
        return session.scalar(select(FeedJob.id).where(FeedJob.state == "queued").order_by(FeedJob.id).limit(1))


def run_feed_job(factory: sessionmaker[Session], job_id: int, *, clock: Clock,
                 domain: str = DEFAULT_FEED_DOMAIN) -> str:
    """Run a queued job to its end (its own transactions); returns its final state. A job
    another runner took, or that has ended, is left alone (its state is returned)."""
    with transaction(factory) as session:
        claimed = session.execute(update(FeedJob).where(FeedJob.id == job_id, FeedJob.state == "queued")
                                  .values(state="running", started_at=clock.now())
                                  .execution_options(synchronize_session=False)).rowcount
        job = session.get(FeedJob, job_id)
        if job is None:
            raise LookupError(f"no feed job {job_id}")
        if not claimed:
            return job.state
        district_id, week_start = job.district_id, job.week_start
    try:
        with factory() as session:
            # Read when it runs: a newer publish of the week is rendered as it stands now.
            feeds = touched_feeds(session, district_id, week_start)
        total = sum(len(ids) for ids in feeds.values())
        _set(factory, job_id, total=total)
        for kind, ids in feeds.items():
            for chunk in chunks(ids, JOB_CHUNK):
                _render_chunk(factory, job_id, kind, chunk, clock, domain)
    except Exception as exc:  # the job records any failure; the feeds stay consistent
        log.exception("feed job %s failed", job_id)
        _set(factory, job_id, state="failed", error=f"{type(exc).__name__}: {exc}"[:500], finished_at=clock.now())
        return "failed"
    _set(factory, job_id, state="done", finished_at=clock.now())
    log.info("feed job %s: %s feeds rendered", job_id, total)
    return "done"


def _render_chunk(factory: sessionmaker[Session], job_id: int, kind: str, ids: list[int], clock: Clock,
                  domain: str) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction(factory) as session:
                render_feeds(session, kind, ids, clock.now(), domain=domain)
                session.execute(update(FeedJob).where(FeedJob.id == job_id).values(done=FeedJob.done + len(ids))
                                .execution_options(synchronize_session=False))
            return
        except IntegrityError:
            # A feed of the chunk was rendered on demand at the same moment: read it again.
            if attempt == ATTEMPTS:
                raise
            log.info("feed job %s: %s chunk collided with an on-demand render, again", job_id, kind)


def _set(factory: sessionmaker[Session], job_id: int, **values: Any) -> None:
    with transaction(factory) as session:
        session.execute(update(FeedJob).where(FeedJob.id == job_id).values(**values)
                        .execution_options(synchronize_session=False))


def progress(job: FeedJob, now: datetime) -> dict[str, Any]:
    """The job as pages show it at `now`: state, feeds done of total, live or not. A job
    still queued or running STALE_AT_MOST after it was made has lost its runner (the
    process ended): it is shown `lost`, and its feeds render on demand by then anyway."""
    state = job.state
    if state in ("queued", "running") and now - (job.started_at or job.created_at) > STALE_AT_MOST:
        state = "lost"
    return {"id": job.id, "state": state, "done": job.done, "total": job.total,
            "live": state in ("queued", "running"), "error": job.error}


def job_of_version(session: Session, schedule_id: int) -> FeedJob | None:
    """The feed job a published version left, if any."""
    return session.scalar(select(FeedJob).where(FeedJob.schedule_id == schedule_id).order_by(FeedJob.id.desc())
                          .limit(1))


def job_for(session: Session, actor: User, job_id: int) -> FeedJob:
    """A feed job of the actor's districts; any other id looks like one that does not exist."""
    require_role(actor, "coordinator")
    job = session.get(FeedJob, job_id)
    require_visible(actor, job.district_id if job is not None else None)
    return job
