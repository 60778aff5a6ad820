"""How a person or a village wants to be told: who may change it, and what is accepted.

A coordinator sets the preferences of the people and villages of their districts; a provider
sets their own; a village representative sets their village's. Changes to a booked visit
are always sent: only reminders can be switched off. No channel chosen means the default
order (WeCom, SMS, e-mail).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from models import Person, Site, User
from models.contact_preference import DEFAULT_ORDER
from scheduler.core import audit
from scheduler.core.access import AccessDenied, is_coordinator, require_visible
from scheduler.notices.routing import Reach, person_reach, village_reach


class PreferenceError(ValueError):
    """A refusal with a `code` the web layer words in the reader's language."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Preferences:
    channels: tuple[str, ...]  # in order; empty: the default order
    quiet_hours: bool = True
    reminders: bool = True
    wecom_userid: str | None = None  # people only


def _check(prefs: Preferences) -> str:
    unknown = [c for c in prefs.channels if c not in DEFAULT_ORDER]
    if unknown:
        raise PreferenceError("unknown_channel", f"unknown channel: {', '.join(unknown)}")
    if len(set(prefs.channels)) != len(prefs.channels):
        raise PreferenceError("repeated_channel", "a channel is listed twice")
    wecom = (prefs.wecom_userid or "").strip()
    if len(wecom) > 64 or any(ch.isspace() for ch in wecom):
        raise PreferenceError("bad_wecom_id", "a WeCom user id has at most 64 characters and no spaces")
    return ",".join(prefs.channels)


def person_for(session: Session, actor: User, person_id: int) -> Person:
    """The person whose preferences `actor` may read and change: their own, or any of a
    coordinator's districts (others answer as not found)."""
    person = session.get(Person, person_id)
    if actor.role == "provider" and actor.person_id == person_id and person is not None:
        return person
    if not is_coordinator(actor):
        raise AccessDenied("Only coordinators and the person themself set these.")
    require_visible(actor, person.district_id if person is not None else None)
    return person


def village_for(session: Session, actor: User, village_id: int) -> Site:
    village = session.get(Site, village_id)
    if village is not None and village.kind != "village":
        village = None
    if actor.role == "village" and actor.village_id == village_id and village is not None:
        return village
    if not is_coordinator(actor):
        raise AccessDenied("Only coordinators and the village's representatives set these.")
    require_visible(actor, village.district_id if village is not None else None)
    return village


def set_person(session: Session, actor: User, person_id: int, prefs: Preferences) -> Reach:
    person = person_for(session, actor, person_id)
    channels = _check(prefs)
    person.notify_channels, person.quiet_hours, person.reminders = channels, prefs.quiet_hours, prefs.reminders
    person.wecom_userid = (prefs.wecom_userid or "").strip() or None
    audit.record(session, actor, "person.preferences", "person", person.id, person.district_id,
                 channels=channels, quiet_hours=prefs.quiet_hours, reminders=prefs.reminders,
                 wecom=person.wecom_userid is not None)
    session.flush()
    return person_reach(person)


def set_village(session: Session, actor: User, village_id: int, prefs: Preferences) -> list[Reach]:
    village = village_for(session, actor, village_id)
    channels = _check(prefs)
    village.notify_channels, village.quiet_hours, village.reminders = channels, prefs.quiet_hours, prefs.reminders
    audit.record(session, actor, "site.preferences", "site", village.id, village.district_id,
                 channels=channels, quiet_hours=prefs.quiet_hours, reminders=prefs.reminders)
    session.flush()
    return village_reach(session, village)
