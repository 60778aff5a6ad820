"""Telling people that a square event they were published for is cancelled (预约服务制:
whoever is expected is told in advance). The next publish does not announce places of
cancelled slots again (`scheduler.notices.publish`), so the notice goes out at cancellation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Assignment, Person, Slot, SquareEvent
from scheduler.core.versions import latest_published
from scheduler.notices.publish import NoticeReport, tell
from scheduler.notices.routing import person_reach
from scheduler.notices.text import compose, short_when, slot_line


def notices_for_event_cancellation(session: Session, event: SquareEvent, slots: list[Slot], now: datetime) -> tuple[int, list[str]]:
    """Queue one notice per person published for each slot still ahead; returns the number
    queued and the external ids of people without an e-mail address."""
    queued, unreachable, report = 0, [], NoticeReport()
    for slot in slots:
        if slot.start_at <= now:
            continue
        version = latest_published(session, slot.district_id, slot.week_start)
        if version is None:
            continue
        people = session.scalars(select(Person).join(Assignment, Assignment.person_id == Person.id).where(
            Assignment.schedule_id == version.id, Assignment.slot_id == slot.id).order_by(Person.id)).all()
        lz, le = slot_line(slot)
        sz, se = short_when(slot)
        for person in people:
            reach = person_reach(person)
            if not reach.routes:
                unreachable.append(person.external_id)
                continue
            body = compose((f"{person.name}您好", person.name),
                           [f"以下广场活动已取消，请不必前往：{lz}", f"活动：{event.title}"],
                           [f"This square event is cancelled; please do not come: {le}", f"Event: {event.title}"])
            queued += tell(session, report, reach, kind="cancellation",
                           subject=f"【活动取消】{slot.site.name} {sz} / Event cancelled: {slot.site.name}, {se}",
                           body=body, dedupe_key=f"cancel:event:{event.id}:slot:{slot.id}:person:{person.id}",
                           now=now, district_id=slot.district_id, visit_start=slot.start_at,
                           params={"site": slot.site.name, "when": sz, "reason": event.title})
    return queued, unreachable
