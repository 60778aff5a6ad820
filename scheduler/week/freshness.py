"""What a week page shows, summed up in a few small reads, so that a browser asking again
for an unchanged week is answered 304 without reading or rendering the week.

The fingerprint changes whenever anything the week pages show may have changed: the draft
(its lock version rises with every edit), the newest published version, the week's declines
and swaps, its last solve job, and the minute (pending lists and a job's liveness depend on
the time). The web layer adds what is the reader's own: account, language, form token, URL.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Decline, Schedule, Slot, SolveJob, SwapRequest, User
from scheduler.core.access import require_district, require_role


def week_fingerprint(session: Session, actor: User, district_id: int, week_start: date, now: datetime) -> str:
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    versions = session.execute(
        select(Schedule.state, func.max(Schedule.id), func.max(Schedule.lock_version), func.count())
        .where(Schedule.district_id == district_id, Schedule.week_start == week_start)
        .group_by(Schedule.state).order_by(Schedule.state)).all()
    week_slots = select(Slot.id).where(Slot.district_id == district_id, Slot.week_start == week_start)
    declines = session.execute(
        select(func.count(), func.max(Decline.id), func.max(Decline.handled_at))
        .where(Decline.slot_id.in_(week_slots))).one()
    swaps = session.execute(
        select(func.count(), func.max(SwapRequest.id), func.max(SwapRequest.updated_at))
        .where(SwapRequest.slot_id.in_(week_slots))).one()
    job = session.execute(
        select(SolveJob.id, SolveJob.state, SolveJob.cancel_requested, SolveJob.attempts, SolveJob.lease_until)
        .where(SolveJob.district_id == district_id, SolveJob.week_start == week_start)
        .order_by(SolveJob.id.desc()).limit(1)).first()
    text = repr((district_id, week_start.isoformat(), [tuple(v) for v in versions], tuple(declines), tuple(swaps),
                 tuple(job) if job else None, now.strftime("%Y-%m-%dT%H:%M")))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
