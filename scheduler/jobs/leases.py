"""Leases on solve jobs: exactly one worker runs a job, and a job whose worker died is found.

A worker claims a job with one conditional UPDATE (`claim`): a queued job, or a running one
whose lease ran out, i.e. whose worker died (it is taken over, up to MAX_ATTEMPTS claims in
all). Two workers given the same job (two threads, a Celery message delivered twice) cannot
both win: the database lets one UPDATE match and the other finds the row changed.

While it works, the worker renews its lease every RENEW_SECONDS, LEASE_SECONDS ahead
(`renew`), and every write it makes about the job (progress, storing the draft, the end) is
conditional on still holding the lease, so a worker presumed dead that wakes up changes
nothing. A running job whose lease ran out more than LOST_GRACE ago with nobody taking it over
is lost (`lost`): the pages say so at once, and `reap` records it as failed (the week desk
when Solve is pressed, any worker before its next job). So a job whose worker died is shown
as stopped at most LEASE_SECONDS + LOST_GRACE (30 s) after the worker's last renewal.

Every time comes from the caller's clock (`scheduler.core.clock`): tests move it instead of
sleeping.
"""
from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import SolveJob
from scheduler.core.clock import Clock

LEASE_SECONDS = 20
RENEW_SECONDS = 5
LOST_GRACE = timedelta(seconds=10)
MAX_ATTEMPTS = 3
# How often a worker waiting for another's lease to run out looks again (real seconds).
WAIT_POLL_SECONDS = 0.5
# The start of `error` for a job whose worker died: the pages tell it from other failures.
WORKER_LOST = "worker lost"


class LeaseLost(Exception):
    """This worker no longer holds the job's lease: another took it over, or it was marked
    failed. Nothing more may be written for it."""


@dataclass(frozen=True)
class Claim:
    token: str
    district_id: int
    week_start: date
    time_limit: float
    requested_by_id: int | None
    attempt: int


def new_token() -> str:
    """Who holds a lease: host, process and a random part (unique per claim)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=LEASE_SECONDS)


def _update(session: Session, *where: Any, **values: Any) -> int:
    statement = update(SolveJob).where(*where).values(**values).execution_options(synchronize_session=False)
    return session.execute(statement).rowcount


def _expired(now: datetime) -> Any:
    return and_(SolveJob.state == "running", SolveJob.lease_until.is_not(None), SolveJob.lease_until < now)


def claim(factory: sessionmaker[Session], job_id: int, *, now: datetime) -> Claim | str:
    """Take the job for this worker, or say why not: the job's state ("running": another
    worker holds a live lease; "cancelled"/"failed": ended here, cancelled before it ran or
    lost once too often; "missing"). The UPDATE comes first in its transaction, so on SQLite
    too the claim is one write and never a read followed by a write."""
    token = new_token()
    with factory.begin() as session:
        reap(session, now, but=job_id)  # this one, if lost, is taken over below instead
        taken = _update(
            session, SolveJob.id == job_id, SolveJob.cancel_requested.is_(False),
            or_(SolveJob.state == "queued", and_(_expired(now), SolveJob.attempts < MAX_ATTEMPTS)),
            state="running", started_at=now, finished_at=None, claimed_by=token, lease_until=lease_end(now),
            attempts=SolveJob.attempts + 1, progress={}, error=None)
        if taken:
            job = session.get(SolveJob, job_id)
            return Claim(token, job.district_id, job.week_start, job.time_limit, job.requested_by_id, job.attempts)
        # Not ours. Cancelled before it ran (or while its worker was dead): it ends here.
        if _update(session, SolveJob.id == job_id, SolveJob.cancel_requested.is_(True),
                   or_(SolveJob.state == "queued", _expired(now)), state="cancelled", finished_at=now):
            return "cancelled"
        if _update(session, SolveJob.id == job_id, _expired(now), SolveJob.attempts >= MAX_ATTEMPTS,
                   state="failed", finished_at=now,
                   error=f"{WORKER_LOST}: its worker stopped {MAX_ATTEMPTS} times; not tried again"):
            return "failed"
        state = session.scalar(select(SolveJob.state).where(SolveJob.id == job_id))
        return state or "missing"


def renew(session: Session, job_id: int, token: str, now: datetime, *, progress: dict[str, Any] | None = None) -> bool:
    """Extend this worker's lease (and write its progress); False when it no longer holds it."""
    values: dict[str, Any] = {"lease_until": lease_end(now)}
    if progress is not None:
        values["progress"] = progress
    return _update(session, SolveJob.id == job_id, SolveJob.claimed_by == token, SolveJob.state == "running",
                   **values) == 1


def hold(session: Session, job_id: int, token: str, now: datetime) -> None:
    """Renew the lease inside a transaction that writes for the job (storing its draft), or
    raise LeaseLost: on PostgreSQL the row stays locked until that transaction ends, on SQLite
    the whole database does, so nobody takes the job over in between."""
    if not renew(session, job_id, token, now):
        raise LeaseLost(f"solve job {job_id} is no longer held by {token}")


def finish(factory: sessionmaker[Session], job_id: int, token: str, *, now: datetime, state: str,
           schedule_id: int | None, error: str | None, progress: dict[str, Any]) -> bool:
    """Record how the job ended, if this worker still holds it."""
    with factory.begin() as session:
        return _update(session, SolveJob.id == job_id, SolveJob.claimed_by == token, SolveJob.state == "running",
                       state=state, finished_at=now, schedule_id=schedule_id, error=error, progress=progress,
                       lease_until=None) == 1


def lost(job: SolveJob, now: datetime) -> bool:
    """The job's worker died: its lease ran out LOST_GRACE ago and nobody took it over (still
    "running" in the table until `reap`), or it was recorded failed for that reason."""
    if job.state == "failed":
        return (job.error or "").startswith(WORKER_LOST)
    return job.state == "running" and job.lease_until is not None and now > job.lease_until + LOST_GRACE


def reap(session: Session, now: datetime, *, district_id: int | None = None, week_start: date | None = None,
         but: int | None = None) -> int:
    """Record every lost job (of one week when given; all `but` one) as failed; returns how many."""
    where = [SolveJob.state == "running", SolveJob.lease_until.is_not(None), SolveJob.lease_until < now - LOST_GRACE]
    if but is not None:
        where.append(SolveJob.id != but)
    if district_id is not None:
        where.append(SolveJob.district_id == district_id)
    if week_start is not None:
        where.append(SolveJob.week_start == week_start)
    return _update(session, *where, state="failed", finished_at=now,
                   error=f"{WORKER_LOST}: the worker running it stopped renewing its lease and no worker took it over")


def wait_out(factory: sessionmaker[Session], job_id: int, *, clock: Clock,
             patience: float = LEASE_SECONDS + 5) -> None:
    """Wait, at most `patience` real seconds, until another worker's lease on the job runs
    out; return early when it is renewed (that worker lives) or the job moves on."""
    def seen() -> tuple[str, str | None, datetime | None] | None:
        with factory() as session:
            row = session.execute(select(SolveJob.state, SolveJob.claimed_by, SolveJob.lease_until)
                                  .where(SolveJob.id == job_id)).first()
            return None if row is None else tuple(row)

    first = seen()
    if first is None or first[0] != "running" or first[2] is None:
        return
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline and clock.now() <= first[2]:
        time.sleep(WAIT_POLL_SECONDS)
        if seen() != first:
            return
