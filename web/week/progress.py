"""A solve job as the job page and its JSON endpoint show it: raw figures for scripts, and
display texts in the reader's language so the page's script only copies them in."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from models import SolveJob
from scheduler.jobs import leases
from web.dates import now
from web.week.labels import job_state, solver_status

LIVE = ("queued", "running")


def outcome(job: SolveJob) -> str:
    """The job's state as the pages tell it: its state in the table, or "lost" when its
    worker died (the lease ran out and nobody took it over; recorded or not yet)."""
    return "lost" if leases.lost(job, now()) else job.state


def _elapsed(job: SolveJob) -> float | None:
    if job.started_at is None:
        return None
    # A job whose worker died stopped, at the latest, when its lease ran out.
    end = job.finished_at or (job.lease_until if outcome(job) == "lost" else None) or now()
    return max((end - job.started_at).total_seconds(), 0.0)


def _gap(objective: float | None, bound: float | None) -> float | None:
    # Both are minimised costs: the bound is a floor, so the gap shrinks to 0 at the optimum.
    if objective is None or bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0
    return max(objective - bound, 0.0) / abs(objective)


def job_info(job: SolveJob) -> dict[str, Any]:
    progress = job.progress or {}
    objective, bound = progress.get("objective"), progress.get("bound")
    elapsed, gap = _elapsed(job), _gap(objective, bound)
    week = job.week_start.isoformat()
    ended = outcome(job)
    live = ended in LIVE
    dash = "—"
    return {
        "id": job.id,
        "state": job.state,
        "outcome": ended,
        "attempts": job.attempts,
        "live": live,
        "cancel_requested": job.cancel_requested,
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "elapsed_s": None if elapsed is None else round(elapsed, 1),
        "time_limit_s": job.time_limit,
        "solutions": progress.get("solutions"),
        "solver_status": progress.get("status"),
        "error": job.error,
        "display": {
            "state": job_state(ended) + (_(" (cancel requested)") if live and job.cancel_requested else "")
            + (_(" (attempt %(n)d: another worker took it over)", n=job.attempts) if live and job.attempts > 1 else ""),
            "objective": dash if objective is None else format_decimal(objective, "#,##0.0"),
            "bound": dash if bound is None else format_decimal(bound, "#,##0.0"),
            "gap": dash if gap is None else format_percent(gap, "#,##0.0%"),
            "elapsed": dash if elapsed is None else _("%(seconds)s s of %(limit)s s",
                                                      seconds=format_decimal(elapsed, "0.0"),
                                                      limit=format_decimal(job.time_limit, "0")),
            "solutions": dash if progress.get("solutions") is None else str(progress["solutions"]),
            "solver_status": solver_status(progress.get("status")) if progress.get("status") else dash,
        },
        "urls": {
            "status": url_for("week.job_status", job_id=job.id),
            "page": url_for("week.job", job_id=job.id),
            "week": url_for("week.show", district_id=job.district_id, week=week),
            "review": url_for("week.review", district_id=job.district_id, week=week),
        },
    }
