"""Solve jobs: a solve runs outside the request, reports progress and can be cancelled.

The job's state lives in the `solve_jobs` table, so any web process can show it. `run_job`
is the whole job; the default runner calls it on a worker thread inside the app, and a
Celery worker calls the very same function (one code path). The worker holds a lease on the
job while it runs (`scheduler.jobs.leases`): claimed by one conditional UPDATE, renewed by
the watcher, checked before the draft is stored and when the job ends.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from models import SolveJob, User
from scheduler.core.clock import Clock
from scheduler.jobs import leases
from scheduler.week.drafts import DraftChanged
from scheduler.week.solve import SolveCancelled, solve_week
from solver.problem import Progress

log = logging.getLogger(__name__)

# How often a running job writes progress and looks for a cancel request.
POLL_SECONDS = 0.5


class JobError(Exception):
    pass


def live_job(session: Session, district_id: int, week_start: date) -> SolveJob | None:
    return session.scalar(select(SolveJob).where(
        SolveJob.district_id == district_id, SolveJob.week_start == week_start,
        SolveJob.state.in_(("queued", "running"))))


def request_solve(session: Session, district_id: int, week_start: date, actor: User | None,
                  time_limit: float = 30.0, *, now: datetime | None = None) -> tuple[SolveJob, bool]:
    """A queued job for the week, or the one already under way; True when it is new. A new
    job is created at `now` (the caller's clock: how long it has waited counts from there);
    without it, at the database's default."""
    existing = live_job(session, district_id, week_start)
    if existing is not None:
        return existing, False
    job = SolveJob(district_id=district_id, week_start=week_start, time_limit=time_limit,
                   requested_by_id=actor.id if actor else None)
    if now is not None:
        job.created_at = now
    session.add(job)
    session.flush()
    return job, True


def cancel(session: Session, job_id: int) -> SolveJob:
    job = session.get(SolveJob, job_id)
    if job is None:
        raise JobError(f"no solve job {job_id}")
    if job.state in ("queued", "running"):
        job.cancel_requested = True
    return job


def status(job: SolveJob) -> dict[str, Any]:
    return {"id": job.id, "state": job.state, "progress": job.progress, "schedule_id": job.schedule_id,
            "error": job.error, "cancel_requested": job.cancel_requested}


def run_job(factory: sessionmaker[Session], job_id: int, *, clock: Clock, workers: int = 2,
            take_over: bool = False) -> str:
    """Run one job to its end, its times read from `clock`; returns its final state.

    The job is claimed first (`leases.claim`): a queued job, or one whose worker died. With
    `take_over` (a Celery message delivered again after its worker died) a job still under
    another worker's lease is waited for until that lease runs out, then taken over; without
    it, or when that worker turns out alive, this returns the job's state at once."""
    claimed = leases.claim(factory, job_id, now=clock.now())
    if claimed == "running" and take_over:
        leases.wait_out(factory, job_id, clock=clock)
        claimed = leases.claim(factory, job_id, now=clock.now())
    if not isinstance(claimed, leases.Claim):
        return claimed
    token = claimed.token
    stop, lost = threading.Event(), threading.Event()
    latest: dict[str, Any] = {}
    if claimed.attempt > 1:
        latest["attempt"] = claimed.attempt
    watcher = threading.Thread(target=_watch, args=(factory, job_id, stop, latest),
                               kwargs={"token": token, "clock": clock, "lost": lost}, daemon=True)
    watcher.start()

    def on_progress(p: Progress) -> None:
        latest.update(objective=p.objective, bound=p.bound, elapsed_s=round(p.elapsed_s, 2), solutions=p.solutions)

    def before_store(session: Session) -> None:
        leases.hold(session, job_id, token, clock.now())

    final, schedule_id, error = "done", None, None
    try:
        result = solve_week(factory, claimed.district_id, claimed.week_start, claimed.requested_by_id, clock=clock,
                            time_limit=claimed.time_limit, workers=workers, on_progress=on_progress, stop=stop,
                            before_store=before_store)
        schedule_id = result.schedule_id
        latest.update(status=result.solution.status, objective=result.solution.objective)
    except SolveCancelled:
        final = "cancelled"
    except DraftChanged as changed:
        # The week's draft changed while the solver ran: its answer would undo that change.
        final = "discarded"
        latest.update(draft_read=changed.read, draft_now=changed.now)
    except leases.LeaseLost:
        lost.set()
    except Exception as exc:  # a failed job records why; the worker lives on
        final, error = "failed", f"{exc.__class__.__name__}: {exc}"
    finally:
        stop.set()
        watcher.join()
    if lost.is_set() or not leases.finish(factory, job_id, token, now=clock.now(), state=final,
                                          schedule_id=schedule_id, error=error, progress=dict(latest)):
        # Another worker took the job over, or it was recorded failed: this one writes nothing.
        log.warning("solve job %s: lease lost, its result is left to the worker holding it", job_id)
        with factory() as session:
            return session.scalar(select(SolveJob.state).where(SolveJob.id == job_id)) or "missing"
    return final


def _watch(factory: sessionmaker[Session], job_id: int, stop: threading.Event, latest: dict[str, Any], *,
           token: str | None = None, clock: Clock | None = None, lost: threading.Event | None = None) -> None:
    """Write progress, renew the job's lease and honour cancel requests while the solver runs.

    With a `token`, every write is conditional on still holding the lease: when it is gone
    (taken over, or marked failed) `lost` and `stop` are set and the watcher ends. A database
    error skips one round instead of ending the watcher (its lease would run out)."""
    written: dict[str, Any] = {}
    renewed = clock.now() if clock is not None else None
    while not stop.wait(POLL_SECONDS):
        try:
            with factory.begin() as session:
                snapshot = dict(latest)
                changed = snapshot != written
                if token is not None and clock is not None:
                    now = clock.now()
                    if changed or now >= renewed + timedelta(seconds=leases.RENEW_SECONDS):
                        if not leases.renew(session, job_id, token, now, progress=snapshot if changed else None):
                            if lost is not None:
                                lost.set()
                            stop.set()
                            return
                        renewed = now
                elif changed:
                    session.get(SolveJob, job_id).progress = snapshot
                written = snapshot
                if session.scalar(select(SolveJob.cancel_requested).where(SolveJob.id == job_id)):
                    stop.set()
        except DBAPIError:
            log.warning("solve job %s: the watcher could not reach the database; trying again", job_id,
                        exc_info=True)


def run_and_log(factory: sessionmaker[Session], job_id: int, *, clock: Clock, workers: int = 2,
                runner: str = "thread", take_over: bool = False) -> str:
    """`run_job`, then one structured log line saying how the job ended."""
    started = time.monotonic()
    try:
        state = run_job(factory, job_id, clock=clock, workers=workers, take_over=take_over)
    except Exception:
        log.exception("solve job %s crashed", job_id, extra={"event": "job", "job_id": job_id, "runner": runner})
        raise
    fields: dict[str, object] = {"event": "job", "job_id": job_id, "state": state, "runner": runner,
                                 "seconds": round(time.monotonic() - started, 3)}
    with factory() as session:
        job = session.get(SolveJob, job_id)
        if job is not None:
            progress = job.progress or {}
            fields.update(district_id=job.district_id, week=job.week_start.isoformat(),
                          time_limit=job.time_limit, status=progress.get("status"),
                          objective=progress.get("objective"), solutions=progress.get("solutions"),
                          error=job.error, attempts=job.attempts)
    log.log(logging.WARNING if state == "failed" else logging.INFO, "solve job %s %s", job_id, state, extra=fields)
    return state


class PlainThreadRunner:
    """Jobs run one at a time on a background thread of this process, with no log line of
    their own (`scheduler.jobs.runners.LoggingThreadRunner` adds it)."""

    def __init__(self, factory: sessionmaker[Session], workers: int = 2, *, clock: Clock) -> None:
        self.factory = factory
        self.workers = workers
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="solve")

    def submit(self, job_id: int) -> Future[str]:
        return self._pool.submit(run_job, self.factory, job_id, clock=self.clock, workers=self.workers)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def wait_for(factory: sessionmaker[Session], job_id: int, timeout: float) -> SolveJob:
    """Poll until a job ends (for the command line and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        with factory() as session:
            job = session.get(SolveJob, job_id)
            if job.state not in ("queued", "running") or time.monotonic() > deadline:
                return job
        time.sleep(0.1)
