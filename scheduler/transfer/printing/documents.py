"""What the printed notices say (公开承诺制): a township window's roster for the week, and a
village's bulletin-board poster with its standing adviser and next visits. Both read only
published versions."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, Pairing, Person, Site, Slot, User
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_district, require_role, require_visible
from scheduler.core.config import HOTLINE
from scheduler.core.versions import latest_published, newest_versions
from scheduler.core.weeks import to_local, week_days
from scheduler.core.zh_names import ROLE_ZH, SITE_KIND_ZH, WEEKDAY_ZH, roles_zh
from scheduler.home.overview import current_pairing_condition
from scheduler.people.operations import mask_phone
from scheduler.portal.village import public_village_url
from scheduler.transfer.exports.week import NothingPublished
from scheduler.transfer.printing.qr import qr_data_uri

NEXT_VISITS = 4
# The complaint and supervision number printed on notices is the settings' complaint_phone
# (SCHEDULER_COMPLAINT_PHONE); 12348, the hotline, takes complaints too.


@dataclass(frozen=True)
class Duty:
    name: str
    role: str
    organisation: str
    office_phone: str


@dataclass(frozen=True)
class Shift:
    day: date
    weekday: str
    start: str
    end: str
    duties: tuple[Duty, ...]
    open: int


@dataclass(frozen=True)
class Roster:
    site: Site
    township: str
    week_start: date
    week_end: date
    version: int
    published_at: datetime
    shifts: tuple[Shift, ...]
    hotline: str
    complaint: str
    template = "roster.html"


@dataclass(frozen=True)
class Visit:
    day: date
    weekday: str
    start: str
    end: str
    people: str


@dataclass(frozen=True)
class Poster:
    village: Site
    township: str
    adviser: Person | None
    adviser_role: str
    organisation: str
    office_phone: str
    phone: str
    rhythm: str
    visits: tuple[Visit, ...]
    hotline: str
    complaint: str
    feed_url: str | None  # the calendar link, printed as text
    page_url: str | None  # the village's public page: what the QR code opens
    qr: str | None
    printed_on: date
    template = "poster.html"


def _subject(session: Session, actor: User | None, site_id: int, kinds: tuple[str, ...]) -> Site:
    site = session.scalar(select(Site).where(Site.id == site_id).options(selectinload(Site.township)))
    if actor is not None:
        require_role(actor, "coordinator")
        require_visible(actor, site.district_id if site else None)
    if site is None or site.kind not in kinds:
        raise NotVisible(f"no {' or '.join(kinds)} with id {site_id}")
    return site


def window_roster(session: Session, actor: User | None, site_id: int, week_start: date, *,
                  complaint_phone: str = HOTLINE) -> Roster:
    """Who serves at a window (or centre, station) in the published week, shift by shift."""
    site = _subject(session, actor, site_id, ("window", "centre", "station"))
    version = latest_published(session, site.district_id, week_start)
    if version is None:
        raise NothingPublished(f"{site.name}: the week of {week_start} has no published version")
    slots = session.scalars(select(Slot).where(Slot.site_id == site.id, Slot.week_start == week_start,
                                               Slot.cancelled.is_(False))
                            .options(selectinload(Slot.lines)).order_by(Slot.start_at)).all()
    staff: dict[int, list[Person]] = defaultdict(list)
    for slot_id, person in session.execute(
            select(Assignment.slot_id, Person).join(Person, Person.id == Assignment.person_id)
            .where(Assignment.schedule_id == version.id, Assignment.slot_id.in_([s.id for s in slots]))
            .options(selectinload(Person.roles), selectinload(Person.organisation))
            .order_by(Assignment.line_index, Person.external_id)):
        staff[slot_id].append(person)
    shifts = []
    for slot in slots:
        start, end = to_local(slot.start_at, site.timezone), to_local(slot.end_at, site.timezone)
        people = staff.get(slot.id, [])
        duties = tuple(Duty(p.name, roles_zh(p.role_names), p.organisation.name if p.organisation else "",
                            (p.organisation.phone or "") if p.organisation else "") for p in people)
        shifts.append(Shift(start.date(), WEEKDAY_ZH[start.weekday()], f"{start:%H:%M}", f"{end:%H:%M}", duties,
                            max(sum(ln.count for ln in slot.lines) - len(people), 0)))
    return Roster(site, site.township.name if site.township else "", week_start, week_days(week_start)[-1],
                  version.version, to_local(version.published_at, site.timezone), tuple(shifts), HOTLINE,
                  complaint_phone)


def village_poster(session: Session, actor: User | None, site_id: int, *, feed_url: str | None = None,
                   full_phones: bool = False, now: datetime, complaint_phone: str = HOTLINE,
                   base_url: str | None = None) -> Poster:
    """A village's bulletin-board poster. With `base_url` (the public address), its QR code
    opens the village's public page (`scheduler.portal.village.public_village_url`); a
    `feed_url`, when given, is printed as text under it. A full mobile number is printed only
    with `full_phones`, which is audited."""
    village = _subject(session, actor, site_id, ("village",))
    today = to_local(now, village.timezone).date()
    adviser = session.scalar(
        select(Person).join(Pairing, Pairing.person_id == Person.id)
        .where(Pairing.site_id == village.id, current_pairing_condition(today))
        .options(selectinload(Person.roles), selectinload(Person.organisation)).order_by(Pairing.valid_from.desc()))
    org = adviser.organisation if adviser else None
    page_url = public_village_url(base_url, village.external_id) if base_url else None
    if full_phones and adviser is not None:
        audit.record(session, actor, "print.full_phones", "village", village.external_id, village.district_id)
    phone = "" if adviser is None else (adviser.phone or "") if full_phones else mask_phone(adviser.phone)
    return Poster(
        village=village, township=village.township.name if village.township else "", adviser=adviser,
        adviser_role=roles_zh([r for r in adviser.role_names if r in ROLE_ZH]) if adviser else "",
        organisation=org.name if org else "", office_phone=(org.phone or "") if org else "", phone=phone,
        rhythm=_rhythm(village), visits=_next_visits(session, village, now), hotline=HOTLINE,
        complaint=complaint_phone, feed_url=feed_url, page_url=page_url, qr=qr_data_uri(page_url) if page_url else None,
        printed_on=today)


def _rhythm(village: Site) -> str:
    if not village.visit_every_weeks or village.visit_weekday is None or village.visit_start is None:
        return ""
    every = "每周" if village.visit_every_weeks == 1 else f"每 {village.visit_every_weeks} 周"
    text = f"{every}{WEEKDAY_ZH[village.visit_weekday]} {village.visit_start:%H:%M}"
    if village.visit_minutes:
        end = (datetime.combine(date.min, village.visit_start) + timedelta(minutes=village.visit_minutes)).time()
        text += f"–{end:%H:%M}"
    return text + " 定时来村服务"


def _next_visits(session: Session, village: Site, now: datetime) -> tuple[Visit, ...]:
    rows = session.execute(
        select(Slot, Person).join(Assignment, Assignment.slot_id == Slot.id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Slot.site_id == village.id, Slot.cancelled.is_(False), Slot.end_at > now,
               Assignment.schedule_id.in_(newest_versions(village.district_id)))
        .order_by(Slot.start_at, Person.external_id)).all()
    by_slot: dict[int, tuple[Slot, list[str]]] = {}
    for slot, person in rows:
        by_slot.setdefault(slot.id, (slot, []))[1].append(person.name)
    visits = []
    for slot, names in list(by_slot.values())[:NEXT_VISITS]:
        start, end = to_local(slot.start_at, village.timezone), to_local(slot.end_at, village.timezone)
        visits.append(Visit(start.date(), WEEKDAY_ZH[start.weekday()], f"{start:%H:%M}", f"{end:%H:%M}",
                            "、".join(names)))
    return tuple(visits)


def site_kind_zh(kind: str) -> str:
    return SITE_KIND_ZH.get(kind, kind)


def district_rosters(session: Session, actor: User | None, district_id: int, week_start: date, *,
                     complaint_phone: str = HOTLINE) -> list[Roster]:
    """A roster for every window, centre and station of the district staffed in the week."""
    if actor is not None:
        require_role(actor, "coordinator")
        require_district(actor, district_id)
    if latest_published(session, district_id, week_start) is None:
        raise NothingPublished(f"the week of {week_start} has no published version")
    site_ids = session.scalars(
        select(Site.id).where(Site.district_id == district_id, Site.kind.in_(("window", "centre", "station")),
                              Site.id.in_(select(Slot.site_id).where(Slot.week_start == week_start,
                                                                     Slot.district_id == district_id)))
        .order_by(Site.external_id)).all()
    return [window_roster(session, actor, site_id, week_start, complaint_phone=complaint_phone)
            for site_id in site_ids]


def district_posters(session: Session, actor: User | None, district_id: int, *,
                     now: datetime, complaint_phone: str = HOTLINE, base_url: str | None = None) -> list[Poster]:
    """A poster for every active village of the district, each QR code opening the village's
    public page (with `base_url`); calendar links are issued one village at a time, on purpose."""
    if actor is not None:
        require_role(actor, "coordinator")
        require_district(actor, district_id)
    site_ids = session.scalars(select(Site.id).where(Site.district_id == district_id, Site.kind == "village",
                                                     Site.active).order_by(Site.external_id)).all()
    return [village_poster(session, actor, site_id, now=now, complaint_phone=complaint_phone, base_url=base_url)
            for site_id in site_ids]
