"""Swaps between providers (调班): a provider asks a qualified colleague of the same district to
take one of their published assignments; the colleague accepts or refuses; an accepted swap
is checked against every hard rule by the independent checker (`scheduler.week.edits`, as for hand
edits), written into the week's draft and published, so calendars and notices follow.

    requested -> accepted -> approved -> applied
    requested -> withdrawn               (the requester, before the colleague answers)
    requested | accepted -> rejected     (the colleague refuses, or a coordinator rejects)

With `approval="coordinator"` (the app's SWAP_APPROVAL) an accepted swap waits for a
coordinator of the district; with "automatic" (the default) acceptance approves it at once.
An approved swap is published at once when the week's draft holds nothing else unpublished;
otherwise it stays "approved" in the draft (locked, so a re-solve keeps it) and becomes
"applied" with the coordinator's next publish (`scheduler.swaps.publish`). Every step is
written to the audit log; refusals carry a `code` for the reader's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, Decline, Person, Schedule, Slot, SlotLine, SwapRequest, User
from scheduler.core import audit
from scheduler.core.access import NotVisible, can_see_district, require_role
from scheduler.core.config import DEFAULT_FEED_DOMAIN
from scheduler.core.personal_data import has_personal_data
from scheduler.core.versions import current_draft, latest_published
from scheduler.mine.self_service import provider_person
from scheduler.swaps.notices import tell
from scheduler.week import drafts
from scheduler.week.edits import refuse_replacement

APPROVAL_MODES = ("automatic", "coordinator")
OPEN_STATUSES = ("requested", "accepted", "approved")
NOTE_MAX = 256


class SwapRefused(Exception):
    """A refused step; `code` selects the translated message, `params` fill it. Broken hard
    rules are refused with `scheduler.week.edits.EditRefused` instead, as for hand edits."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Colleague:
    person: Person
    week_hours: float
    # Another place of theirs overlaps the slot, or taking it passes their weekly maximum:
    # offered all the same (a place may free up), but the hard-rule check will refuse it now.
    busy: bool
    over_hours: bool

    @property
    def fits(self) -> bool:
        return not (self.busy or self.over_hours)


@dataclass(frozen=True)
class Offer:
    """What asking for a swap of one assignment needs: the place and who may take it."""

    slot: Slot
    line: SlotLine
    hours: float
    colleagues: tuple[Colleague, ...]
    open_swap: SwapRequest | None


def _note(text: str | None, required: bool = False) -> str | None:
    text = (text or "").strip()
    if required and not text:
        raise SwapRefused("reason_required", "say why")
    if len(text) > NOTE_MAX:
        raise SwapRefused("reason_too_long", f"the text is longer than {NOTE_MAX} characters", max=NOTE_MAX)
    if has_personal_data(text):
        raise SwapRefused("reason_personal_data", "an ID card or mobile number in the text")
    return text or None


def _week_versions(session: Session, slot: Slot) -> tuple[Schedule | None, Schedule | None]:
    return (latest_published(session, slot.district_id, slot.week_start),
            current_draft(session, slot.district_id, slot.week_start))


def _held(session: Session, schedule: Schedule | None, slot_id: int, person_id: int) -> Assignment | None:
    if schedule is None:
        return None
    return session.scalar(select(Assignment).where(Assignment.schedule_id == schedule.id,
                                                   Assignment.slot_id == slot_id, Assignment.person_id == person_id))


def _own_place(session: Session, person: Person, slot_id: int, now: datetime) -> tuple[Slot, Assignment]:
    """The requester's place in the newest published version of the slot's week."""
    slot = session.get(Slot, slot_id, options=[selectinload(Slot.lines), selectinload(Slot.site)])
    published = _week_versions(session, slot)[0] if slot is not None else None
    held = _held(session, published, slot_id, person.id) if slot is not None else None
    if held is None or slot.cancelled:
        raise SwapRefused("not_assigned", "you hold no published assignment for this slot")
    if slot.start_at <= now:
        raise SwapRefused("started", "this assignment has already started")
    return slot, held


def _line(slot: Slot, index: int) -> SlotLine:
    return next(line for line in slot.lines if line.idx == index)


def _qualified(person: Person, line: SlotLine) -> bool:
    return bool(set(line.roles) & set(person.role_names)) and set(line.skills) <= set(person.skill_names)


def _working(session: Session, slot: Slot) -> Schedule | None:
    """What a swap would be applied to: the week's draft, else its published version."""
    published, draft = _week_versions(session, slot)
    return draft or published


def _has_account(session: Session, person_id: int) -> bool:
    return session.scalar(select(User.id).where(User.person_id == person_id, User.role == "provider",
                                                User.active)) is not None


def offer(session: Session, user: User, slot_id: int, now: datetime) -> Offer:
    """The colleagues who may take the requester's place: same district, active, with an
    account to answer, holding one of the line's roles and all its skills, not in the slot."""
    me = provider_person(session, user)
    slot, held = _own_place(session, me, slot_id, now)
    line = _line(slot, held.line_index)
    working = _working(session, slot)
    places: dict[int, list[tuple[int, datetime, datetime]]] = {}
    for person_id, other_slot, start, end in session.execute(
            select(Assignment.person_id, Assignment.slot_id, Slot.start_at, Slot.end_at)
            .join(Slot, Slot.id == Assignment.slot_id).where(Assignment.schedule_id == working.id)):
        places.setdefault(person_id, []).append((other_slot, start, end))
    hours = (slot.end_at - slot.start_at).total_seconds() / 3600
    people = session.scalars(
        select(Person).join(User, User.person_id == Person.id)
        .where(Person.district_id == me.district_id, Person.active, Person.id != me.id,
               User.role == "provider", User.active)
        .options(selectinload(Person.roles), selectinload(Person.skills)).order_by(Person.name, Person.external_id))
    colleagues = []
    for person in people:
        theirs = places.get(person.id, [])
        if not _qualified(person, line) or any(s == slot.id for s, _, _ in theirs):
            continue
        week = sum((end - start).total_seconds() for _, start, end in theirs) / 3600
        busy = any(start < slot.end_at and slot.start_at < end for _, start, end in theirs)
        colleagues.append(Colleague(person, round(week, 1), busy, week + hours > person.max_hours_week))
    open_swap = session.scalar(select(SwapRequest).where(
        SwapRequest.slot_id == slot.id, SwapRequest.from_person_id == me.id,
        SwapRequest.status.in_(OPEN_STATUSES)))
    return Offer(slot, line, hours, tuple(sorted(colleagues, key=lambda c: not c.fits)), open_swap)


def _check_colleague(session: Session, me: Person, slot: Slot, line: SlotLine, colleague: Person | None) -> None:
    if colleague is None:
        raise SwapRefused("unknown_colleague", "there is no such colleague")
    if colleague.id == me.id:
        raise SwapRefused("same_person", "choose someone other than yourself")
    if colleague.district_id != me.district_id:
        raise SwapRefused("other_district", "swaps stay within the district", name=colleague.name)
    if not colleague.active:
        raise SwapRefused("inactive", "this colleague is no longer in service", name=colleague.name)
    if not _qualified(colleague, line):
        raise SwapRefused("unqualified", "the colleague lacks the place's role or skills", name=colleague.name,
                          roles=", ".join(line.roles), skills=", ".join(line.skills))
    if not _has_account(session, colleague.id):
        raise SwapRefused("no_account", "the colleague has no account to answer with", name=colleague.name)


def _check_rules(session: Session, slot: Slot, from_id: int, to_id: int, schedule: Schedule | None = None) -> None:
    """EditRefused unless handing the place over keeps every hard rule for both people."""
    schedule = schedule or _working(session, slot)
    if _held(session, schedule, slot.id, from_id) is None:
        raise SwapRefused("no_longer_assigned", "the place is no longer yours in the week's plan")
    if _held(session, schedule, slot.id, to_id) is not None:
        raise SwapRefused("in_slot", "the colleague already works in this slot")
    refuse_replacement(session, schedule, slot, from_id, to_id)


def ask(session: Session, user: User, slot_id: int, to_person_id: int, note: str | None,
        now: datetime) -> SwapRequest:
    """Ask a colleague to take a published place. Refused at once when the colleague does
    not qualify or taking it would break a hard rule for either person as the week stands."""
    me = provider_person(session, user)
    note = _note(note)
    slot, held = _own_place(session, me, slot_id, now)
    if session.scalar(select(SwapRequest.id).where(SwapRequest.slot_id == slot.id, SwapRequest.from_person_id == me.id,
                                                   SwapRequest.status.in_(OPEN_STATUSES))) is not None:
        raise SwapRefused("already_asked", "you already asked someone to take this place")
    if session.scalar(select(Decline.id).where(Decline.slot_id == slot.id, Decline.person_id == me.id,
                                               Decline.handled_at.is_(None))) is not None:
        raise SwapRefused("declined", "you declined this place; your coordinator is re-planning it")
    colleague = session.get(Person, to_person_id, options=[selectinload(Person.roles), selectinload(Person.skills)])
    _check_colleague(session, me, slot, _line(slot, held.line_index), colleague)
    _check_rules(session, slot, me.id, colleague.id)
    swap = SwapRequest(slot_id=slot.id, from_person_id=me.id, to_person_id=colleague.id, status="requested",
                       reason=note, created_at=now, updated_at=now)
    session.add(swap)
    session.flush()
    audit.record(session, user, "swap.request", "swap_request", swap.id, slot.district_id, slot=slot.external_id,
                 to=colleague.external_id, note=note)
    tell(session, swap, slot, now)
    return swap


def _load(session: Session, swap_id: int) -> tuple[SwapRequest, Slot]:
    swap = session.get(SwapRequest, swap_id)
    slot = session.get(Slot, swap.slot_id, options=[selectinload(Slot.lines), selectinload(Slot.site)]) if swap else None
    if swap is None or slot is None:
        raise NotVisible(f"No swap request {swap_id}.")
    return swap, slot


def _party(session: Session, user: User, swap_id: int, side: str) -> tuple[SwapRequest, Slot]:
    """A swap of which the provider is the requester (`from`) or the colleague asked (`to`);
    anyone else's looks like one that does not exist."""
    me = provider_person(session, user)
    swap, slot = _load(session, swap_id)
    if (swap.from_person_id if side == "from" else swap.to_person_id) != me.id:
        raise NotVisible(f"No swap request {swap_id}.")
    return swap, slot


def _require_status(swap: SwapRequest, *statuses: str) -> None:
    if swap.status not in statuses:
        raise SwapRefused("not_open", f"this request is {swap.status}", status=swap.status)


def _step(session: Session, user: User, swap: SwapRequest, slot: Slot, status: str, now: datetime,
          **details: object) -> None:
    before = swap.status
    swap.status, swap.updated_at = status, now
    swap.decided_by_id = user.id if user is not None else swap.decided_by_id
    session.flush()
    audit.record(session, user, f"swap.{status}", "swap_request", swap.id, slot.district_id,
                 before=before, slot=slot.external_id, **details)


def withdraw(session: Session, user: User, swap_id: int, now: datetime) -> SwapRequest:
    swap, slot = _party(session, user, swap_id, "from")
    _require_status(swap, "requested")
    _step(session, user, swap, slot, "withdrawn", now)
    tell(session, swap, slot, now)
    return swap


def refuse(session: Session, user: User, swap_id: int, reason: str | None, now: datetime) -> SwapRequest:
    """The colleague says no."""
    swap, slot = _party(session, user, swap_id, "to")
    reason = _note(reason)
    _require_status(swap, "requested")
    _step(session, user, swap, slot, "rejected", now, reason=reason, by="colleague")
    tell(session, swap, slot, now, reason)
    return swap


def accept(session: Session, user: User, swap_id: int, now: datetime, approval: str = "automatic", *,
           feed_domain: str = DEFAULT_FEED_DOMAIN) -> SwapRequest:
    """The colleague says yes. Refused (nothing changes) when the swap would break a hard
    rule as the week stands now; else approved and applied (published, calendars updated with
    UIDs in `feed_domain`), or left for a coordinator."""
    if approval not in APPROVAL_MODES:
        raise ValueError(f"approval must be one of {', '.join(APPROVAL_MODES)}, not {approval!r}")
    swap, slot = _party(session, user, swap_id, "to")
    _require_status(swap, "requested")
    _still_ahead(slot, now)
    _check_rules(session, slot, swap.from_person_id, swap.to_person_id)
    _step(session, user, swap, slot, "accepted", now)
    if approval == "automatic":
        _apply(session, swap, slot, None, now, feed_domain)
    else:
        tell(session, swap, slot, now)
    return swap


def _still_ahead(slot: Slot, now: datetime) -> None:
    if slot.start_at <= now or slot.cancelled:
        raise SwapRefused("started", "this assignment has already started")


def for_coordinator(session: Session, actor: User, swap_id: int) -> tuple[SwapRequest, Slot]:
    """A swap of the coordinator's districts; any other looks like one that does not exist."""
    require_role(actor, "coordinator")
    swap, slot = _load(session, swap_id)
    if not can_see_district(actor, slot.district_id):
        raise NotVisible(f"No swap request {swap_id}.")
    return swap, slot


def approve(session: Session, actor: User, swap_id: int, now: datetime, *,
            feed_domain: str = DEFAULT_FEED_DOMAIN) -> SwapRequest:
    swap, slot = for_coordinator(session, actor, swap_id)
    _require_status(swap, "accepted")
    _still_ahead(slot, now)
    _apply(session, swap, slot, actor, now, feed_domain)
    return swap


def reject(session: Session, actor: User, swap_id: int, reason: str, now: datetime) -> SwapRequest:
    swap, slot = for_coordinator(session, actor, swap_id)
    reason = _note(reason, required=True)
    _require_status(swap, "requested", "accepted")
    _step(session, actor, swap, slot, "rejected", now, reason=reason, by="coordinator")
    tell(session, swap, slot, now, reason, by_coordinator=True)
    return swap


def _unpublished_changes(session: Session, draft: Schedule, published: Schedule | None) -> bool:
    def pairs(schedule: Schedule | None) -> set[tuple[int, int, int]]:
        if schedule is None:
            return set()
        return set(session.execute(select(Assignment.slot_id, Assignment.person_id, Assignment.line_index)
                                   .where(Assignment.schedule_id == schedule.id)).all())
    return pairs(draft) != pairs(published)


def _apply(session: Session, swap: SwapRequest, slot: Slot, actor: User | None, now: datetime,
           feed_domain: str) -> None:
    """Write the swap into the week's draft (checked once more, locked so a re-solve keeps
    it) and publish it unless the draft holds other unpublished work."""
    draft = drafts.get_or_create_draft(session, slot.district_id, slot.week_start, actor)
    published = latest_published(session, slot.district_id, slot.week_start)
    pending_work = _unpublished_changes(session, draft, published)
    _check_rules(session, slot, swap.from_person_id, swap.to_person_id, draft)
    place = _held(session, draft, slot.id, swap.from_person_id)
    place.person_id, place.source, place.locked = swap.to_person_id, "swap", True
    place.made_by_id = actor.id if actor is not None else swap.decided_by_id
    drafts.touch(draft, now)  # a new lock_version: pages showing the old draft are stale
    _step(session, actor, swap, slot, "approved", now, by="coordinator" if actor is not None else "automatic",
          draft=draft.id)
    if not pending_work:
        # Publishing copies the draft's collection: load it afresh, with every edit of it.
        session.flush()
        session.expire(draft, ["assignments"])
        # The publisher is the coordinator who approved, or nobody for an automatic swap, so
        # notices name the district's centre rather than a provider as the contact.
        drafts.publish(session, slot.district_id, slot.week_start, actor, now=now, feed_domain=feed_domain)
