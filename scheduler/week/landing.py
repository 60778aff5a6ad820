"""Which week `/week` opens for a district: this week when it has a draft or a published
version, else the nearest following week that has one (looking a bounded number of weeks
ahead, in one query), else this week all the same."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Schedule, User
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
    first = session.scalar(
        select(func.min(Schedule.week_start)).where(
            Schedule.district_id == district_id,
            Schedule.state.in_(("draft", "published")),
            Schedule.week_start >= this_week,
            Schedule.week_start <= this_week + timedelta(weeks=LOOK_AHEAD_WEEKS)))
    if first is None:
        return Landing(this_week, moved_ahead=False)
    return Landing(first, moved_ahead=first != this_week)
