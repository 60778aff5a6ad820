"""Who runs the app's solve jobs, chosen by SOLVE_RUNNER:

- `thread` (the default): a `scheduler.jobs.ThreadRunner` on a worker thread of this process,
  one job at a time, with the app's own session factory;
- `inline`: in the request that asked for it, before the answer (scripts and tests);
- `queue`: left queued in `solve_jobs` for an outside worker (Celery, another process).

Under TESTING the default is `queue`, so pages that start a solve never race the test's own
database connection from a background thread; tests that want the real thing say so.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app

from scheduler.jobs import ThreadRunner, run_job
from web.db import database

EXTENSION = "scheduler_solve_runner"
MODES = ("thread", "inline", "queue")


class SolveRunner:
    def __init__(self, app: Flask) -> None:
        mode = app.config["SOLVE_RUNNER"]
        if mode not in MODES:
            raise ValueError(f"SOLVE_RUNNER must be one of {', '.join(MODES)}, not {mode!r}")
        self.app = app
        self.mode = mode
        self.workers = int(app.config["SOLVE_WORKERS"])
        self._threads: ThreadRunner | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        """Start a job the caller has committed (a worker must be able to read it)."""
        if self.mode == "queue":
            return
        # The factory is read at submit time: tests rebind it after the app is built.
        factory = database(self.app).factory
        if self.mode == "inline":
            run_job(factory, job_id, workers=self.workers)
            return
        with self._lock:
            if self._threads is None:
                self._threads = ThreadRunner(factory, workers=self.workers)
        self._threads.submit(job_id)

    def shutdown(self) -> None:
        with self._lock:
            if self._threads is not None:
                self._threads.shutdown()
                self._threads = None


def init_app(app: Flask) -> SolveRunner:
    app.config.setdefault("SOLVE_RUNNER", "queue" if app.testing else "thread")
    app.config.setdefault("SOLVE_TIME_LIMIT", 30.0)
    app.config.setdefault("SOLVE_WORKERS", 2)
    runner = SolveRunner(app)
    app.extensions[EXTENSION] = runner
    return runner


def solve_runner(app: Flask | None = None) -> SolveRunner:
    return (app or current_app).extensions[EXTENSION]
