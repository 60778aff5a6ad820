"""A provider's own corner: their upcoming published assignments and hours, their
availability (weekly rules, dated exceptions, busy times from their own calendar file), and
declining an assignment with a reason. Every function takes the acting user and touches
only that user's person."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import Assignment, AvailabilityException, AvailabilityRule, CalendarUpload, Decline, Person, Slot, User
from models.availability import EXCEPTION_KINDS, RULE_KINDS
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_role
from scheduler.core.personal_data import has_personal_data
from scheduler.core.versions import current_versions
from scheduler.mine import busy_ics

UPCOMING_WEEKS = 8
REASON_MAX = 256


class SelfServiceError(Exception):
    """A refused change; `code` selects the translated message, `params` fill it."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class UpcomingItem:
    slot: Slot
    hours: float
    declined: bool


@dataclass(frozen=True)
class UpcomingWeek:
    week_start: date
    items: list[UpcomingItem]
    hours: float


@dataclass(frozen=True)
class Availability:
    person: Person
    rules: list[AvailabilityRule]
    exceptions: list[AvailabilityException]
    upload: CalendarUpload | None
    calendar_busy: int = field(default=0)


def provider_person(session: Session, user: User) -> Person:
    require_role(user, "provider")
    person = session.get(Person, user.person_id, options=[selectinload(Person.district)])
    if person is None:
        raise NotVisible("This account is linked to no person.")
    return person


def upcoming(session: Session, user: User, now: datetime, weeks: int = UPCOMING_WEEKS) -> list[UpcomingWeek]:
    """Published assignments not yet over, by week, with the hours of each week."""
    person = provider_person(session, user)
    end = now + timedelta(weeks=weeks)
    slots = list(session.scalars(
        select(Slot).join(Assignment, Assignment.slot_id == Slot.id)
        .where(Assignment.schedule_id.in_(current_versions(now, end)), Assignment.person_id == person.id,
               Slot.end_at > now, Slot.start_at < end, Slot.cancelled.is_(False))
        .options(joinedload(Slot.site)).order_by(Slot.start_at, Slot.id)
    ).unique())
    declined = set(session.scalars(select(Decline.slot_id).where(
        Decline.person_id == person.id, Decline.slot_id.in_([s.id for s in slots]))))
    by_week: dict[date, list[UpcomingItem]] = defaultdict(list)
    for slot in slots:
        hours = (slot.end_at - slot.start_at).total_seconds() / 3600
        by_week[slot.week_start].append(UpcomingItem(slot, hours, slot.id in declined))
    return [UpcomingWeek(week, items, sum(i.hours for i in items if not i.declined))
            for week, items in sorted(by_week.items())]


def decline(session: Session, user: User, slot_id: int, reason: str, now: datetime) -> Decline:
    """Decline a published assignment that has not started: the coordinator re-plans, and
    the time is marked unavailable so the next solve does not put the person back."""
    person = provider_person(session, user)
    reason = (reason or "").strip()
    if not reason:
        raise SelfServiceError("reason_required", "say why you decline")
    if len(reason) > REASON_MAX:
        raise SelfServiceError("reason_too_long", f"the reason is longer than {REASON_MAX} characters",
                               max=REASON_MAX)
    if has_personal_data(reason):
        raise SelfServiceError("reason_personal_data", "an ID card or mobile number in the reason")
    slot = session.scalar(
        select(Slot).join(Assignment, Assignment.slot_id == Slot.id)
        .where(Slot.id == slot_id, Assignment.person_id == person.id,
               Assignment.schedule_id.in_(current_versions(now - timedelta(days=8), now + timedelta(days=400))))
    )
    if slot is None:
        raise SelfServiceError("not_assigned", "you hold no published assignment for this slot")
    if slot.start_at <= now:
        raise SelfServiceError("started", "this assignment has already started")
    if session.scalar(select(Decline.id).where(Decline.slot_id == slot.id, Decline.person_id == person.id,
                                               Decline.handled_at.is_(None))) is not None:
        raise SelfServiceError("already_declined", "you have already declined this assignment")
    row = Decline(slot_id=slot.id, person_id=person.id, reason=reason, created_at=now)
    session.add(row)
    session.add(AvailabilityException(person_id=person.id, kind="unavailable", start_at=slot.start_at,
                                      end_at=slot.end_at, source="decline", note=reason))
    session.flush()
    audit.record(session, user, "decline", "slot", slot.id, slot.district_id, reason=reason)
    return row


def availability(session: Session, user: User, now: datetime) -> Availability:
    person = provider_person(session, user)
    rules = list(session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == person.id)
                                 .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)))
    exceptions = list(session.scalars(
        select(AvailabilityException)
        .where(AvailabilityException.person_id == person.id, AvailabilityException.end_at > now,
               AvailabilityException.source != "calendar")
        .order_by(AvailabilityException.start_at)))
    upload = session.scalar(select(CalendarUpload).where(CalendarUpload.person_id == person.id)
                            .order_by(CalendarUpload.uploaded_at.desc(), CalendarUpload.id.desc()).limit(1))
    return Availability(person, rules, exceptions, upload, upload.events_count if upload else 0)


def add_rule(session: Session, user: User, weekday: int, start: time, end: time, kind: str) -> AvailabilityRule:
    return add_rule_for(session, provider_person(session, user), weekday, start, end, kind)


def add_rule_for(session: Session, person: Person, weekday: int, start: time, end: time, kind: str,
                 valid_from: date | None = None, valid_to: date | None = None) -> AvailabilityRule:
    """A weekly time of `person`; the caller has checked that the acting user may change it."""
    if kind not in RULE_KINDS or not 0 <= weekday <= 6:
        raise SelfServiceError("bad_rule", "unknown weekday or kind")
    if end <= start:
        raise SelfServiceError("time_order", "the end must be after the start")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise SelfServiceError("validity_order", "the rule ends before it begins")
    rule = AvailabilityRule(person_id=person.id, weekday=weekday, start_time=start, end_time=end, kind=kind,
                            valid_from=valid_from, valid_to=valid_to)
    session.add(rule)
    session.flush()
    return rule


def delete_rule(session: Session, user: User, rule_id: int) -> None:
    delete_rule_of(session, provider_person(session, user), rule_id)


def delete_rule_of(session: Session, person: Person, rule_id: int) -> AvailabilityRule:
    """Remove one of `person`'s weekly times; another person's rule does not exist here."""
    rule = session.get(AvailabilityRule, rule_id)
    if rule is None or rule.person_id != person.id:
        raise NotVisible("No such rule.")
    session.delete(rule)
    session.flush()
    return rule


def add_exception(session: Session, user: User, start_at: datetime, end_at: datetime, kind: str,
                  note: str | None) -> AvailabilityException:
    return add_exception_for(session, provider_person(session, user), start_at, end_at, kind, note)


def add_exception_for(session: Session, person: Person, start_at: datetime, end_at: datetime, kind: str,
                      note: str | None) -> AvailabilityException:
    if kind not in EXCEPTION_KINDS:
        raise SelfServiceError("bad_kind", "unknown kind")
    if end_at <= start_at:
        raise SelfServiceError("time_order", "the end must be after the start")
    row = AvailabilityException(person_id=person.id, kind=kind, start_at=start_at, end_at=end_at, source="manual",
                                note=(note or "").strip()[:256] or None)
    session.add(row)
    session.flush()
    return row


def delete_exception(session: Session, user: User, exception_id: int) -> None:
    delete_exception_of(session, provider_person(session, user), exception_id)


def delete_exception_of(session: Session, person: Person, exception_id: int) -> AvailabilityException:
    """Remove a dated period of `person`. Periods from a calendar upload or a decline belong
    to those: a new upload replaces the first, the coordinator's re-planning handles the second."""
    row = session.get(AvailabilityException, exception_id)
    if row is None or row.person_id != person.id:
        raise NotVisible("No such period.")
    if row.source in ("calendar", "decline"):
        raise SelfServiceError(f"from_{row.source}", f"this period comes from a {row.source}; it cannot be removed here")
    session.delete(row)
    session.flush()
    return row


def import_calendar(session: Session, user: User, filename: str, data: bytes, now: datetime) -> CalendarUpload:
    """Busy times of the provider's own .ics become 'unavailable' periods for the next 180
    days, replacing those of the previous upload."""
    person = provider_person(session, user)
    begin, end = busy_ics.window(now)
    try:
        busy = busy_ics.busy_times(data, begin, end, zone=person.district.timezone)
    except busy_ics.CalendarFileError as exc:
        raise SelfServiceError(f"ics_{exc.code}", str(exc)) from exc
    session.execute(delete(AvailabilityException).where(
        AvailabilityException.person_id == person.id, AvailabilityException.source == "calendar"))
    session.execute(delete(CalendarUpload).where(CalendarUpload.person_id == person.id))
    upload = CalendarUpload(person_id=person.id, filename=(filename or "calendar.ics")[-256:],
                            sha256=hashlib.sha256(data).hexdigest(), events_count=len(busy), uploaded_at=now)
    session.add(upload)
    session.flush()
    session.add_all(AvailabilityException(person_id=person.id, kind="unavailable", start_at=b.start, end_at=b.end,
                                          source="calendar", upload_id=upload.id) for b in busy)
    session.flush()
    audit.record(session, user, "calendar_upload", "person", person.id, person.district_id, busy=len(busy))
    return upload


@dataclass(frozen=True)
class RuleInput:
    weekday: int
    start: time
    end: time
    kind: str


@dataclass(frozen=True)
class PeriodInput:
    start_at: datetime
    end_at: datetime
    kind: str
    note: str | None = None


def replace_availability(session: Session, user: User, rules: list[RuleInput], periods: list[PeriodInput],
                         now: datetime) -> Availability:
    """Replace every weekly rule and every period the provider entered by hand, all or
    nothing (the API's PUT). Periods from a calendar upload or a decline stay. A refusal
    names the first entry that is wrong (`field` "rules[2]", "periods[0]") and stores nothing."""
    person = provider_person(session, user)
    with session.begin_nested():
        for rule in session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == person.id)):
            session.delete(rule)
        for row in session.scalars(select(AvailabilityException).where(
                AvailabilityException.person_id == person.id, AvailabilityException.source == "manual")):
            session.delete(row)
        session.flush()
        for number, rule in enumerate(rules):
            try:
                add_rule_for(session, person, rule.weekday, rule.start, rule.end, rule.kind)
            except SelfServiceError as error:
                error.params.setdefault("field", f"rules[{number}]")
                raise
        for number, period in enumerate(periods):
            try:
                add_exception_for(session, person, period.start_at, period.end_at, period.kind, period.note)
            except SelfServiceError as error:
                error.params.setdefault("field", f"periods[{number}]")
                raise
    audit.record(session, user, "availability.replace", "person", person.id, person.district_id,
                 rules=len(rules), periods=len(periods))
    return availability(session, user, now)
