"""Swaps follow published versions: an approved swap (already written into the week's draft)
becomes "applied" once a published version carries it, whoever published.

Called by `scheduler.week.drafts.publish` in the publishing transaction; kept apart from
`scheduler.swaps.operations` (which publishes through `scheduler.week.drafts`) so neither imports the other.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Assignment, Schedule, Slot, SwapRequest
from scheduler.core import audit


def swaps_published(session: Session, version: Schedule, now: datetime) -> int:
    """Mark applied the approved swaps of the version's week that it carries; their count."""
    pairs = set(session.execute(select(Assignment.slot_id, Assignment.person_id)
                                .where(Assignment.schedule_id == version.id)).all())
    approved = session.scalars(
        select(SwapRequest).join(Slot, Slot.id == SwapRequest.slot_id)
        .where(SwapRequest.status == "approved", Slot.district_id == version.district_id,
               Slot.week_start == version.week_start)).all()
    applied = 0
    for swap in approved:
        if (swap.slot_id, swap.to_person_id) in pairs and (swap.slot_id, swap.from_person_id) not in pairs:
            swap.status, swap.updated_at = "applied", now
            audit.record(session, None, "swap.applied", "swap_request", swap.id, version.district_id,
                         version=version.version)
            applied += 1
    session.flush()
    return applied
