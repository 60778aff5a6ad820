"""Personal access tokens: made by their user (in the app) or by an operator (`scheduler
api-token create`), shown once, stored as a SHA-256, scoped, expiring and revocable.

A token is `lsk_` and 43 URL-safe characters (256 random bits). `authenticate` finds the
token's row by its hash, refuses a revoked, expired or unknown token or an inactive account
with a code the API words in the reader's language, and notes when the token was last used
(at most once a minute, so reading does not write on every call). The caller commits.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import ApiToken, User
from models.api_token import API_SCOPES
from scheduler.accounts.invitations import token_hash
from scheduler.core import audit
from scheduler.core.access import AccessDenied, NotVisible

PREFIX = "lsk_"
_SHAPE = re.compile(r"^lsk_[A-Za-z0-9_-]{43}$")
DEFAULT_DAYS = 90
MAX_DAYS = 366
MAX_LIVE_TOKENS = 20
NAME_MAX = 64
TOUCH_EVERY = timedelta(minutes=1)


class TokenRefused(ValueError):
    """`code`: "token_invalid" (unknown or malformed), "token_expired", "token_revoked",
    "account_inactive"; or, when making one: "name_required", "name_too_long", "scope_unknown",
    "days_range", "too_many_tokens"."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _check(name: str, scopes: list[str], days: int, live: int) -> tuple[str, list[str]]:
    name = (name or "").strip()
    if not name:
        raise TokenRefused("name_required")
    if len(name) > NAME_MAX:
        raise TokenRefused("name_too_long", max=NAME_MAX)
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown or not scopes:
        raise TokenRefused("scope_unknown", scopes=", ".join(unknown) or "-")
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused("days_range", max=MAX_DAYS)
    if live >= MAX_LIVE_TOKENS:
        raise TokenRefused("too_many_tokens", max=MAX_LIVE_TOKENS)
    return name, [s for s in API_SCOPES if s in scopes]


def live_tokens(session: Session, user: User, now: datetime) -> list[ApiToken]:
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > now).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def create(session: Session, actor: User | None, owner: User, *, name: str, scopes: list[str],
           days: int = DEFAULT_DAYS, now: datetime) -> NewToken:
    """A new token for `owner`. A user makes their own; an operator (`actor` None: the command
    line) may make one for anyone."""
    if actor is not None and actor.id != owner.id:
        raise AccessDenied("A token is made by its own user.")
    if not owner.active:
        raise TokenRefused("account_inactive")
    name, scopes = _check(name, list(scopes), days, len(live_tokens(session, owner, now)))
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=owner.id, name=name, token_hash=token_hash(secret), prefix=secret[:8],
                   scopes=scopes, created_at=now, expires_at=now + timedelta(days=days))
    session.add(row)
    session.flush()
    audit.record(session, actor, "api_token.create", "api_token", row.id, user=owner.username,
                 name=name, scopes=scopes, expires_at=row.expires_at.isoformat(), by_operator=actor is None)
    return NewToken(row, secret)


def authenticate(session: Session, secret: str, now: datetime) -> tuple[User, ApiToken]:
    """The user and token a bearer secret stands for, or TokenRefused."""
    if not _SHAPE.match(secret or ""):
        raise TokenRefused("token_invalid")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if row is None:
        raise TokenRefused("token_invalid")
    if row.revoked_at is not None:
        raise TokenRefused("token_revoked")
    if row.expires_at <= now:
        raise TokenRefused("token_expired")
    user = row.user
    if not user.active:
        raise TokenRefused("account_inactive")
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return user, row


def revoke(session: Session, actor: User | None, token_id: int, now: datetime) -> ApiToken:
    """End a token at once. Its user may revoke it, and so may an operator (`actor` None)."""
    row = session.get(ApiToken, token_id)
    if row is None or (actor is not None and row.user_id != actor.id):
        raise NotVisible("No such token.")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, actor, "api_token.revoke", "api_token", row.id, user_id=row.user_id,
                     by_operator=actor is None)
    return row


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """Every token of `user`, newest first, live or not, for the token page."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise LookupError(f"No account {username!r}.")
    return user
