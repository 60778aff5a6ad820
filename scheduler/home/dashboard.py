"""A district's dashboard: this week's and next week's places by kind, open requests,
villages overdue for a visit, and what changed since the last publish."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import District, User, VisitRequest
from scheduler.advisers.rhythm import OverdueVillage, overdue_villages
from scheduler.core.access import NotVisible, require_district, require_role
from scheduler.core.weeks import monday_of, to_local
from scheduler.week.review import diff
from scheduler.week.view import week_figures


@dataclass(frozen=True)
class WeekFigures:
    week_start: date
    state: str  # published (version n) | draft | none
    version: int | None
    by_kind: dict[str, tuple[int, int, int]]  # kind -> (demanded, filled, open)
    changes: dict[str, int]  # since the last publish


@dataclass(frozen=True)
class Dashboard:
    district: District
    weeks: tuple[WeekFigures, ...]
    open_requests: tuple[VisitRequest, ...]
    overdue: tuple[OverdueVillage, ...]


def _figures(session: Session, actor: User, district_id: int, week_start: date) -> WeekFigures:
    schedule, published, by_kind = week_figures(session, actor, district_id, week_start)
    state = "draft" if schedule is not None and schedule.state == "draft" else (
        "published" if published is not None else "none")
    return WeekFigures(week_start, state, published.version if published else None, by_kind,
                       diff(session, actor, district_id, week_start).counts())


def dashboard(session: Session, actor: User, district_id: int, now: datetime) -> Dashboard:
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    district = session.get(District, district_id)
    if district is None:
        raise NotVisible(f"No district {district_id}.")
    this_week = monday_of(to_local(now, district.timezone).date())
    requests = session.scalars(
        select(VisitRequest).where(VisitRequest.district_id == district_id,
                                   VisitRequest.status.in_(("received", "scheduled")))
        .options(selectinload(VisitRequest.village), selectinload(VisitRequest.owner))
        .order_by(VisitRequest.created_at)
    ).all()
    return Dashboard(
        district,
        tuple(_figures(session, actor, district_id, this_week + timedelta(weeks=i)) for i in (0, 1)),
        tuple(requests),
        tuple(overdue_villages(session, district_id, now)),
    )
