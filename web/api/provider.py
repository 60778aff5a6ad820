"""API operations of a provider (lawyer, mediator, volunteer...): their published
assignments, their availability (read and replace), declining a place, and swaps."""
from __future__ import annotations

from datetime import UTC

from flask import current_app

from scheduler.mine import self_service as mine
from scheduler.mine.self_service import PeriodInput, RuleInput, SelfServiceError
from scheduler.swaps import lists as swap_lists
from scheduler.swaps import operations as swaps
from scheduler.swaps.operations import SwapRefused
from web.api import bp
from web.api.auth import api_user
from web.api.messages import refusal
from web.api.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    DeclineIn,
    DeclineOut,
    MyAssignment,
    MyAssignments,
    PeriodOut,
    RuleOut,
    SiteRef,
    SwapAnswer,
    SwapIn,
    SwapOut,
    SwapsOut,
    clock,
)
from web.api.spec import operation
from web.config import app_settings
from web.dates import now
from web.db import db

TAG = "provider"


def _site(site) -> SiteRef:
    return SiteRef(id=site.id, name=site.name, kind=site.kind, address=site.address)


@bp.get("/me/assignments")
@operation(roles=("provider",), scope="read", tag=TAG, ok=MyAssignments)
def my_assignments():
    """My published assignments not yet over (the next weeks)."""
    weeks = mine.upcoming(db(), api_user(), now())
    return MyAssignments(items=[
        MyAssignment(slot_id=i.slot.id, week_start=w.week_start, starts_at=i.slot.start_at.astimezone(UTC),
                     ends_at=i.slot.end_at.astimezone(UTC), hours=round(i.hours, 2), kind=i.slot.kind,
                     site=_site(i.slot.site), declined=i.declined)
        for w in weeks for i in w.items])


def _availability(found: mine.Availability) -> AvailabilityOut:
    return AvailabilityOut(
        rules=[RuleOut(id=r.id, weekday=r.weekday, start=r.start_time.strftime("%H:%M"),
                       end=r.end_time.strftime("%H:%M"), kind=r.kind)
               for r in found.rules],
        periods=[PeriodOut(id=p.id, starts_at=p.start_at, ends_at=p.end_at, kind=p.kind, note=p.note, source=p.source)
                 for p in found.exceptions],
        calendar_busy=found.calendar_busy)


@bp.get("/me/availability")
@operation(roles=("provider",), scope="read", tag=TAG, ok=AvailabilityOut)
def my_availability():
    """My weekly times and dated periods (those not yet over)."""
    return _availability(mine.availability(db(), api_user(), now()))


@bp.put("/me/availability")
@operation(roles=("provider",), scope="write", tag=TAG, ok=AvailabilityOut, json=AvailabilityIn)
def replace_availability(json: AvailabilityIn):
    """Replace all my weekly times and the periods I entered, all or nothing."""
    session = db()
    try:
        found = mine.replace_availability(
            session, api_user(),
            [RuleInput(r.weekday, clock(r.start), clock(r.end), r.kind) for r in json.rules],
            [PeriodInput(p.starts_at.astimezone(UTC), p.ends_at.astimezone(UTC), p.kind, p.note) for p in json.periods],
            now())
    except SelfServiceError as error:
        session.rollback()
        raise refusal(error, field=str(error.params.get("field", "body"))) from error
    session.commit()
    return _availability(found)


@bp.post("/me/assignments/<int:slot_id>/decline")
@operation(roles=("provider",), scope="write", tag=TAG, ok=DeclineOut, status=201, json=DeclineIn)
def decline(slot_id: int, json: DeclineIn):
    """Decline a published place that has not begun; the coordinator re-plans it."""
    session = db()
    try:
        row = mine.decline(session, api_user(), slot_id, json.reason, now())
    except SelfServiceError as error:
        session.rollback()
        raise refusal(error, field="reason") from error
    session.commit()
    return DeclineOut(slot_id=row.slot_id, declined_at=row.created_at), 201


def _swap(row: swap_lists.SwapRow, mine_side: bool) -> SwapOut:
    return SwapOut(id=row.swap.id, slot_id=row.slot.id, starts_at=row.slot.start_at, site=row.slot.site.name,
                   from_person=row.from_person.name, to_person=row.to_person.name, status=row.swap.status,
                   mine=mine_side)


@bp.get("/me/swaps")
@operation(roles=("provider",), scope="read", tag=TAG, ok=SwapsOut)
def my_swaps():
    """Swaps asked of me and asked by me, of places not yet over."""
    asked_of_me, asked_by_me = swap_lists.mine(db(), api_user(), now())
    return SwapsOut(items=[_swap(r, False) for r in asked_of_me] + [_swap(r, True) for r in asked_by_me])


def _step(action) -> SwapOut:
    session = db()
    try:
        swap = action(session)
    except SwapRefused as error:
        session.rollback()
        raise refusal(error) from error
    session.commit()
    row = swap_lists.row_of(session, swap)
    return _swap(row, row.from_person.id == api_user().person_id)


@bp.post("/me/swaps")
@operation(roles=("provider",), scope="write", tag=TAG, ok=SwapOut, status=201, json=SwapIn)
def ask_swap(json: SwapIn):
    """Ask a colleague to take one of my published places."""
    return _step(lambda s: swaps.ask(s, api_user(), json.slot_id, json.to_person_id, json.note, now())), 201


@bp.post("/me/swaps/<int:swap_id>/accept")
@operation(roles=("provider",), scope="write", tag=TAG, ok=SwapOut)
def accept_swap(swap_id: int):
    """Take the place a colleague asked me to take."""
    return _step(lambda s: swaps.accept(s, api_user(), swap_id, now(), current_app.config["SWAP_APPROVAL"],
                                        feed_domain=app_settings().feed_domain))


@bp.post("/me/swaps/<int:swap_id>/refuse")
@operation(roles=("provider",), scope="write", tag=TAG, ok=SwapOut, json=SwapAnswer)
def refuse_swap(swap_id: int, json: SwapAnswer):
    """Say no to a colleague's swap."""
    return _step(lambda s: swaps.refuse(s, api_user(), swap_id, json.reason, now()))


@bp.post("/me/swaps/<int:swap_id>/withdraw")
@operation(roles=("provider",), scope="write", tag=TAG, ok=SwapOut)
def withdraw_swap(swap_id: int):
    """Take back a swap I asked for."""
    return _step(lambda s: swaps.withdraw(s, api_user(), swap_id, now()))
