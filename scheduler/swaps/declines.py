"""Declines reach the coordinator: the district's pending declines (who, which place, why,
when), and re-planning a week around them.

A provider's decline (`scheduler.mine.self_service.decline`) already marks them unavailable for
that time. Re-planning takes the declined places out of the week's draft (even locked ones:
the person cannot come) and solves the week again; the problem carries the published version
as `previous`, so the solver changes as little as it can. The coordinator reviews and
publishes as usual, and publishing marks handled every decline the new version answers
(`scheduler.notices.publish`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, Decline, Person, Slot, SolveJob, User
from scheduler.core import audit
from scheduler.core.versions import current_draft
from scheduler.core.weeks import to_local
from scheduler.week import desk as week_desk
from scheduler.week import drafts


class ReplanRefused(Exception):
    """`code` selects the translated message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PendingDecline:
    decline: Decline
    person: Person
    slot: Slot
    start: datetime  # local to the site
    end: datetime
    # The week's draft still gives them the place: nobody has re-planned it yet.
    in_draft: bool


def pending(session: Session, actor: User, district_id: int, now: datetime,
            week_start: date | None = None) -> list[PendingDecline]:
    """Unhandled declines of places not yet over, earliest place first."""
    week_desk.district_for(session, actor, district_id)
    query = (select(Decline, Slot).join(Slot, Slot.id == Decline.slot_id)
             .where(Decline.handled_at.is_(None), Slot.district_id == district_id, Slot.end_at > now)
             .options(selectinload(Slot.site)).order_by(Slot.start_at, Decline.created_at))
    if week_start is not None:
        query = query.where(Slot.week_start == week_start)
    rows = session.execute(query).all()
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({d.person_id for d, _ in rows})))}
    # None: the week has no draft, so the next edit copies the published version, place and all.
    drafted: dict[date, set[tuple[int, int]] | None] = {}
    for week in {s.week_start for _, s in rows}:
        draft = current_draft(session, district_id, week)
        drafted[week] = None if draft is None else set(session.execute(
            select(Assignment.slot_id, Assignment.person_id).where(Assignment.schedule_id == draft.id)).all())
    result = []
    for decline, slot in rows:
        zone = slot.site.timezone
        held = drafted[slot.week_start]
        in_draft = held is None or (slot.id, decline.person_id) in held
        result.append(PendingDecline(decline, people[decline.person_id], slot, to_local(slot.start_at, zone),
                                     to_local(slot.end_at, zone), in_draft))
    return result


def replan_week(session: Session, actor: User, district_id: int, week_start: date, now: datetime,
                time_limit: float) -> SolveJob:
    """Take the week's declined places out of its draft and queue a minimal-change solve.
    The caller commits, then hands the job to its runner."""
    declines = pending(session, actor, district_id, now, week_start)
    if not declines:
        raise ReplanRefused("nothing_declined", "no pending declines this week")
    if week_desk.live_job(session, actor, district_id, week_start, now=now) is not None:
        # A solve already under way may have been built before the decline: let it end first.
        # (One whose worker died is not under way: start_solve below records it failed.)
        raise ReplanRefused("solving", "the week is being solved right now")
    draft = drafts.get_or_create_draft(session, district_id, week_start, actor)
    gone = {(d.slot.id, d.person.id) for d in declines}
    removed = [a for a in draft.assignments if (a.slot_id, a.person_id) in gone]
    for assignment in removed:
        draft.assignments.remove(assignment)
    drafts.touch(draft, now)
    session.flush()
    job, _ = week_desk.start_solve(session, actor, district_id, week_start, time_limit, now=now)
    audit.record(session, actor, "decline.replan", "schedule", draft.id, district_id, week=week_start.isoformat(),
                 declines=[d.decline.id for d in declines], removed=len(removed), job=job.id)
    return job
