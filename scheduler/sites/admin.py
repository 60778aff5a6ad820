"""Keeping sites current: create and edit a site (contact details, coordinates, needs, the
active flag and a village's visit rhythm) and its conflicts of interest (people never
assigned there). Every function takes the acting user and keeps to their districts; every
problem with the input is reported at once (`checking.Refused`); changes are audited. The
caller commits."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import District, Pairing, Person, Site, SiteExclusion, Township, User
from models.vocab import SITE_KINDS
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_district, require_role
from scheduler.core.checking import PHONE_PATTERN, Problems, changes, check_skills, check_text, plain
from scheduler.core.weeks import monday_of
from scheduler.home.overview import current_pairing_condition
from scheduler.sites.search import get_site
from scheduler.skills import vocabulary as skill_vocabulary

RHYTHM = ("visit_every_weeks", "visit_weekday", "visit_start", "visit_minutes")
EVERY_WEEKS = (1, 52)
VISIT_MINUTES = (15, 720)
REASON_MAX = 256
DAY = timedelta(days=1)


@dataclass(frozen=True)
class SiteInput:
    """What a coordinator may change on a site (the kind and district are fixed at creation)."""

    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    phone: str | None = None
    township_id: int | None = None
    needs: tuple[str, ...] = ()
    active: bool = True
    visit_every_weeks: int | None = None
    visit_anchor: date | None = None
    visit_weekday: int | None = None
    visit_start: time | None = None
    visit_minutes: int | None = None


@dataclass(frozen=True)
class ExclusionSaved:
    exclusion: SiteExclusion
    person: Person
    created: bool
    # The person is the village's standing adviser right now: the pairing needs a new adviser.
    current_adviser: bool


def townships_of(session: Session, district_id: int) -> list[Township]:
    return list(session.scalars(select(Township).where(Township.district_id == district_id).order_by(Township.name)))


def check_new_site(session: Session, district_id: int, kind: str | None, external_id: str | None,
                   data: SiteInput) -> Problems:
    out = Problems()
    key = (external_id or "").strip()
    check_text(out, "external_id", key, 64, required=True)
    if key and any(ch.isspace() for ch in key):
        out.add("external_id", "id_spaces")
    elif key and session.scalar(select(Site.id).where(Site.external_id == key)) is not None:
        out.add("external_id", "id_taken", value=key)
    if kind not in SITE_KINDS:
        out.add("kind", "required")
    out.extend(check_site(session, district_id, kind, data))
    return out


def create_site(session: Session, user: User, district_id: int, kind: str | None, external_id: str | None,
                data: SiteInput, today: date) -> Site:
    require_role(user, "coordinator")
    require_district(user, district_id)
    district = session.get(District, district_id)
    if district is None:
        raise NotVisible("No such district.")
    check_new_site(session, district_id, kind, external_id, data).raise_any()
    site = Site(external_id=(external_id or "").strip(), district_id=district_id, kind=kind,
                timezone=district.timezone)
    _apply(site, _coded(session, data), None, today)
    session.add(site)
    session.flush()
    audit.record(session, user, "site.create", "site", site.external_id, district_id,
                 **{"kind": kind, **plain(_snapshot(site))})
    return site


def update_site(session: Session, user: User, site_id: int, data: SiteInput, today: date) -> Site:
    site = get_site(session, user, site_id)
    check_site(session, site.district_id, site.kind, data).raise_any()
    before = _snapshot(site)
    _apply(site, _coded(session, data), site.visit_anchor, today)
    changed = changes(before, _snapshot(site))
    if changed:
        session.flush()
        audit.record(session, user, "site.update", "site", site.external_id, site.district_id, **changed)
    return site


def check_site(session: Session, district_id: int, kind: str | None, data: SiteInput) -> Problems:
    """Every problem with a site's values, for a site of `kind` in `district_id`."""
    out = Problems()
    check_text(out, "name", data.name, 128, required=True)
    check_text(out, "address", data.address, 256, required=False)
    if data.phone and data.phone.strip() and not PHONE_PATTERN.match(data.phone.strip()):
        out.add("phone", "bad_phone")
    for name, value, low, high in (("lat", data.lat, -90, 90), ("lon", data.lon, -180, 180)):
        if value is None:
            out.add(name, "required")
        elif not low <= value <= high:
            out.add(name, "out_of_range", min=low, max=high)
    check_skills(out, "needs", data.needs, skill_vocabulary.load(session))
    if data.township_id is not None:
        owner = session.scalar(select(Township.district_id).where(Township.id == data.township_id))
        if owner != district_id:
            out.add("township", "foreign_township")
    _check_rhythm(out, kind, data)
    return out


def _check_rhythm(out: Problems, kind: str | None, data: SiteInput) -> None:
    given = [k for k in RHYTHM if getattr(data, k) is not None]
    if not given and data.visit_anchor is None:
        return
    if kind != "village":
        out.add("visit_every_weeks", "rhythm_only_villages")
        return
    for k in RHYTHM:
        if k not in given:
            out.add(k, "rhythm_incomplete")
    every, minutes = data.visit_every_weeks, data.visit_minutes
    if every is not None and not EVERY_WEEKS[0] <= every <= EVERY_WEEKS[1]:
        out.add("visit_every_weeks", "out_of_range", min=EVERY_WEEKS[0], max=EVERY_WEEKS[1])
    if data.visit_weekday is not None and not 0 <= data.visit_weekday <= 6:
        out.add("visit_weekday", "required")
    if minutes is not None and not VISIT_MINUTES[0] <= minutes <= VISIT_MINUTES[1]:
        out.add("visit_minutes", "out_of_range", min=VISIT_MINUTES[0], max=VISIT_MINUTES[1])
    elif minutes is not None and data.visit_start is not None:
        start = datetime.combine(date.min, data.visit_start)
        if start + timedelta(minutes=minutes) > datetime.combine(date.min, time()) + DAY:
            out.add("visit_minutes", "visit_past_midnight")


def _coded(session: Session, data: SiteInput) -> SiteInput:
    """The needs as skill codes (they were checked: each names a skill)."""
    return replace(data, needs=tuple(skill_vocabulary.load(session).read(data.needs)[0]))


def _apply(site: Site, data: SiteInput, old_anchor: date | None, today: date) -> None:
    site.name = (data.name or "").strip()
    site.lat, site.lon = data.lat, data.lon  # type: ignore[assignment]
    site.address = (data.address or "").strip() or None
    site.phone = (data.phone or "").strip() or None
    site.township_id = data.township_id
    site.needs = sorted(set(data.needs))
    site.active = data.active
    for k in RHYTHM:
        setattr(site, k, getattr(data, k))
    if data.visit_every_weeks is None:
        site.visit_anchor = None
    else:
        # The rhythm counts whole weeks, so the anchor is kept as its week's Monday.
        site.visit_anchor = monday_of(data.visit_anchor or old_anchor or today)


def _snapshot(site: Site) -> dict[str, object]:
    fields = ("name", "lat", "lon", "address", "phone", "township_id", "needs", "active", "visit_anchor", *RHYTHM)
    return {f: (sorted(getattr(site, f) or []) if f == "needs" else getattr(site, f)) for f in fields}


def exclusions(session: Session, site: Site) -> list[tuple[SiteExclusion, Person]]:
    """The site's conflicts of interest with their people, by name."""
    return [tuple(row) for row in session.execute(  # type: ignore[misc]
        select(SiteExclusion, Person).join(Person, Person.id == SiteExclusion.person_id)
        .where(SiteExclusion.site_id == site.id).order_by(Person.name, Person.id))]


def _find_person(session: Session, out: Problems, district_id: int, ref: str | None) -> Person | None:
    """A person of the district by external id, or by name when only one person has it."""
    text = (ref or "").strip()
    if not text:
        out.add("person", "required")
        return None
    found = list(session.scalars(
        select(Person).where(Person.district_id == district_id,
                             or_(func.lower(Person.external_id) == text.lower(), Person.name == text))
        .order_by(Person.external_id).limit(6)))
    exact = [p for p in found if p.external_id.lower() == text.lower()]
    if exact:
        return exact[0]
    if not found:
        out.add("person", "person_not_found", value=text)
        return None
    if len(found) > 1:
        out.add("person", "person_ambiguous", value=text, ids=", ".join(p.external_id for p in found[:5]))
        return None
    return found[0]


def set_exclusion(session: Session, user: User, site_id: int, person_ref: str | None, reason: str | None,
                  today: date) -> ExclusionSaved:
    """Record (or reword) that a person of the site's district is never assigned there."""
    site = get_site(session, user, site_id)
    out = Problems()
    person = _find_person(session, out, site.district_id, person_ref)
    check_text(out, "reason", reason, REASON_MAX, required=True)
    out.raise_any()
    assert person is not None
    text = (reason or "").strip()
    row = session.get(SiteExclusion, (person.id, site.id))
    created = row is None
    if row is None:
        row = SiteExclusion(person_id=person.id, site_id=site.id, reason=text)
        session.add(row)
    elif row.reason == text:
        return ExclusionSaved(row, person, False, _is_adviser(session, site, person, today))
    else:
        row.reason = text
    session.flush()
    audit.record(session, user, "exclusion.set", "site", site.external_id, site.district_id,
                 person=person.external_id, reason=text, created=created)
    return ExclusionSaved(row, person, created, _is_adviser(session, site, person, today))


def remove_exclusion(session: Session, user: User, site_id: int, person_id: int) -> Person:
    site = get_site(session, user, site_id)
    row = session.get(SiteExclusion, (person_id, site.id))
    if row is None:
        raise NotVisible("No such conflict of interest.")
    person = session.get(Person, person_id)
    assert person is not None
    session.delete(row)
    session.flush()
    audit.record(session, user, "exclusion.remove", "site", site.external_id, site.district_id,
                 person=person.external_id, reason=row.reason)
    return person


def _is_adviser(session: Session, site: Site, person: Person, today: date) -> bool:
    return session.scalar(select(Pairing.id).where(
        Pairing.site_id == site.id, Pairing.person_id == person.id, current_pairing_condition(today))) is not None


def site_input_of(site: Site) -> SiteInput:
    """The site's current values, e.g. to fill a form."""
    values = {k: getattr(site, k) for k in asdict(SiteInput()) if k != "needs"}
    return SiteInput(**values, needs=tuple(site.needs or ()))  # type: ignore[arg-type]
