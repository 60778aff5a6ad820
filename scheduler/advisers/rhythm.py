"""The visit rhythm (定时): which villages have gone without an adviser visit for longer than
their standing frequency."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Assignment, Site, Slot
from scheduler.core.versions import newest_versions


@dataclass(frozen=True)
class OverdueVillage:
    site_id: int
    external_id: str
    name: str
    every_weeks: int
    last_visit: datetime | None  # end of the last published visit, None if never
    days_overdue: int | None  # None: never visited


def last_visits(session: Session, district_id: int, before: datetime) -> dict[int, datetime]:
    """Each village's latest published, staffed visit that ended before `before`.

    Only the newest published version of each week counts: a visit dropped by a later
    version did not happen."""
    rows = session.execute(
        select(Slot.site_id, func.max(Slot.end_at))
        .join(Assignment, Assignment.slot_id == Slot.id)
        .where(Assignment.schedule_id.in_(newest_versions(district_id)), Slot.kind == "visit",
               Slot.end_at < before)
        .group_by(Slot.site_id)
    )
    return dict(rows.all())


def overdue_villages(session: Session, district_id: int, now: datetime) -> list[OverdueVillage]:
    last = last_visits(session, district_id, now)
    villages = session.execute(
        select(Site.id, Site.external_id, Site.name, Site.visit_every_weeks)
        .where(Site.district_id == district_id, Site.kind == "village", Site.active,
               Site.visit_every_weeks.is_not(None)).order_by(Site.external_id))
    overdue = []
    for site_id, external_id, name, every_weeks in villages:
        seen = last.get(site_id)
        allowed = timedelta(weeks=every_weeks)
        if seen is None or now - seen > allowed:
            overdue.append(OverdueVillage(site_id, external_id, name, every_weeks, seen,
                                          None if seen is None else (now - seen - allowed).days))
    # Never visited first, then the longest overdue.
    return sorted(overdue, key=lambda o: (o.days_overdue is not None, -(o.days_overdue or 0), o.external_id))



