"""Arguments for the swap and decline endpoints in the route x role table
(`tests.web.route_table.ROUTES`): a published place of person A ahead, and swap requests that
involve A, made directly as rows."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import object_session

from models import Assignment, SwapRequest
from scheduler.core.weeks import monday_of, to_local
from scheduler.week.drafts import get_or_create_draft, publish
from tests.factories import Factory
from tests.web.conftest import NOW


def published_place(world, person=None):
    """A window shift three days ahead, published with `person` (A's by default) on it."""
    session = object_session(world.person_a)
    start = (NOW + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    week = monday_of(to_local(start).date())
    slot = Factory(session).slot(world.window_a, kind="shift", start=start, week_start=week)
    draft = get_or_create_draft(session, world.district_a.id, week, None)
    session.add(Assignment(schedule_id=draft.id, slot_id=slot.id, person_id=(person or world.person_a).id,
                           line_index=0))
    session.flush()
    session.expire(draft, ["assignments"])
    publish(session, world.district_a.id, week, None, now=NOW)
    return slot


def my_place(world) -> dict:
    return {"slot_id": published_place(world).id}


def _swap(world, asking: bool) -> dict:
    session = object_session(world.person_a)
    colleague = Factory(session).person(world.district_a, name="同事律师")
    slot = published_place(world, None if asking else colleague)
    people = (world.person_a, colleague) if asking else (colleague, world.person_a)
    swap = SwapRequest(slot_id=slot.id, from_person_id=people[0].id, to_person_id=people[1].id, status="requested")
    session.add(swap)
    session.flush()
    return {"swap_id": swap.id}


def asked_by_a(world) -> dict:
    """A open request of person A to a colleague."""
    return _swap(world, asking=True)


def asked_of_a(world) -> dict:
    """A colleague asks person A to take their place."""
    return _swap(world, asking=False)


def week_of_a(world) -> dict:
    return {"district_id": world.district_a.id, "week": "2026-11-30"}
