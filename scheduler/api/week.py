"""The week as the API reports it to a coordinator: the draft and the published version,
how many places the week asks for, and each open place with the solver's reasons. Read from
the same week view the page shows, so the two never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from models import Schedule, User
from scheduler.core.versions import current_draft
from scheduler.week.view import week_view


@dataclass(frozen=True)
class OpenLine:
    slot_id: int
    line: int
    site: str
    starts_at: datetime
    ends_at: datetime
    roles: tuple[str, ...]
    missing: int
    reasons: tuple[dict, ...]  # as the solver gave them: code, zh, en, params


@dataclass(frozen=True)
class WeekSummary:
    district_id: int
    week_start: date
    draft: Schedule | None
    published: Schedule | None
    places: int
    open: int
    open_lines: tuple[OpenLine, ...]


def summary(session: Session, actor: User, district_id: int, week_start: date) -> WeekSummary:
    """The draft's week (or the published one when there is no draft); access as the page."""
    view = week_view(session, actor, district_id, week_start)
    lines = tuple(
        OpenLine(slot.slot_id, line.index, row.name, slot.start, slot.end, line.roles, line.open, tuple(line.reasons))
        for row in view.rows for day in row.days for slot in day for line in slot.lines if line.open)
    return WeekSummary(district_id, week_start, current_draft(session, district_id, week_start), view.published,
                       view.demanded, view.open, lines)
