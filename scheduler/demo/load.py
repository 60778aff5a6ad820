"""Loading a demo world into the database, fast: one multi-row INSERT per table and batch.

`load_world` works inside the caller's session and never commits (the caller owns the unit
of work, as everywhere in `scheduler`). It refuses to load over existing demo data rather
than merging into it: a second run would otherwise double nothing but clash on ids halfway.
"""
from __future__ import annotations

import json
import secrets
import zlib
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import JSON, insert, or_, select
from sqlalchemy.orm import Session

from models import (
    AvailabilityException,
    AvailabilityRule,
    District,
    EventLine,
    Organisation,
    Pairing,
    Person,
    PersonRole,
    PersonSkill,
    RequestWindow,
    ShiftTemplate,
    ShiftTemplateLine,
    Site,
    SquareEvent,
    Township,
    User,
    VisitRequest,
)
from scheduler.auth.accounts import check_password_rules, hash_password
from scheduler.core.weeks import to_utc
from scheduler.demo.model import WEEKDAYS, DemandLine, World, week_number

ZONE = "Asia/Shanghai"
EXCEPTION_SOURCE = "import"


class DemoDataExists(RuntimeError):
    """The database already holds (part of) this demo world."""


def office_phone(external_id: str) -> str:
    """An organisation's office landline (Ningbo, 0574-8xxxxxxx), fixed by its id: the public
    pages show it for the staff, whose own mobiles they never show."""
    return f"0574-8{zlib.crc32(external_id.encode()) % 10**7:07d}"


def coordinator_username(prefix: str) -> str:
    return f"coord-{prefix.lower()}"


def load_world(session: Session, world: World, coordinator_password: str | None = None, *,
               now: datetime) -> dict[str, int]:
    """Insert every part of `world` (rows created `now`); returns the number of rows per
    table. One coordinator account per district owns the district's visit requests (首问负责制);
    without a password the accounts exist but cannot sign in until one is set."""
    _refuse_if_present(session, world)
    if coordinator_password is not None:
        for d in world.districts:
            check_password_rules(coordinator_password, coordinator_username(d.prefix))
    w = _Writer(session, now)
    put = w.put
    district_id = w.keyed(District, "code", District.code.in_([d.code for d in world.districts]), [
        {"code": d.code, "name": d.name, "timezone": ZONE} for d in world.districts])
    ours = list(district_id.values())
    township_id = w.keyed(Township, "code", Township.district_id.in_(ours), [
        {"district_id": district_id[t.district], "code": t.code, "name": t.name, "lat": t.lat,
         "lon": t.lon} for t in world.townships])
    org_id = w.keyed(Organisation, "external_id", Organisation.district_id.in_(ours), [
        {"external_id": o.external_id, "district_id": district_id[o.district], "kind": o.kind,
         "name": o.name, "phone": office_phone(o.external_id)} for o in world.organisations])
    site_id = w.keyed(Site, "external_id", Site.district_id.in_(ours), [
        _site_row(s, district_id, township_id, world.week_start) for s in world.sites])
    people = world.people
    person_id = w.keyed(Person, "external_id", Person.district_id.in_(ours), [
        {"external_id": p.external_id, "district_id": district_id[p.district],
         "organisation_id": org_id[p.organisation], "name": p.name, "phone": p.phone,
         "email": p.email, "lat": p.lat, "lon": p.lon, "max_hours_week": p.max_hours_week,
         "target_hours_week": p.target_hours_week, "max_slots_per_day": p.max_slots_per_day,
         "max_paired_sites": p.max_paired_sites, "active": p.active, "badge_no": f"NB-{p.external_id}"}
        for p in people])
    put(PersonRole, [{"person_id": person_id[p.external_id], "role": r} for p in people for r in p.roles])
    put(PersonSkill, [{"person_id": person_id[p.external_id], "skill": s} for p in people for s in p.skills])
    _availability(put, people, person_id)

    since = date(world.week_start.year, 1, 1)
    put(Pairing, [{"site_id": site_id[pr.site], "person_id": person_id[pr.person], "valid_from": since,
                   "note": "示范数据 demo"} for pr in world.pairings])
    _templates(put, world, site_id)
    _events(put, world, site_id)
    owner = _coordinators(put, world, district_id, coordinator_password)
    _requests(put, world, site_id, district_id, owner)
    return w.counts


class _Writer:
    """Bulk inserts: PostgreSQL's COPY where it can (ten times the speed of multi-row
    INSERTs for the big tables), else one executemany per table; ids come back by natural
    key, or by RETURNING in insertion order for the few tables without one."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.copy = session.get_bind().dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self.stamp = now

    def put(self, model: Any, rows: list[dict], ordered: bool = False) -> list[int]:
        table = model.__table__
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not rows:
            return []
        if "created_at" in table.c and "created_at" not in rows[0]:
            for row in rows:  # one timestamp for the whole load, not a call per row
                row["created_at"] = row["updated_at"] = self.stamp
        missing = {c.name: c.default for c in table.c if c.name not in rows[0] and c.default is not None}
        if missing:  # COPY knows nothing of the models' Python-side defaults
            values = {name: d.arg if d.is_scalar else d.arg(None) for name, d in missing.items()}
            for row in rows:
                row.update(values)
        if ordered:
            pk = table.c.id
            return list(self.session.scalars(insert(table).returning(pk, sort_by_parameter_order=True), rows))
        if self.copy:
            self._copy(table, rows)
        else:
            self.session.execute(insert(table), rows)
        return []

    def keyed(self, model: Any, key: str, scope: Any, rows: list[dict]) -> dict[str, int]:
        self.put(model, rows)
        column = model.__table__.c[key]
        return dict(self.session.execute(select(column, model.__table__.c.id).where(scope)).all())

    def _copy(self, table: Any, rows: list[dict]) -> None:
        self.session.flush()
        columns = list(rows[0])
        as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
        quote = self.session.get_bind().dialect.identifier_preparer.quote
        raw = self.session.connection().connection.driver_connection
        sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c], ensure_ascii=False) if c in as_json else row[c]
                                for c in columns])


def _refuse_if_present(session: Session, world: World) -> None:
    codes = [d.code for d in world.districts]
    names = [d.name for d in world.districts]
    found = session.scalars(select(District).where(or_(District.code.in_(codes), District.name.in_(names)))).all()
    if found:
        listed = ", ".join(f"{d.name} ({d.code})" for d in found)
        raise DemoDataExists(
            f"The database already has {listed}: demo data is loaded once, into a database "
            "without these districts. Use a fresh database (DATABASE_URL) or drop it first.")
    prefixes = [f"{d.prefix}-%" for d in world.districts]
    for model, what in ((Person, "people"), (Site, "sites"), (Organisation, "organisations")):
        clash = session.scalar(select(model.external_id).where(
            or_(*(model.external_id.like(p) for p in prefixes))).limit(1))
        if clash is not None:
            raise DemoDataExists(f"The database already has {what} with demo ids (e.g. {clash}); "
                                 "load the demo into a fresh database.")
    users = [coordinator_username(d.prefix) for d in world.districts]
    taken = session.scalar(select(User.username).where(User.username.in_(users)).limit(1))
    if taken is not None:
        raise DemoDataExists(f"The user {taken!r} already exists; load the demo into a fresh database.")


def _site_row(s, district_id, township_id, week_start: date) -> dict:
    row = {"external_id": s.external_id, "district_id": district_id[s.district],
           "township_id": township_id.get(s.township), "kind": s.kind, "name": s.name,
           "lat": s.lat, "lon": s.lon, "timezone": ZONE, "needs": list(s.needs),
           # every row carries every key: one executemany needs one shape
           "visit_every_weeks": None, "visit_weekday": None, "visit_start": None,
           "visit_minutes": None, "visit_anchor": None}
    r = s.rhythm
    if r is not None:
        # An anchor week with the rhythm's phase: due weeks are whole periods from it.
        back = (week_number(week_start) - r.phase) % r.every_weeks
        row.update(visit_every_weeks=r.every_weeks, visit_weekday=r.weekday, visit_start=r.start,
                   visit_minutes=r.duration_minutes,
                   visit_anchor=week_start - timedelta(weeks=back))
    return row


def _availability(put, people, person_id) -> None:
    rules = []
    for p in people:
        pid = person_id[p.external_id]
        for kind, items in (("available", p.available), ("undesired", p.undesired)):
            rules += [{"person_id": pid, "kind": kind, "weekday": r.weekday, "start_time": r.start,
                       "end_time": r.end} for r in items]
    put(AvailabilityRule, rules)
    put(AvailabilityException, [
        {"person_id": person_id[p.external_id], "kind": e.kind, "start_at": to_utc(e.day, e.start, ZONE),
         "end_at": to_utc(e.day + timedelta(days=1), time(0), ZONE) if e.end is None
         else to_utc(e.day, e.end, ZONE), "source": EXCEPTION_SOURCE, "note": e.note}
        for p in people for e in p.exceptions])


def _lines(owner_key: str, owner_id: int, demand: tuple[DemandLine, ...]) -> list[dict]:
    return [{owner_key: owner_id, "idx": i, "roles": list(ln.roles), "count": ln.count,
             "skills": list(ln.skills)} for i, ln in enumerate(demand)]


def _templates(put, world: World, site_id) -> None:
    ts = world.shift_templates
    ids = put(ShiftTemplate, [
        {"site_id": site_id[t.site], "name": f"{WEEKDAYS[t.weekday]}{'上午' if t.start < time(12) else '下午'}",
         "weekday": t.weekday, "start_time": t.start, "end_time": t.end, "priority": t.priority,
         "active": True} for t in ts], ordered=True)
    put(ShiftTemplateLine, [row for t, i in zip(ts, ids) for row in _lines("template_id", i, t.demand)])


def _events(put, world: World, site_id) -> None:
    es = world.events
    ids = put(SquareEvent, [
        {"site_id": site_id[e.site], "title": e.title, "start_at": to_utc(e.day, e.start, ZONE),
         "end_at": to_utc(e.day, e.end, ZONE), "priority": e.priority, "status": "planned"} for e in es],
        ordered=True)
    put(EventLine, [row for e, i in zip(es, ids) for row in _lines("event_id", i, e.demand)])


def _coordinators(put, world: World, district_id, password: str | None) -> dict[str, int]:
    # One hash for all: scrypt is deliberately slow, and these are demo accounts.
    hashed = hash_password(password if password is not None else secrets.token_urlsafe(32))
    ds = world.districts
    ids = put(User, [{"username": coordinator_username(d.prefix), "password_hash": hashed,
                      "role": "coordinator", "display_name": f"{d.name}协调员",
                      "district_id": district_id[d.code], "city_wide": False,
                      "locale": "zh_Hans_CN", "active": True} for d in ds], ordered=True)
    return {d.code: i for d, i in zip(ds, ids)}


def _requests(put, world: World, site_id, district_id, owner) -> None:
    district_of = {s.external_id: s.district for s in world.sites}
    rs = world.requests
    ids = put(VisitRequest, [
        {"village_id": site_id[r.site], "district_id": district_id[district_of[r.site]],
         "topic": r.topic, "kind": r.kind, "people_count": r.people_count, "urgency": r.urgency,
         "channel": r.channel, "status": "received", "owner_id": owner[district_of[r.site]],
         "created_by_id": owner[district_of[r.site]],
         "created_at": to_utc(r.received, time(9), ZONE), "updated_at": to_utc(r.received, time(9), ZONE)}
        for r in rs], ordered=True)
    put(RequestWindow, [{"request_id": i, "rank": k, "start_at": to_utc(w.day, w.start, ZONE),
                         "end_at": to_utc(w.day, w.end, ZONE)}
                        for r, i in zip(rs, ids) for k, w in enumerate(r.windows)])
