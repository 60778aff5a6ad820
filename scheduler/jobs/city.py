"""Solving a whole city's week: one job per district, so several workers solve districts in
parallel, and a watch loop that reads every job's progress from the database."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models import District, Person, SolveJob
from scheduler.jobs import solve_jobs as jobs
from scheduler.jobs.runners import Runner

LIVE = ("queued", "running")


@dataclass(frozen=True)
class CityJob:
    district_id: int
    district: str
    job_id: int
    new: bool  # False: joined a job already queued or running for that week


@dataclass(frozen=True)
class JobView:
    job_id: int
    district: str
    state: str
    progress: dict[str, Any]
    error: str | None


def queue_city(factory: sessionmaker[Session], runner: Runner, week_start: date, *, time_limit: float,
               districts: Iterable[int] | None = None, now: datetime | None = None) -> list[CityJob]:
    """Queue (or join) one solve job per district (new ones created at `now`), biggest
    district first so the longest solves start early, and hand the new ones to the runner."""
    wanted = None if districts is None else set(districts)
    with factory() as session:
        rows = session.execute(
            select(District.id, District.name, func.count(Person.id))
            .outerjoin(Person, (Person.district_id == District.id) & Person.active)
            .group_by(District.id, District.name)
            .order_by(func.count(Person.id).desc(), District.id)
        ).all()
    queued: list[CityJob] = []
    for district_id, name, _people in rows:
        if wanted is not None and district_id not in wanted:
            continue
        job_id, new = _request(factory, district_id, week_start, time_limit, now)
        if new:
            runner.submit(job_id)
        queued.append(CityJob(district_id, name, job_id, new))
    return queued


def _request(factory: sessionmaker[Session], district_id: int, week_start: date, time_limit: float,
             now: datetime | None, attempts: int = 20) -> tuple[int, bool]:
    """Committed before it is submitted: a worker in another process must see the row.

    On SQLite a transaction that read before a worker's commit cannot write after it: the
    write fails at once with "database is locked" (a stale snapshot; the busy timeout does
    not apply). Starting the transaction again is the cure."""
    for attempt in range(attempts):
        try:
            with factory.begin() as session:
                job, new = jobs.request_solve(session, district_id, week_start, None, time_limit=time_limit, now=now)
                return job.id, new
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def snapshot(factory: sessionmaker[Session], city_jobs: list[CityJob]) -> list[JobView]:
    names = {j.job_id: j.district for j in city_jobs}
    with factory() as session:
        rows = session.scalars(select(SolveJob).where(SolveJob.id.in_(names))).all()
        return sorted((JobView(r.id, names[r.id], r.state, dict(r.progress or {}), r.error) for r in rows),
                      key=lambda v: v.job_id)


def watch(factory: sessionmaker[Session], city_jobs: list[CityJob], *, timeout: float,
          on_tick: Callable[[float, list[JobView]], None] | None = None, poll: float = 1.0) -> list[JobView]:
    """Poll until every job has ended or `timeout` seconds have passed; returns the last view."""
    started = time.monotonic()
    while True:
        views = snapshot(factory, city_jobs)
        elapsed = time.monotonic() - started
        if on_tick is not None:
            on_tick(elapsed, views)
        if all(v.state not in LIVE for v in views) or elapsed >= timeout:
            return views
        time.sleep(poll)


def cancel_all(factory: sessionmaker[Session], city_jobs: list[CityJob]) -> None:
    with factory.begin() as session:
        for job in city_jobs:
            jobs.cancel(session, job.job_id)


def summary(views: list[JobView]) -> str:
    counts: dict[str, int] = {}
    for v in views:
        counts[v.state] = counts.get(v.state, 0) + 1
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
