"""Reminders the day before (预约服务制): everyone published for tomorrow, and the villages
expecting a visit tomorrow, get a reminder in the outbox. Run it once a day (cron:
`scheduler remind`); running it again the same day adds nothing, since each reminder's
dedupe key names the slot and the recipient."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, District, Person, Slot, VisitRequest
from scheduler.core.versions import newest_versions
from scheduler.core.weeks import to_local, to_utc
from scheduler.notices.publish import tell
from scheduler.notices.routing import person_reach, village_reach
from scheduler.notices.text import REQUEST_KIND_EN, REQUEST_KIND_ZH, compose, people_words, short_when, slot_line, when


@dataclass
class RemindReport:
    queued: int = 0
    already: int = 0
    unreachable: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    switched_off: int = 0  # people and villages who asked for no reminders
    by_channel: Counter = field(default_factory=Counter)
    dry_run: bool = False


def _tomorrow(district: District, now: datetime) -> tuple[datetime, datetime, str]:
    day = to_local(now, district.timezone).date() + timedelta(days=1)
    return to_utc(day, time(), district.timezone), to_utc(day + timedelta(days=1), time(), district.timezone), \
        day.isoformat()


def _topic(request: VisitRequest | None) -> tuple[list[str], list[str]]:
    if request is None:
        return [], []
    return ([f"事项：{request.topic}（{REQUEST_KIND_ZH.get(request.kind, request.kind)}，约{request.people_count}人）"],
            [f"Subject: {request.topic} ({REQUEST_KIND_EN.get(request.kind, request.kind)}, "
             f"about {request.people_count} people)"])


def remind(session: Session, now: datetime) -> RemindReport:
    report = RemindReport()
    for district in session.scalars(select(District).order_by(District.id)):
        begin, end, day = _tomorrow(district, now)
        rows = session.execute(
            select(Slot, Assignment.person_id).join(Assignment, Assignment.slot_id == Slot.id)
            .where(Slot.district_id == district.id, Slot.start_at >= begin, Slot.start_at < end,
                   Slot.cancelled.is_(False), Assignment.schedule_id.in_(newest_versions(district.id)))
            .options(selectinload(Slot.site))).all()
        if not rows:
            continue
        report.days.append(f"{district.name} {day}")
        staff: dict[int, list[int]] = defaultdict(list)
        slots = {}
        for slot, person_id in rows:
            staff[slot.id].append(person_id)
            slots[slot.id] = slot
        people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({p for _, p in rows}))
                                                   .options(selectinload(Person.roles)))}
        requests = {r.id: r for r in session.scalars(select(VisitRequest).where(
            VisitRequest.id.in_({s.request_id for s in slots.values() if s.request_id})))}
        for slot_id, person_ids in sorted(staff.items(), key=lambda kv: slots[kv[0]].start_at):
            slot = slots[slot_id]
            team = sorted((people[p] for p in person_ids), key=lambda p: p.external_id)
            _remind_people(session, slot, team, requests.get(slot.request_id), now, report)
            if slot.site.kind == "village" and slot.kind == "visit":
                _remind_village(session, slot, team, requests.get(slot.request_id), now, report)
    return report


def _remind(session, report: RemindReport, reach, slot: Slot, now, **message) -> None:
    if not reach.reminders:
        report.switched_off += 1
    elif reach.routes and not tell(session, report, reach, kind="reminder", now=now,
                                   district_id=slot.district_id, visit_start=slot.start_at, **message):
        report.already += 1
    elif not reach.routes:
        report.unreachable.append(reach.name)


def _remind_people(session, slot: Slot, team: list[Person], request, now, report: RemindReport) -> None:
    (lz, le), (sz, se) = slot_line(slot), short_when(slot)
    tz, te = _topic(request)
    for person in team:
        others = [p for p in team if p.id != person.id]
        oz, oe = people_words(others)
        body = compose((f"{person.name}您好", person.name),
                       [f"提醒：您明天的安排是 {lz}。", *tz, *([f"同去：{oz}"] if others else [])],
                       [f"A reminder of tomorrow: {le}.", *te, *([f"With: {oe}"] if others else [])])
        _remind(session, report, person_reach(person), slot, now, body=body,
                subject=f"【明日提醒】{sz} {slot.site.name} / Reminder: {se}, {slot.site.name}",
                dedupe_key=f"reminder:slot:{slot.id}:person:{person.id}",
                params={"name": person.name, "site": slot.site.name, "when": sz})


def _remind_village(session, slot: Slot, team: list[Person], request, now, report: RemindReport) -> None:
    (wz, we), (pz, pe), (sz, se) = when(slot), people_words(team), short_when(slot)
    tz, te = _topic(request)
    for reach in village_reach(session, slot.site):
        body = compose((f"{slot.site.name}{reach.who}您好", reach.who or slot.site.name),
                       [f"提醒：明天{wz}，{pz}将到村开展法律服务。", *tz],
                       [f"A reminder: tomorrow, {we}, {pe} will come to {slot.site.name}.", *te])
        _remind(session, report, reach, slot, now, body=body,
                subject=f"【明日走访提醒】{slot.site.name} {sz} / Visit tomorrow: {slot.site.name}, {se}",
                dedupe_key=f"reminder:slot:{slot.id}:{reach.audience}",
                params={"village": slot.site.name, "when": sz, "people": pz})
