"""The directory of centres, township windows and legal aid stations: where they are, their
office phone, their opening hours this week (from the active shift templates, with public
holidays and make-up days) and who is on duty, read from the newest published roster only.

What a page never shows: a draft, anyone's own phone or e-mail, anything about villagers.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, District, Person, ShiftTemplate, Site, Slot
from scheduler.core.access import NotVisible
from scheduler.core.config import HOTLINE
from scheduler.core.versions import latest_published
from scheduler.core.weeks import monday_of, to_local, week_days
from scheduler.demand.shift_calendar import shift_day
from scheduler.portal.numbers import PublicNumbers, public_numbers
from scheduler.portal.words import roles_in, site_kind_in, weekday_in

DIRECTORY_KINDS = ("centre", "window", "station")


@dataclass(frozen=True)
class DistrictChoice:
    id: int
    name: str


@dataclass(frozen=True)
class SiteSummary:
    id: int
    external_id: str
    name: str
    kind: str
    kind_label: str
    district: str
    township: str
    address: str
    office_phone: str


@dataclass(frozen=True)
class DayHours:
    day: date
    weekday: str
    hours: tuple[str, ...]  # "09:00–12:00", merged over the day's shifts; empty when closed
    holiday: str | None  # the holiday closing the day (English name from `holidays`)
    makeup: bool  # a make-up working day (调休)


@dataclass(frozen=True)
class OnDuty:
    name: str
    role: str
    badge_no: str
    hours: str


@dataclass(frozen=True)
class DutyDay:
    day: date
    weekday: str
    people: tuple[OnDuty, ...]


@dataclass(frozen=True)
class SitePage:
    site: SiteSummary
    week_start: date
    hours: tuple[DayHours, ...]
    today: tuple[OnDuty, ...]
    week: tuple[DutyDay, ...]
    published: bool  # False: the week's roster is not published yet, so no names are shown
    numbers: PublicNumbers


def public_districts(session: Session) -> list[DistrictChoice]:
    return [DistrictChoice(i, n) for i, n in session.execute(select(District.id, District.name).order_by(District.code))]


def _summary(site: Site, locale: str | None) -> SiteSummary:
    return SiteSummary(site.id, site.external_id, site.name, site.kind, site_kind_in(site.kind, locale),
                       site.district.name, site.township.name if site.township else "", site.address or "",
                       site.phone or "")


def list_sites(session: Session, locale: str | None = None, district_id: int | None = None) -> list[SiteSummary]:
    """Active centres, windows and stations, of one district when given, by district and kind."""
    query = select(Site).where(Site.active, Site.kind.in_(DIRECTORY_KINDS)) \
        .options(selectinload(Site.district), selectinload(Site.township))
    if district_id is not None:
        query = query.where(Site.district_id == district_id)
    rows = session.scalars(query.order_by(Site.district_id, Site.kind, Site.external_id)).all()
    order = {k: i for i, k in enumerate(DIRECTORY_KINDS)}
    return [_summary(s, locale) for s in sorted(rows, key=lambda s: (s.district_id, order[s.kind], s.external_id))]


def _merge(spans: list[tuple[time, time]]) -> tuple[str, ...]:
    merged: list[list[time]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(f"{a:%H:%M}–{b:%H:%M}" for a, b in merged)


def opening_hours(templates: list[ShiftTemplate], week_start: date, locale: str | None) -> tuple[DayHours, ...]:
    """A week's opening hours from the site's shift templates, by the shift calendar's rules."""
    out = []
    for day in week_days(week_start):
        shifts = shift_day(templates, day)
        out.append(DayHours(day, weekday_in(day.weekday(), locale),
                            _merge([(t.start_time, t.end_time) for t in shifts.runs]), shifts.holiday, shifts.makeup))
    return tuple(out)


def _duties(session: Session, site: Site, week_start: date, locale: str | None) -> dict[date, list[OnDuty]] | None:
    """Who serves at the site each day of the week in its newest published version; None when
    the week has none."""
    version = latest_published(session, site.district_id, week_start)
    if version is None:
        return None
    rows = session.execute(
        select(Slot, Person).join(Assignment, Assignment.slot_id == Slot.id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.schedule_id == version.id, Slot.site_id == site.id, Slot.cancelled.is_(False))
        .options(selectinload(Person.roles))
        .order_by(Slot.start_at, Assignment.line_index, Person.external_id)).all()
    days: dict[date, list[OnDuty]] = defaultdict(list)
    for slot, person in rows:
        start, end = to_local(slot.start_at, site.timezone), to_local(slot.end_at, site.timezone)
        days[start.date()].append(OnDuty(person.name, roles_in(person.role_names, locale), person.badge_no or "",
                                         f"{start:%H:%M}–{end:%H:%M}"))
    return days


def site_page(session: Session, site_id: int, today: date, locale: str | None = None, *,
              complaint_phone: str = HOTLINE) -> SitePage:
    """One centre, window or station: `NotVisible` for anything else or an inactive one."""
    site = session.scalar(select(Site).where(Site.id == site_id, Site.active, Site.kind.in_(DIRECTORY_KINDS))
                          .options(selectinload(Site.district), selectinload(Site.township)))
    if site is None:
        raise NotVisible(f"no centre or window {site_id}")
    week_start = monday_of(today)
    templates = list(session.scalars(select(ShiftTemplate).where(ShiftTemplate.site_id == site.id)
                                     .options(selectinload(ShiftTemplate.site))
                                     .order_by(ShiftTemplate.weekday, ShiftTemplate.start_time)))
    duties = _duties(session, site, week_start, locale)
    week = tuple(DutyDay(d, weekday_in(d.weekday(), locale), tuple((duties or {}).get(d, ())))
                 for d in week_days(week_start))
    return SitePage(_summary(site, locale), week_start, opening_hours(templates, week_start, locale),
                    tuple((duties or {}).get(today, ())), week, duties is not None,
                    public_numbers(site.district, complaint_phone))

