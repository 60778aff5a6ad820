"""Who runs the app's solve jobs, chosen by SOLVE_RUNNER:

- `auto` (the default): `scheduler.jobs.runners.make_runner`, i.e. Celery workers when
  CELERY_BROKER_URL is set, else a worker thread of this process;
- `thread`: a worker thread of this process, one job at a time, with the app's own session
  factory (`scheduler.jobs.runners.LoggingThreadRunner`);
- `inline`: in the request that asked for it, before the answer (scripts and tests);
- `queue`: left queued in `solve_jobs` for a worker started some other way.

Under TESTING the default is `queue`, so pages that start a solve never race the test's own
database connection from a background thread; tests that want the real thing say so.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app

from scheduler.jobs.runners import LoggingThreadRunner, Runner, make_runner
from scheduler.jobs.solve_jobs import run_job
from web.config import app_settings
from web.dates import app_clock
from web.db import database

EXTENSION = "scheduler_solve_runner"
MODES = ("auto", "thread", "inline", "queue")


class SolveRunner:
    def __init__(self, app: Flask) -> None:
        mode = app.config["SOLVE_RUNNER"]
        if mode not in MODES:
            raise ValueError(f"SOLVE_RUNNER must be one of {', '.join(MODES)}, not {mode!r}")
        self.app = app
        self.mode = mode
        self.workers = int(app.config["SOLVE_WORKERS"])
        self._runner: Runner | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        """Start a job the caller has committed (a worker must be able to read it)."""
        if self.mode == "queue":
            return
        # The factory is read at submit time: tests rebind it after the app is built.
        factory = database(self.app).factory
        clock = app_clock(self.app)
        if self.mode == "inline":
            run_job(factory, job_id, clock=clock, workers=self.workers)
            return
        with self._lock:
            if self._runner is None:
                self._runner = (
                    make_runner(app_settings(self.app), factory, clock=clock, workers=self.workers)
                    if self.mode == "auto" else LoggingThreadRunner(factory, workers=self.workers, clock=clock))
        self._runner.submit(job_id)

    @property
    def runner(self) -> Runner | None:
        """The runner jobs go to once the first one was submitted (None before, and for
        `inline` and `queue`)."""
        return self._runner

    def shutdown(self) -> None:
        with self._lock:
            if self._runner is not None:
                self._runner.shutdown()
                self._runner = None


def init_app(app: Flask) -> SolveRunner:
    app.config.setdefault("SOLVE_RUNNER", "queue" if app.testing else "auto")
    app.config.setdefault("SOLVE_TIME_LIMIT", 30.0)
    app.config.setdefault("SOLVE_WORKERS", 2)
    runner = SolveRunner(app)
    app.extensions[EXTENSION] = runner
    return runner


def solve_runner(app: Flask | None = None) -> SolveRunner:
    return (app or current_app).extensions[EXTENSION]
