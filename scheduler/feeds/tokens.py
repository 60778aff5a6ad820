"""Feed URLs of people, villages and sites: issuing a token (its feed rendered at once),
resetting it, looking up the subject a user may manage, and revoking it.

A reset revokes the old token at once; only a token's hash is kept (`scheduler.feeds.urls`),
so a live URL is never shown again, only replaced.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import FeedToken, Person, Site, User
from models.feed import FEED_SUBJECTS
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_role, require_visible
from scheduler.feeds.render import refresh_subjects
from scheduler.feeds.urls import DEFAULT_FEED_DOMAIN, TOKEN_BYTES, hash_token


class FeedError(LookupError):
    """No such person, village or site for a feed."""


class TokenExists(Exception):
    """The subject has a live URL; it cannot be shown again, only replaced."""


def live_token(session: Session, kind: str, subject_id: int) -> FeedToken | None:
    return session.scalar(select(FeedToken).where(
        FeedToken.subject_kind == kind, FeedToken.subject_id == subject_id, FeedToken.revoked_at.is_(None)))


def revoke(session: Session, kind: str, subject_id: int, now: datetime) -> bool:
    token = live_token(session, kind, subject_id)
    if token is None:
        return False
    token.revoked_at = now
    session.flush()
    return True


def issue_token(session: Session, kind: str, subject_id: int, *, reset: bool = False, now: datetime,
                domain: str = DEFAULT_FEED_DOMAIN) -> str:
    """A new secret token for the subject's feed, rendered at `now` (event UIDs in `domain`)
    and ready to serve.

    With `reset` a live token is revoked first (its URL stops working at once); without it a
    live token raises `TokenExists`, since only its hash is kept.
    """
    if kind not in FEED_SUBJECTS:
        raise FeedError(f"unknown feed kind {kind!r}: use one of {', '.join(FEED_SUBJECTS)}")
    if live_token(session, kind, subject_id) is not None:
        if not reset:
            raise TokenExists(f"this {kind} already has a feed URL; only its hash is stored, so it cannot be "
                              "shown again: reset it to get a new one (the old URL stops working)")
        revoke(session, kind, subject_id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(FeedToken(subject_kind=kind, subject_id=subject_id, token_hash=hash_token(token), created_at=now))
    session.flush()
    refresh_subjects(session, kind, [subject_id], now, domain=domain)
    return token


# --- subjects --------------------------------------------------------------------------

def find_subject(session: Session, kind: str, external_id: str) -> Person | Site:
    """The person, village or site with this external id (villages and other sites apart)."""
    if kind == "person":
        found = session.scalar(select(Person).where(Person.external_id == external_id))
    elif kind in ("village", "site"):
        found = session.scalar(select(Site).where(Site.external_id == external_id))
        if found is not None and subject_kind_of(found) != kind:
            raise FeedError(f"{external_id} is a {found.kind}: use `feed-url {subject_kind_of(found)} {external_id}`")
    else:
        raise FeedError(f"unknown feed kind {kind!r}: use one of {', '.join(FEED_SUBJECTS)}")
    if found is None:
        raise FeedError(f"no {kind} with id {external_id!r}")
    return found


def subject_kind_of(site: Site) -> str:
    return "village" if site.kind == "village" else "site"


def load_subject(session: Session, kind: str, subject_id: int) -> Person | Site | None:
    subject = session.get(Person if kind == "person" else Site, subject_id)
    if isinstance(subject, Site) and subject_kind_of(subject) != kind:
        return None
    return subject


def subject_for(session: Session, user: User, kind: str, subject_id: int) -> Person | Site:
    """The feed's subject if `user` may manage its URL: coordinators of its district, a
    provider for themself, a village representative for their village."""
    if kind not in FEED_SUBJECTS:
        raise NotVisible(f"no feed kind {kind!r}")
    subject = load_subject(session, kind, subject_id)
    own = {"person": ("provider", user.person_id), "village": ("village", user.village_id)}.get(kind)
    if own is not None and user.active and user.role == own[0]:
        if subject is None or own[1] != subject_id:
            raise NotVisible("No such object in this account's reach.")
        return subject
    require_role(user, "coordinator")
    if subject is None:
        raise NotVisible("No such object in this account's districts.")
    require_visible(user, subject.district_id)
    return subject


def live_since(session: Session, kind: str, subject_id: int) -> datetime | None:
    token = live_token(session, kind, subject_id)
    return token.created_at if token is not None else None


def new_link(session: Session, user: User, kind: str, subject_id: int, *, now: datetime,
             domain: str = DEFAULT_FEED_DOMAIN) -> str:
    """A new URL for the feed, replacing any live one; recorded in the audit log."""
    subject = subject_for(session, user, kind, subject_id)
    token = issue_token(session, kind, subject.id, reset=True, now=now, domain=domain)
    audit.record(session, user, "feed_link", kind, subject.id, subject.district_id)
    return token


def turn_off(session: Session, user: User, kind: str, subject_id: int, *, now: datetime) -> bool:
    subject = subject_for(session, user, kind, subject_id)
    done = revoke(session, kind, subject.id, now)
    if done:
        audit.record(session, user, "feed_revoke", kind, subject.id, subject.district_id)
    return done

