"""The coordinator's desk for one district's week: the access-checked entry points the web
pages need around the week operations (solve jobs, publishing, hand assignment).

`scheduler.jobs.solve_jobs` and `scheduler.week.drafts` hold the operations themselves and trust their
caller; everything here checks the acting user first, so a page can never start, watch,
cancel or publish another district's week.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Assignment, District, Schedule, SolveJob, Township, User
from scheduler.core.access import NotVisible, require_district, require_role, require_visible
from scheduler.core.config import DEFAULT_FEED_DOMAIN
from scheduler.core.versions import current_draft, latest_published
from scheduler.jobs import leases
from scheduler.jobs import solve_jobs as jobs
from scheduler.week import drafts

# A job still "running" this long after its time limit, or still "queued" this long after it
# was asked for, belongs to a process that died: it would otherwise block the week for good.
RUNNING_GRACE = timedelta(minutes=5)
QUEUED_GRACE = timedelta(hours=1)


def district_for(session: Session, actor: User, district_id: int) -> District:
    """The district a week page is about: 403 outside the actor's scope, 404 if absent."""
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    district = session.get(District, district_id)
    if district is None:
        raise NotVisible(f"No district {district_id}.")
    return district


def townships(session: Session, actor: User, district_id: int) -> list[Township]:
    district_for(session, actor, district_id)
    return list(session.scalars(select(Township).where(Township.district_id == district_id).order_by(Township.code)))


def draft_lock_version(session: Session, district_id: int, week_start: date) -> int | None:
    return drafts.draft_version(session, district_id, week_start)


def locked_count(session: Session, district_id: int, week_start: date) -> int:
    """How many places of the week's draft are locked (the next solve keeps them)."""
    draft = current_draft(session, district_id, week_start)
    if draft is None:
        return 0
    return session.scalar(select(func.count()).select_from(Assignment)
                          .where(Assignment.schedule_id == draft.id, Assignment.locked)) or 0


def check_version(session: Session, district_id: int, week_start: date, expected: int | None) -> None:
    """Refuse a write based on a page that no longer shows the week's draft as it is.

    `expected` is the draft's lock_version the page showed, None when the page showed no
    draft: a draft made since then (by anyone) makes that page stale too."""
    drafts.check_version(session, district_id, week_start, expected)


# --- solve jobs ---------------------------------------------------------------------------

def start_solve(session: Session, actor: User, district_id: int, week_start: date,
                time_limit: float, *, now: datetime) -> tuple[SolveJob, bool]:
    """A queued solve of the week, or the one already under way (True when new); a job
    that looks abandoned at `now` is marked failed first."""
    district_for(session, actor, district_id)
    live = jobs.live_job(session, district_id, week_start)
    if live is not None and abandoned(live, now):
        if leases.lost(live, now):
            live.error = (f"{leases.WORKER_LOST}: its lease ran out at {live.lease_until:%Y-%m-%d %H:%M:%S} UTC "
                          "and no worker took it over")
        else:
            live.error = "abandoned: no worker finished it in time (the process running it stopped)"
        live.state, live.finished_at = "failed", now
        session.flush()
    return jobs.request_solve(session, district_id, week_start, actor, time_limit=time_limit, now=now)


def abandoned(job: SolveJob, now: datetime) -> bool:
    """The job's worker died (its lease ran out, `scheduler.jobs.leases`), or it has run far
    past its time limit, or nobody took it from the queue for an hour."""
    if leases.lost(job, now):
        return True
    if job.state == "running" and job.started_at is not None:
        return now > job.started_at + timedelta(seconds=job.time_limit) + RUNNING_GRACE
    return job.state == "queued" and now > job.created_at + QUEUED_GRACE


def live_job(session: Session, actor: User, district_id: int, week_start: date, *,
             now: datetime | None = None) -> SolveJob | None:
    """The week's queued or running job; given `now`, one whose worker died is not live."""
    district_for(session, actor, district_id)
    job = jobs.live_job(session, district_id, week_start)
    if job is not None and now is not None and abandoned(job, now):
        return None
    return job


def last_job(session: Session, actor: User, district_id: int, week_start: date) -> SolveJob | None:
    """The week's newest solve job, whatever its state (the week page tells how it ended)."""
    district_for(session, actor, district_id)
    return session.scalar(select(SolveJob).where(SolveJob.district_id == district_id,
                                                 SolveJob.week_start == week_start)
                          .order_by(SolveJob.id.desc()).limit(1))


def job_for(session: Session, actor: User, job_id: int) -> SolveJob:
    """A job of the actor's districts; any other id looks like one that does not exist."""
    require_role(actor, "coordinator")
    job = session.get(SolveJob, job_id)
    require_visible(actor, job.district_id if job is not None else None)
    return job


def cancel_job(session: Session, actor: User, job_id: int) -> SolveJob:
    job = job_for(session, actor, job_id)
    return jobs.cancel(session, job.id)


# --- publishing ---------------------------------------------------------------------------

def publish_week(session: Session, actor: User, district_id: int, week_start: date,
                 expected_lock_version: int | None, *, now: datetime,
                 feed_domain: str = DEFAULT_FEED_DOMAIN, defer_feeds: bool = False) -> Schedule:
    district_for(session, actor, district_id)
    if expected_lock_version is not None or current_draft(session, district_id, week_start) is not None:
        check_version(session, district_id, week_start, expected_lock_version)
    return drafts.publish(session, district_id, week_start, actor, expected_lock_version, now=now,
                          feed_domain=feed_domain, defer_feeds=defer_feeds)


# --- hand assignment ----------------------------------------------------------------------

def assignment_week(session: Session, actor: User, assignment_id: int) -> tuple[int, date]:
    """The district and week of an assignment, to return to its week after an edit."""
    require_role(actor, "coordinator")
    row = session.execute(
        select(Schedule.district_id, Schedule.week_start).join(Assignment, Assignment.schedule_id == Schedule.id)
        .where(Assignment.id == assignment_id)).first()
    require_visible(actor, row.district_id if row is not None else None)
    return row.district_id, row.week_start


def editable_assignment(session: Session, actor: User, assignment_id: int) -> int:
    """The draft assignment that an edit of `assignment_id` applies to.

    A week without a draft shows its published version; editing one of its assignments
    starts the draft (a copy of that version) and edits the copy. If a draft or a newer
    version appeared since, the page was stale."""
    require_role(actor, "coordinator")
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotVisible("No such assignment.")
    schedule = assignment.schedule
    require_visible(actor, schedule.district_id)
    if schedule.state == "draft":
        return assignment.id
    district_id, week_start = schedule.district_id, schedule.week_start
    newest = latest_published(session, district_id, week_start)
    if current_draft(session, district_id, week_start) is not None or newest is None or newest.id != schedule.id:
        raise drafts.StaleDraft("the week changed since you opened it")
    draft = drafts.get_or_create_draft(session, district_id, week_start, actor)
    session.flush()
    return next(a.id for a in draft.assignments
                if (a.slot_id, a.person_id) == (assignment.slot_id, assignment.person_id))
