"""Whom a notice reaches and how: each person's or village's channels in order of
preference, with the rest kept as the fallback, and SMS held back in quiet hours.

A person is reached by WeCom (their WeCom user id), SMS (a Chinese mobile in `phone`) or
e-mail, in the order they chose (`ContactPreferences.channel_order`). A village is reached
through each active representative account (its `mobile` by SMS, its `email`), in the
village's order; a village with no reachable representative is reached by SMS on its own
phone when that is a mobile, so a village's mobile alone is enough. The first route is
used and the others are written on the message as its fallback (`outbox` tries them when it
fails for good).

Quiet hours (21:00-08:00 local, unless switched off): an SMS waits until 08:00, except a
change or cancellation of a visit on the same or the next day, which cannot wait.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Site, User
from scheduler.core.weeks import to_local, to_utc

QUIET_START, QUIET_END = time(21, 0), time(8, 0)
# Kinds that announce a change to a booked visit: sent at night when the visit is that close.
URGENT_KINDS = frozenset({"change", "cancellation", "scheduled"})
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = re.compile(r"[\s\-().\u2010-\u2015\u2212]+")


def china_mobile(text: str | None) -> str | None:
    """The 11-digit mainland mobile in `text` (13800138000, +86 138 0013 8000, 86-138...,
    0086...), or None when it is not one (a landline, a foreign number, garbage). The one
    reading of a mobile: routing picks SMS by it and the SMS channel sends to it."""
    digits = _SEPARATORS.sub("", text or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if _MOBILE.fullmatch(digits) else None


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str


@dataclass(frozen=True)
class Reach:
    """One addressee: `audience` ("person:7", "user:3", "village:12"), the name a
    coordinator reads, the routes in order (empty: cannot be reached); `who`: a village
    representative's own name, for the greeting (empty for the village itself)."""

    audience: str
    name: str
    routes: tuple[Route, ...]
    quiet_hours: bool = True
    reminders: bool = True
    who: str = ""

    @property
    def channel(self) -> str | None:
        return self.routes[0].channel if self.routes else None


def _addresses(order, *, wecom: str | None, mobile: str | None, email: str | None) -> tuple[Route, ...]:
    found = {"wecom": (wecom or "").strip() or None, "sms": china_mobile(mobile), "email": (email or "").strip() or None}
    return tuple(Route(c, found[c]) for c in order if found[c])


def person_reach(person: Person) -> Reach:
    return Reach(f"person:{person.id}", person.name,
                 _addresses(person.channel_order(), wecom=person.wecom_userid, mobile=person.phone, email=person.email),
                 person.quiet_hours, person.reminders)


def village_reach(session: Session, village: Site) -> list[Reach]:
    """Each reachable representative of the village, or the village's own mobile, or one
    unreachable entry (so the coordinator hears of it)."""
    order = village.channel_order()
    reps = session.scalars(select(User).where(User.role == "village", User.village_id == village.id, User.active)
                           .order_by(User.id))
    found = []
    for user in reps:
        routes = _addresses(order, wecom=None, mobile=user.mobile, email=user.email)
        if routes:
            who = user.display_name or user.username
            found.append(Reach(f"user:{user.id}", f"{village.name} {who}", routes, village.quiet_hours,
                               village.reminders, who))
    if found:
        return found
    own = _addresses(order, wecom=None, mobile=village.phone, email=None)
    return [Reach(f"village:{village.id}", village.name, own, village.quiet_hours, village.reminders)]


def deliver_after(reach: Reach, kind: str, now: datetime, zone: str, visit_start: datetime | None = None) -> datetime:
    """When the message may go: now, or 08:00 local when it is an SMS in quiet hours that
    can wait (see the module docstring)."""
    if reach.channel != "sms" or not reach.quiet_hours:
        return now
    local = to_local(now, zone)
    if QUIET_END <= local.time() < QUIET_START:
        return now
    if kind in URGENT_KINDS and visit_start is not None \
            and to_local(visit_start, zone).date() <= local.date() + timedelta(days=1):
        return now
    morning = local.date() + (timedelta(days=1) if local.time() >= QUIET_START else timedelta())
    return to_utc(morning, QUIET_END, zone)


def fallback_json(reach: Reach) -> str | None:
    rest = [[r.channel, r.recipient] for r in reach.routes[1:]]
    return json.dumps(rest, ensure_ascii=False) if rest else None
