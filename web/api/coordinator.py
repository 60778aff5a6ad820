"""API operations of a coordinator: a week's summary with its open places and their reasons,
solve jobs (start, status, cancel) and publishing with the draft's lock version."""
from __future__ import annotations

from datetime import UTC, date

from flask import current_app

from scheduler.api import week as api_week
from scheduler.core.weeks import monday_of, parse_week
from scheduler.week import desk as week_desk
from scheduler.week.drafts import NothingToPublish, StaleDraft
from web.api import bp
from web.api.auth import api_user
from web.api.messages import refusal
from web.api.problems import ApiProblem, FieldError
from web.api.schemas import DraftOut, JobOut, OpenPlaceOut, PublishedOut, PublishIn, PublishOut, Reason, WeekSummary
from web.api.spec import operation
from web.config import app_settings
from web.dates import now
from web.db import db
from web.labels import open_reason
from web.solve_runner import solve_runner

TAG = "coordinator"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _week(text: str) -> date:
    try:
        start = parse_week(text)
        if not FIRST_YEAR <= start.year <= LAST_YEAR:
            raise ValueError(text)
    except ValueError:
        raise ApiProblem(422, "week_invalid", errors=[FieldError(
            "week", "week_invalid", f"YYYY-MM-DD, {FIRST_YEAR}-{LAST_YEAR}")]) from None
    return monday_of(start)


def _reason(reason: dict) -> Reason:
    return Reason(code=str(reason.get("code", "")), text=open_reason(reason))


@bp.get("/districts/<int:district_id>/weeks/<week>")
@operation(roles=("coordinator",), scope="read", tag=TAG, ok=WeekSummary)
def week_summary(district_id: int, week: str):
    """A week of a district: the draft and the published version, places asked for and left
    open, and why each open place stayed open."""
    found = api_week.summary(db(), api_user(), district_id, _week(week))
    draft = found.draft
    return WeekSummary(
        district_id=district_id, week_start=found.week_start,
        draft=None if draft is None else DraftOut(lock_version=draft.lock_version, solver_status=draft.solver_status,
                                                  objective=draft.objective, bound=draft.bound,
                                                  solved_at=draft.solved_at),
        published=None if found.published is None else PublishedOut(version=found.published.version,
                                                                     published_at=found.published.published_at),
        places=found.places, open=found.open,
        open_places=[OpenPlaceOut(slot_id=o.slot_id, line=o.line, site=o.site, starts_at=o.starts_at.astimezone(UTC),
                                  ends_at=o.ends_at.astimezone(UTC), roles=list(o.roles), missing=o.missing,
                                  reasons=[_reason(r) for r in o.reasons])
                     for o in found.open_lines])


def _job(job) -> JobOut:
    progress = job.progress or {}
    return JobOut(id=job.id, district_id=job.district_id, week_start=job.week_start, state=job.state,
                  cancel_requested=job.cancel_requested, objective=progress.get("objective"),
                  bound=progress.get("bound"), error=job.error)


@bp.post("/districts/<int:district_id>/weeks/<week>/solve")
@operation(roles=("coordinator",), scope="write", tag=TAG, ok=JobOut, status=202)
def start_solve(district_id: int, week: str):
    """Start solving the week (or return the solve already under way); poll the job."""
    session = db()
    week_start = _week(week)
    job, new = week_desk.start_solve(session, api_user(), district_id, week_start,
                                     float(current_app.config["SOLVE_TIME_LIMIT"]), now=now())
    session.commit()
    if new:
        solve_runner().submit(job.id)
    return _job(job), 202


@bp.get("/jobs/<int:job_id>")
@operation(roles=("coordinator",), scope="read", tag=TAG, ok=JobOut)
def job_status(job_id: int):
    """A solve job's state and its progress (objective and proven bound so far)."""
    return _job(week_desk.job_for(db(), api_user(), job_id))


@bp.post("/jobs/<int:job_id>/cancel")
@operation(roles=("coordinator",), scope="write", tag=TAG, ok=JobOut)
def cancel_job(job_id: int):
    """Ask a running solve to stop; the draft stays as it was."""
    job = week_desk.cancel_job(db(), api_user(), job_id)
    db().commit()
    return _job(job)


@bp.post("/districts/<int:district_id>/weeks/<week>/publish")
@operation(roles=("coordinator",), scope="write", tag=TAG, ok=PublishOut, status=201, json=PublishIn,
           errors=(409,))
def publish(district_id: int, week: str, json: PublishIn):
    """Publish the draft as read: `lock_version` must be the draft's (409 stale_draft otherwise)."""
    session = db()
    week_start = _week(week)
    try:
        version = week_desk.publish_week(session, api_user(), district_id, week_start, json.lock_version, now=now(),
                                         feed_domain=app_settings().feed_domain)
    except (StaleDraft, NothingToPublish) as error:
        session.rollback()
        raise refusal(error) from error
    session.commit()
    return PublishOut(district_id=district_id, week_start=week_start, version=version.version,
                      published_at=version.published_at), 201
