"""Solve jobs: a solve runs outside the request, reports progress and can be cancelled.

The job's state lives in the `solve_jobs` table, so any web process can show it. `run_job`
is the whole job; the default runner calls it on a worker thread inside the app, and a
Celery worker calls the very same function (one code path).
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import SolveJob, User
from scheduler.core.clock import Clock
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
                  time_limit: float = 30.0) -> tuple[SolveJob, bool]:
    """A queued job for the week, or the one already under way; True when it is new."""
    existing = live_job(session, district_id, week_start)
    if existing is not None:
        return existing, False
    job = SolveJob(district_id=district_id, week_start=week_start, time_limit=time_limit,
                   requested_by_id=actor.id if actor else None)
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


def run_job(factory: sessionmaker[Session], job_id: int, *, clock: Clock, workers: int = 2) -> str:
    """Run one queued job to its end, its times read from `clock`; returns its final state."""
    with factory.begin() as session:
        job = session.get(SolveJob, job_id)
        if job is None or job.state != "queued":
            return job.state if job else "missing"
        if job.cancel_requested:
            job.state, job.finished_at = "cancelled", clock.now()
            return job.state
        job.state, job.started_at = "running", clock.now()
        district_id, week_start, limit, actor_id = job.district_id, job.week_start, job.time_limit, job.requested_by_id
    stop = threading.Event()
    latest: dict[str, Any] = {}
    watcher = threading.Thread(target=_watch, args=(factory, job_id, stop, latest), daemon=True)
    watcher.start()

    def on_progress(p: Progress) -> None:
        latest.update(objective=p.objective, bound=p.bound, elapsed_s=round(p.elapsed_s, 2), solutions=p.solutions)

    final, schedule_id, error = "done", None, None
    try:
        result = solve_week(factory, district_id, week_start, actor_id, clock=clock, time_limit=limit, workers=workers,
                            on_progress=on_progress, stop=stop)
        schedule_id = result.schedule_id
        latest.update(status=result.solution.status, objective=result.solution.objective)
    except SolveCancelled:
        final = "cancelled"
    except Exception as exc:  # a failed job records why; the worker lives on
        final, error = "failed", f"{exc.__class__.__name__}: {exc}"
    finally:
        stop.set()
        watcher.join()
    with factory.begin() as session:
        job = session.get(SolveJob, job_id)
        job.state, job.finished_at, job.schedule_id, job.error = final, clock.now(), schedule_id, error
        job.progress = dict(latest)
    return final


def _watch(factory: sessionmaker[Session], job_id: int, stop: threading.Event, latest: dict[str, Any]) -> None:
    """Write progress and honour cancel requests while the solver runs."""
    written: dict[str, Any] = {}
    while not stop.wait(POLL_SECONDS):
        with factory.begin() as session:
            job = session.get(SolveJob, job_id)
            if job.cancel_requested:
                stop.set()
            snapshot = dict(latest)
            if snapshot != written:
                job.progress = snapshot
                written = snapshot


def run_and_log(factory: sessionmaker[Session], job_id: int, *, clock: Clock, workers: int = 2,
                runner: str = "thread") -> str:
    """`run_job`, then one structured log line saying how the job ended."""
    started = time.monotonic()
    try:
        state = run_job(factory, job_id, clock=clock, workers=workers)
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
                          error=job.error)
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
