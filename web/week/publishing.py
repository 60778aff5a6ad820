"""Calendar updates after a publish. A publish touching many feeds (a city's first: 25,000)
leaves them to a feed job (`scheduler.feeds.jobs`); the publish route commits, then
`after_publish` starts the job on this process's feed runner and answers with its progress
page ("calendars: 12,000 of 25,000 updated"), which reloads itself until the job ends.

The runner follows FEED_RUNNER: `thread` (the default: one worker thread of this process),
`inline` (in the request, before the answer: scripts and tests) or `queue` (left queued;
the default under TESTING). Until a feed is rendered again it serves its previous
rendering, for at most `scheduler.feeds.render.STALE_AT_MOST` if the job never runs.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, redirect, render_template, url_for
from flask_babel import format_decimal
from werkzeug.wrappers import Response

from models import Schedule
from scheduler.feeds.jobs import job_for, job_of_version, progress, run_feed_job
from scheduler.week import desk as week_desk
from web.access import acting_user, roles_required
from web.config import app_settings
from web.dates import app_clock, now
from web.db import database, db
from web.week import bp

EXTENSION = "scheduler_feed_runner"
MODES = ("thread", "inline", "queue")
# The progress page reloads itself this often while the job runs.
RELOAD_SECONDS = 2


class FeedRunner:
    def __init__(self, app: Flask) -> None:
        mode = app.config.get("FEED_RUNNER") or ("queue" if app.testing else "thread")
        if mode not in MODES:
            raise ValueError(f"FEED_RUNNER must be one of {', '.join(MODES)}, not {mode!r}")
        self.app, self.mode = app, mode
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> None:
        """Run a job the caller has committed."""
        if self.mode == "queue":
            return
        # Read at submit time: tests rebind the factory after the app is built.
        args = (database(self.app).factory, job_id)
        kwargs = {"clock": app_clock(self.app), "domain": app_settings(self.app).feed_domain}
        if self.mode == "inline":
            run_feed_job(*args, **kwargs)
            return
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-job")
        self._pool.submit(run_feed_job, *args, **kwargs)


_CREATE = threading.Lock()


def feed_runner(app: Flask | None = None) -> FeedRunner:
    app = app or current_app._get_current_object()
    with _CREATE:
        if EXTENSION not in app.extensions:
            app.extensions[EXTENSION] = FeedRunner(app)
    return app.extensions[EXTENSION]


def after_publish(version: Schedule) -> Response | None:
    """After the publish committed: start the feed job it left, if any, and answer with its
    progress page; None when the publish rendered its feeds itself."""
    job = job_of_version(db(), version.id)
    if job is None or job.state != "queued":
        return None
    job_id = job.id
    # End the request's read before the job writes (SQLite: one writer at a time).
    db().commit()
    feed_runner().submit(job_id)
    return redirect(url_for("week.calendars", job_id=job_id))


@bp.route("/calendar-updates/<int:job_id>")
@roles_required("coordinator")
def calendars(job_id: int):
    job = job_for(db(), acting_user(), job_id)
    district = week_desk.district_for(db(), acting_user(), job.district_id)
    info = progress(job, now())
    week_url = url_for("week.show", district_id=district.id, week=job.week_start.isoformat(), view="published")
    return render_template("week/calendars.html", job=job, info=info, district=district, week_url=week_url,
                           done=format_decimal(job.done), total=format_decimal(job.total),
                           reload_seconds=RELOAD_SECONDS)
