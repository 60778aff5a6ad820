"""Turning standing demand into a week's slots: window shifts from templates (respecting
statutory holidays and make-up working days), due village visits from each village's
rhythm, square events, and open village requests as choice groups.

Generation is idempotent: a slot is identified by its `external_id`, so running it twice
adds nothing, and slots a coordinator already edited are left alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import ShiftTemplate, Site, Slot, SlotLine, SquareEvent, VisitRequest
from scheduler.core.weeks import monday_of, timetable_weekday, to_local, to_utc, week_days

# A less preferred time for a request costs this much more per rank (spec: choice_cost).
CHOICE_COST_PER_RANK = 20.0
VISIT_PRIORITY = 3
REQUEST_PRIORITY = {"normal": 4, "urgent": 5}


@dataclass
class WeekDemand:
    created: dict[str, int] = field(default_factory=lambda: {"shift": 0, "visit": 0, "event": 0, "request": 0})
    existing: int = 0
    holidays: list[date] = field(default_factory=list)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def visit_due(site: Site, week_start: date) -> bool:
    """A village's set visit falls in weeks that are a whole number of rhythm periods from
    its anchor week."""
    if not (site.visit_every_weeks and site.visit_anchor is not None and site.visit_weekday is not None):
        return False
    weeks = (week_start - monday_of(site.visit_anchor)).days // 7
    return weeks % site.visit_every_weeks == 0


def generate_week(session: Session, district_id: int, week_start: date) -> WeekDemand:
    report = WeekDemand()
    existing = set(
        session.scalars(
            select(Slot.external_id).where(Slot.district_id == district_id, Slot.week_start == week_start)
        )
    )
    report.existing = len(existing)
    new_slots: list[Slot] = []

    def add(slot: Slot, lines: list[tuple[list[str], int, list[str]]], origin: str) -> None:
        if slot.external_id in existing:
            return
        slot.lines = [SlotLine(idx=i, roles=r, count=c, skills=s) for i, (r, c, s) in enumerate(lines)]
        existing.add(slot.external_id)
        new_slots.append(slot)
        report.created[origin] += 1

    _shifts(session, district_id, week_start, add, report)
    _visits(session, district_id, week_start, add)
    _events(session, district_id, week_start, add)
    _requests(session, district_id, week_start, add)
    session.add_all(new_slots)
    session.flush()
    return report


def _slot(site: Site, week_start: date, kind: str, start: datetime, end: datetime, key: str, **kw) -> Slot:
    # Ids carry the local date and time, as coordinators read them.
    stamp = to_local(start, site.timezone).strftime("%Y%m%dT%H%M")
    return Slot(
        external_id=f"{site.external_id}@{stamp}-{key}",
        district_id=site.district_id,
        week_start=week_start,
        site_id=site.id,
        kind=kind,
        start_at=start,
        end_at=end,
        **kw,
    )


def _shifts(session: Session, district_id: int, week_start: date, add, report: WeekDemand) -> None:
    templates = session.scalars(
        select(ShiftTemplate)
        .join(Site)
        .where(Site.district_id == district_id, Site.active, ShiftTemplate.active)
        .options(selectinload(ShiftTemplate.lines), selectinload(ShiftTemplate.site))
    ).all()
    for day in week_days(week_start):
        weekday = timetable_weekday(day)
        if weekday is None:
            report.holidays.append(day)
            continue
        for t in templates:
            if t.weekday != weekday or (t.valid_from and day < t.valid_from) or (t.valid_to and day > t.valid_to):
                continue
            start = to_utc(day, t.start_time, t.site.timezone)
            end = to_utc(day, t.end_time, t.site.timezone)
            slot = _slot(t.site, week_start, "shift", start, end, f"S{t.id}", priority=t.priority, template_id=t.id)
            add(slot, [(list(ln.roles), ln.count, list(ln.skills)) for ln in t.lines], "shift")


def _visits(session: Session, district_id: int, week_start: date, add) -> None:
    villages = session.scalars(
        select(Site).where(Site.district_id == district_id, Site.kind == "village", Site.active,
                           Site.visit_every_weeks.is_not(None))
    ).all()
    for v in villages:
        if not visit_due(v, week_start) or v.visit_start is None or not v.visit_minutes:
            continue
        day = week_start + timedelta(days=v.visit_weekday)
        start = to_utc(day, v.visit_start, v.timezone)
        slot = _slot(v, week_start, "visit", start, start + timedelta(minutes=v.visit_minutes), "V",
                     priority=VISIT_PRIORITY)
        add(slot, [(["lawyer"], 1, [])], "visit")


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    return to_utc(week_start, time()), to_utc(week_start + timedelta(days=7), time())


def _events(session: Session, district_id: int, week_start: date, add) -> None:
    begin, end = week_bounds(week_start)
    events = session.scalars(
        select(SquareEvent)
        .join(Site)
        .where(Site.district_id == district_id, SquareEvent.status == "planned",
               SquareEvent.start_at >= begin, SquareEvent.start_at < end)
        .options(selectinload(SquareEvent.lines), selectinload(SquareEvent.site))
    ).all()
    for e in events:
        slot = _slot(e.site, week_start, "event", e.start_at, e.end_at, f"E{e.id}", priority=e.priority, event_id=e.id)
        add(slot, [(list(ln.roles), ln.count, list(ln.skills)) for ln in e.lines], "event")


def request_lines(request: VisitRequest) -> list[tuple[list[str], int, list[str]]]:
    lines: list[tuple[list[str], int, list[str]]] = [(["lawyer"], 1, [])]
    if request.kind == "mediation":
        lines.append((["mediator"], 1, []))
    return lines


def _requests(session: Session, district_id: int, week_start: date, add) -> None:
    begin, end = week_bounds(week_start)
    requests = session.scalars(
        select(VisitRequest)
        .where(VisitRequest.district_id == district_id, VisitRequest.status == "received")
        .options(selectinload(VisitRequest.windows), selectinload(VisitRequest.village))
        .order_by(VisitRequest.id)
    ).all()
    for r in requests:
        for w in r.windows:
            if not (begin <= w.start_at < end):
                continue
            slot = _slot(r.village, week_start, "visit", w.start_at, w.end_at, f"R{r.id}.{w.rank}",
                         priority=REQUEST_PRIORITY.get(r.urgency, 4), request_id=r.id,
                         choice_group=f"R{r.id}", choice_cost=CHOICE_COST_PER_RANK * w.rank)
            add(slot, request_lines(r), "request")
