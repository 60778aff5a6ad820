"""One village's public page (the page behind the poster's QR code): its standing adviser
with the organisation's office phone (never the adviser's own mobile), the next visits of
the newest published versions, the district's 12348 and complaint numbers, and a public
calendar of those visits. Nothing about villagers, no request's topic, no draft.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import Assignment, Pairing, Person, Site, Slot, Township
from scheduler.core.access import NotVisible
from scheduler.core.config import HOTLINE
from scheduler.core.versions import newest_versions
from scheduler.core.weeks import to_local
from scheduler.feeds import ical
from scheduler.home.overview import current_pairing_condition
from scheduler.portal.numbers import PublicNumbers, public_numbers
from scheduler.portal.words import english, roles_in, weekday_in

NEXT_VISITS = 4
SEARCH_LIMIT = 50
CALENDAR_DAYS = 60


@dataclass(frozen=True)
class Adviser:
    name: str
    role: str
    organisation: str
    office_phone: str  # the organisation's phone; empty when it has none


@dataclass(frozen=True)
class VisitLine:
    day: date
    weekday: str
    start: str
    end: str
    people: str
    requested: bool  # booked by a request (its topic is never shown)


@dataclass(frozen=True)
class VillagePage:
    id: int
    external_id: str
    name: str
    township: str
    district_id: int
    district: str
    address: str
    adviser: Adviser | None
    rhythm: str
    visits: tuple[VisitLine, ...]
    numbers: PublicNumbers


@dataclass(frozen=True)
class VillageLink:
    id: int
    external_id: str
    name: str
    township: str


def public_village_url(base: str, external_id: str) -> str:
    """The public page of a village (what its poster's QR code opens), under `base`
    (`scheduler.core.config.public_base_url`)."""
    return f"{base.rstrip('/')}/v/{quote(external_id, safe='')}"


def find_village(session: Session, ref: str) -> Site:
    """An active village by external id (as printed) or by id; `NotVisible` otherwise."""
    query = select(Site).where(Site.active, Site.kind == "village") \
        .options(joinedload(Site.township), joinedload(Site.district))
    village = session.scalar(query.where(Site.external_id == ref))
    if village is None and ref.isdigit() and len(ref) < 12:
        village = session.scalar(query.where(Site.id == int(ref)))
    if village is None:
        raise NotVisible(f"no village {ref!r}")
    return village


def _rhythm(village: Site, locale: str | None) -> str:
    if not village.visit_every_weeks or village.visit_weekday is None or village.visit_start is None:
        return ""
    day = weekday_in(village.visit_weekday, locale)
    if english(locale):
        every = "Every week" if village.visit_every_weeks == 1 else f"Every {village.visit_every_weeks} weeks"
        return f"{every}, {day} {village.visit_start:%H:%M}"
    every = "每周" if village.visit_every_weeks == 1 else f"每 {village.visit_every_weeks} 周"
    return f"{every}{day} {village.visit_start:%H:%M} 定时来村服务"


def _adviser(session: Session, village: Site, today: date, locale: str | None) -> Adviser | None:
    person = session.scalar(
        select(Person).join(Pairing, Pairing.person_id == Person.id)
        .where(Pairing.site_id == village.id, current_pairing_condition(today))
        .options(selectinload(Person.roles), joinedload(Person.organisation)).order_by(Pairing.valid_from.desc()))
    if person is None:
        return None
    org = person.organisation
    return Adviser(person.name, roles_in(person.role_names, locale), org.name if org else "",
                   (org.phone or "") if org else "")


def _visit_rows(session: Session, village: Site, now: datetime, until: datetime | None = None):
    query = select(Slot, Person.name).join(Assignment, Assignment.slot_id == Slot.id) \
        .join(Person, Person.id == Assignment.person_id) \
        .where(Slot.site_id == village.id, Slot.cancelled.is_(False), Slot.end_at > now,
               Assignment.schedule_id.in_(newest_versions(village.district_id)))
    if until is not None:
        query = query.where(Slot.start_at < until)
    by_slot: dict[int, tuple[Slot, list[str]]] = {}
    for slot, name in session.execute(query.order_by(Slot.start_at, Slot.id, Assignment.line_index, Person.name)):
        by_slot.setdefault(slot.id, (slot, []))[1].append(name)
    return list(by_slot.values())


def next_visits(session: Session, village: Site, now: datetime, locale: str | None = None,
                limit: int = NEXT_VISITS) -> tuple[VisitLine, ...]:
    """The coming visits to the village in the newest published version of their week."""
    lines = []
    for slot, names in _visit_rows(session, village, now)[:limit]:
        start, end = to_local(slot.start_at, village.timezone), to_local(slot.end_at, village.timezone)
        lines.append(VisitLine(start.date(), weekday_in(start.weekday(), locale), f"{start:%H:%M}",
                               f"{end:%H:%M}", (", " if english(locale) else "、").join(names),
                               slot.request_id is not None))
    return tuple(lines)


def village_page(session: Session, ref: str, now: datetime, locale: str | None = None, *,
                 complaint_phone: str = HOTLINE) -> VillagePage:
    """Everything the public village page shows; `NotVisible` for an unknown or inactive village."""
    village = find_village(session, ref)
    today = to_local(now, village.timezone).date()
    return VillagePage(village.id, village.external_id, village.name,
                       village.township.name if village.township else "", village.district_id,
                       village.district.name, village.address or "", _adviser(session, village, today, locale),
                       _rhythm(village, locale), next_visits(session, village, now, locale),
                       public_numbers(village.district, complaint_phone))


def village_calendar(session: Session, ref: str, now: datetime) -> bytes:
    """The village's published visits of the coming `CALENDAR_DAYS` as iCalendar, in both
    languages (a calendar has no reader language): time, place and who comes, nothing else."""
    village = find_village(session, ref)
    events = []
    for slot, names in _visit_rows(session, village, now, now + timedelta(days=CALENDAR_DAYS)):
        kind = "预约走访 Requested visit" if slot.request_id is not None else "驻村法律服务 Village visit"
        events.append(ical.EventInfo(
            uid=f"portal-{slot.external_id}@{village.external_id}", start=slot.start_at, end=slot.end_at,
            summary=f"{kind} · {'、'.join(names)}", stamp=slot.updated_at,
            location=f"{village.name}, {village.address}" if village.address else village.name))
    return ical.render(ical.CalendarInfo(f"{village.name} 法律服务 Legal services", zone=village.timezone), events)


def search_villages(session: Session, district_id: int | None, text: str = "",
                    limit: int = SEARCH_LIMIT) -> list[VillageLink]:
    """Active villages of a district (or of any when a search text is given), by township and
    name, at most `limit`; nothing without a district or a text."""
    text = (text or "").strip()[:32]
    if district_id is None and not text:
        return []
    query = select(Site.id, Site.external_id, Site.name, func.coalesce(Township.name, "")) \
        .outerjoin(Township, Township.id == Site.township_id).where(Site.active, Site.kind == "village")
    if district_id is not None:
        query = query.where(Site.district_id == district_id)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Site.name.like(pattern, escape="\\"), Township.name.like(pattern, escape="\\")))
    rows = session.execute(query.order_by(Township.name, Site.name, Site.id).limit(limit))
    return [VillageLink(*row) for row in rows]
