"""The Celery application of the solve workers, configured from the environment.

A task carries only a job id: the job itself (district, week, time limit), its progress and
its cancel flag live in `solve_jobs`, so the task body is exactly `scheduler.jobs.solve_jobs.run_job`,
the function the in-process runner calls. Redis is both broker and result store.

    CELERY_BROKER_URL      redis://127.0.0.1:6379/0   (unset: no Celery, solves run in-process)
    CELERY_RESULT_BACKEND  defaults to the broker URL
    CELERY_QUEUE           solve
    SOLVE_WORKERS          2   CP-SAT threads per job (1 when several jobs share few cores)
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from celery import Celery, signals
from sqlalchemy.orm import Session, sessionmaker

from scheduler.core.config import Settings

SOLVE_TASK = "scheduler.solve_job"
DEFAULT_QUEUE = "solve"
# Results are only read by a caller waiting for its jobs; the database keeps the record.
RESULT_EXPIRES_S = 24 * 3600


@dataclass(frozen=True)
class CelerySettings:
    broker_url: str | None
    result_backend: str | None
    queue: str
    solve_workers: int

    @classmethod
    def from_env(cls, settings: Settings | None = None, env: dict[str, str] | None = None) -> CelerySettings:
        env = dict(os.environ if env is None else env)
        settings = settings or Settings.from_env(env)
        broker = settings.celery_broker_url
        workers = env.get("SOLVE_WORKERS", "2")
        if not workers.isdigit() or int(workers) < 1:
            raise ValueError(f"SOLVE_WORKERS must be a positive integer, not {workers!r}")
        return cls(broker_url=broker, result_backend=env.get("CELERY_RESULT_BACKEND") or broker,
                   queue=env.get("CELERY_QUEUE") or DEFAULT_QUEUE, solve_workers=int(workers))


def make_celery(settings: Settings | None = None, *, queue: str | None = None) -> Celery:
    conf = CelerySettings.from_env(settings)
    app = Celery("scheduler", broker=conf.broker_url, backend=conf.result_backend, set_as_current=False)
    app.conf.update(
        task_default_queue=queue or conf.queue,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=RESULT_EXPIRES_S,
        # A solve takes seconds to minutes: each worker process holds one job at a time and
        # acknowledges it when done, so idle workers take the next district instead of one
        # worker hoarding several, and a job whose worker died is delivered again.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    app.task(name=SOLVE_TASK)(solve_job)
    app.solve_workers = conf.solve_workers  # type: ignore[attr-defined]
    return app


def solve_job(job_id: int) -> str:
    """Run one solve job in this worker; returns the job's final state."""
    from scheduler.jobs.solve_jobs import run_and_log

    workers = CelerySettings.from_env().solve_workers
    return run_and_log(_worker_factory(), job_id, workers=workers, runner="celery")


_factories: dict[tuple[int, str], sessionmaker[Session]] = {}


def _worker_factory() -> sessionmaker[Session]:
    """One engine per worker process, opened after the fork (a pool must not cross it)."""
    from scheduler.core.database import open_database

    settings = Settings.from_env()
    key = (os.getpid(), settings.database_url)
    if key not in _factories:
        _factories[key] = open_database(settings)[1]
    return _factories[key]


@signals.setup_logging.connect
def _configure_logging(loglevel: str | int | None = None, **_kwargs: object) -> None:
    # Connected, this replaces Celery's own logging set-up: the worker logs masked JSON too.
    from scheduler.ops.logs import configure_logging

    level = loglevel if isinstance(loglevel, str) else None
    configure_logging(level=level)


# `celery -A scheduler.jobs.celery_app worker` finds this; `scheduler worker` builds its own.
app = make_celery()
