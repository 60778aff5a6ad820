"""Which week `/week` opens for a district: this week when it has a draft or a published
version, else the nearest following week that has one (looking a bounded number of weeks
ahead, in one query), else this week all the same. A coordinator of several districts gets
the list of them, each with that nearest week."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import District, Schedule, User
from scheduler.core.access import visible_districts
from scheduler.core.weeks import monday_of
from scheduler.week.desk import district_for

# How many weeks after this one are looked at for a draft or a published version.
LOOK_AHEAD_WEEKS = 8


@dataclass(frozen=True)
class Landing:
    week_start: date
    # True when this week has nothing and a later week that has something was chosen.
    moved_ahead: bool


def landing_week(session: Session, actor: User, district_id: int, today: date) -> Landing:
    """The week to open for `district_id` seen on `today` (a local date from the clock).
    Access is checked as for the week page (403 outside the actor's scope, 404 if absent)."""
    district_for(session, actor, district_id)
    this_week = monday_of(today)
    first = _nearest(session, [district_id], this_week).get(district_id)
    if first is None:
        return Landing(this_week, moved_ahead=False)
    return Landing(first, moved_ahead=first != this_week)


def nearest_weeks(session: Session, actor: User, today: date) -> list[tuple[District, date | None]]:
    """For a coordinator of several districts (`/week` lists them): each district they see
    with the nearest week from this one that has a draft or a published version (None when
    none does within the look-ahead), in one query."""
    districts = visible_districts(session, actor)
    nearest = _nearest(session, [d.id for d in districts], monday_of(today))
    return [(d, nearest.get(d.id)) for d in districts]


def _nearest(session: Session, district_ids: list[int], this_week: date) -> dict[int, date]:
    return dict(session.execute(
        select(Schedule.district_id, func.min(Schedule.week_start)).where(
            Schedule.district_id.in_(district_ids),
            Schedule.state.in_(("draft", "published")),
            Schedule.week_start >= this_week,
            Schedule.week_start <= this_week + timedelta(weeks=LOOK_AHEAD_WEEKS))
        .group_by(Schedule.district_id)).all())
