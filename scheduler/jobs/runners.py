"""Choosing who runs solve jobs: Celery workers when CELERY_BROKER_URL is set, a thread of
this process otherwise. Both run `scheduler.jobs.solve_jobs.run_and_log`; the job's state, progress
and cancel flag live in the database, so callers watch and cancel jobs the same way with either.

The imports run one way: this module uses `scheduler.jobs.celery_app` (to send tasks), which
uses `scheduler.jobs.solve_jobs` (to run them) and nothing of this module.
"""
from __future__ import annotations

import concurrent.futures
from typing import Protocol

from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import AsyncResult
from sqlalchemy.orm import Session, sessionmaker

from scheduler.core.clock import Clock
from scheduler.core.config import Settings
from scheduler.jobs import solve_jobs as jobs


class JobHandle(Protocol):
    def result(self, timeout: float | None = None) -> str: ...
    def done(self) -> bool: ...


class Runner(Protocol):
    def submit(self, job_id: int) -> JobHandle: ...
    def shutdown(self) -> None: ...


class LoggingThreadRunner(jobs.PlainThreadRunner):
    """The in-process runner the app and the command line use: `jobs.PlainThreadRunner`
    logging one structured line per job (`jobs.run_and_log`)."""

    def submit(self, job_id: int) -> concurrent.futures.Future[str]:
        return self._pool.submit(jobs.run_and_log, self.factory, job_id, clock=self.clock, workers=self.workers,
                                 runner="thread")


class CeleryFuture:
    """A queued Celery task seen through the part of `concurrent.futures.Future` callers use."""

    def __init__(self, result: AsyncResult) -> None:
        self.celery_result = result

    @property
    def task_id(self) -> str:
        return self.celery_result.id

    def done(self) -> bool:
        return self.celery_result.ready()

    def result(self, timeout: float | None = None) -> str:
        try:
            return self.celery_result.get(timeout=timeout, propagate=True)
        except CeleryTimeout as exc:
            raise concurrent.futures.TimeoutError(f"task {self.task_id} not done after {timeout} s") from exc


class CeleryRunner:
    """Sends each job to the solve queue; any `scheduler worker` sharing the broker and the
    database runs it. Several workers solve several districts at once."""

    def __init__(self, settings: Settings, *, queue: str | None = None) -> None:
        from scheduler.jobs.celery_app import make_celery

        if not settings.celery_broker_url:
            raise ValueError("CeleryRunner needs CELERY_BROKER_URL")
        self.app = make_celery(settings, queue=queue)

    def submit(self, job_id: int) -> CeleryFuture:
        from scheduler.jobs.celery_app import SOLVE_TASK

        return CeleryFuture(self.app.send_task(SOLVE_TASK, args=[job_id]))

    def shutdown(self) -> None:
        self.app.close()


def make_runner(settings: Settings, factory: sessionmaker[Session], *, clock: Clock, workers: int = 2) -> Runner:
    """Celery when the settings name a broker, else a thread of this process (`workers` is
    the CP-SAT thread count there, `clock` its time; Celery workers have their own settings,
    SOLVE_WORKERS included, and the system clock)."""
    if settings.celery_broker_url:
        return CeleryRunner(settings)
    return LoggingThreadRunner(factory, workers=workers, clock=clock)
