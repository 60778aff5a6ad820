"""The Celery application of the solve workers, configured from the settings.

A task carries only a job id: the job itself (district, week, time limit), its progress and
its cancel flag live in `solve_jobs`, so the task body is exactly `scheduler.jobs.solve_jobs.run_job`,
the function the in-process runner calls. Redis is both broker and result store.

The settings (`scheduler.core.config.Settings`) are read once when the worker starts
(`scheduler worker` passes its own; `celery -A scheduler.jobs.celery_app worker` builds them
on first use of `app`) and ride on the Celery app to the worker processes:

    CELERY_BROKER_URL      redis://127.0.0.1:6379/0   (unset: no Celery, solves run in-process)
    CELERY_RESULT_BACKEND  defaults to the broker URL
    CELERY_QUEUE           solve
    SOLVE_WORKERS          2   CP-SAT threads per job (1 when several jobs share few cores)
"""
from __future__ import annotations

import os
from typing import Any

from celery import Celery, Task, signals
from sqlalchemy.orm import Session, sessionmaker

from scheduler.core.clock import Clock, SystemClock
from scheduler.core.config import Settings

SOLVE_TASK = "scheduler.solve_job"
# Results are only read by a caller waiting for its jobs; the database keeps the record.
RESULT_EXPIRES_S = 24 * 3600
# How long Redis waits for a message's acknowledgement before delivering it again (Celery's
# default is an hour): a job whose whole worker was killed is taken over after about this long.
VISIBILITY_TIMEOUT_S = 300

# The settings of the app made last in this process: the worker's (for its logging set-up).
_worker_settings: Settings | None = None


def make_celery(settings: Settings, *, queue: str | None = None, clock: Clock | None = None) -> Celery:
    """The Celery app of these settings; its tasks time jobs with `clock` (the system's by default)."""
    global _worker_settings
    app = Celery("scheduler", broker=settings.celery_broker_url,
                 backend=settings.celery_result_backend or settings.celery_broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=queue or settings.celery_queue,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=RESULT_EXPIRES_S,
        # A solve takes seconds to minutes: each worker process holds one job at a time and
        # acknowledges it when done, so idle workers take the next district instead of one
        # worker hoarding several, and a job whose worker died is delivered again.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        # A worker process killed mid-solve puts its message back at once (not acknowledged as
        # if done); a whole worker killed has its messages back after the visibility timeout.
        # The job's lease (scheduler.jobs.leases) makes a second delivery harmless: it takes
        # the job over only when the first worker's lease ran out.
        task_reject_on_worker_lost=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    app.task(name=SOLVE_TASK, bind=True)(_solve_task)
    app.scheduler_settings = settings  # type: ignore[attr-defined]
    app.scheduler_clock = clock or SystemClock(settings.timezone)  # type: ignore[attr-defined]
    _worker_settings = settings
    return app


def _solve_task(task: Task, job_id: int) -> str:
    app = task.app
    return solve_job(app.scheduler_settings, job_id, clock=app.scheduler_clock)


def solve_job(settings: Settings, job_id: int, *, clock: Clock) -> str:
    """Run one solve job in this worker; returns the job's final state."""
    from scheduler.jobs.solve_jobs import run_and_log

    # A message can come again (its worker died, acks are late): the job's lease decides who runs it.
    return run_and_log(_worker_factory(settings), job_id, clock=clock, workers=settings.solve_workers,
                       runner="celery", take_over=True)


_factories: dict[tuple[int, str], sessionmaker[Session]] = {}


def _worker_factory(settings: Settings) -> sessionmaker[Session]:
    """One engine per worker process, opened after the fork (a pool must not cross it)."""
    from scheduler.core.database import open_database

    key = (os.getpid(), settings.database_url)
    if key not in _factories:
        _factories[key] = open_database(settings)[1]
    return _factories[key]


@signals.setup_logging.connect
def _configure_logging(loglevel: str | int | None = None, **_kwargs: object) -> None:
    # Connected, this replaces Celery's own logging set-up: the worker logs masked JSON too.
    from scheduler.ops.logs import configure_logging

    fmt, level = ((_worker_settings.log_format, _worker_settings.log_level) if _worker_settings is not None
                  else ("json", "INFO"))
    configure_logging(fmt, loglevel if isinstance(loglevel, str) else level)


_default_app: Celery | None = None


def __getattr__(name: str) -> Any:
    """`celery -A scheduler.jobs.celery_app worker` finds `app` here: built on first use, from
    the settings read then (once, at the worker's start). `scheduler worker` builds its own."""
    global _default_app
    if name == "app":
        if _default_app is None:
            _default_app = make_celery(Settings.from_env())
        return _default_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
