"""One-time links: invitations (set the first password, 7 days) and password resets (30
minutes), sent through the notification outbox by e-mail or, without an address, by SMS.

A link carries `secrets.token_urlsafe(32)`; only its SHA-256 is stored (`AccountToken`).
Issuing a link makes the account's earlier unused links of the same purpose expire. Using one
sets `used_at` in one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so a link
works once, even when opened twice at the same moment. A reset request gets the same answer
whether or not the account exists (`request_reset` returns nothing). The caller commits.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from models import AccountToken, Person, User
from scheduler.accounts.operations import get_account, is_invited
from scheduler.auth import accounts
from scheduler.auth.accounts import AccountError
from scheduler.core import audit
from scheduler.notices.publish import enqueue

INVITE_FOR = timedelta(days=7)
RESET_FOR = timedelta(minutes=30)
LIFETIME = {"invite": INVITE_FOR, "reset": RESET_FOR}
# The pages the links open (web/accounts serves them under the same paths).
PATHS = {"invite": "/invitation/{token}", "reset": "/password/reset/{token}"}
KINDS = {"invite": "invitation", "reset": "password_reset"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
# A reset request reaches at most this many accounts sharing an address or mobile.
MAX_RESET_ACCOUNTS = 5


class TokenError(ValueError):
    """A link that cannot be used: `code` is "invalid", "used", "expired" or "inactive"."""

    def __init__(self, code: str) -> None:
        super().__init__(f"The link cannot be used: {code}.")
        self.code = code


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(base_url: str, purpose: str, token: str) -> str:
    return base_url.rstrip("/") + PATHS[purpose].format(token=token)


def route_for(user: User, person: Person | None = None) -> Route | None:
    """Where the account's links go: its (or its person's) e-mail, else its mobile (or its
    person's phone) by SMS."""
    person = person if person is not None else user.person
    email = user.email or (person.email if person is not None else None)
    if email:
        return Route("email", email)
    mobile = user.mobile or (person.phone if person is not None else None)
    return Route("sms", mobile) if mobile else None


def verified_route(user: User) -> Route | None:
    """Where a reset link may go: only an address a used link has proven (an invitation
    accepted, a reset done), and only while the account still holds it."""
    if user.verified_email and user.verified_email == user.email:
        return Route("email", user.email)
    if user.verified_mobile and user.verified_mobile == user.mobile:
        return Route("sms", user.mobile)
    return None


def message(purpose: str, user: User, url: str, channel: str) -> tuple[str, str]:
    """Subject and body, Chinese first and English below (a message has no reader language)."""
    if purpose == "invite":
        subject = "公共法律服务排班系统账号邀请 / Your account invitation"
        if channel == "sms":
            return subject, f"【公共法律服务】您的排班系统账号（{user.username}）已开通，请在7天内打开链接设置密码：{url}"
        body = (f"您好！协调员为您开通了公共法律服务排班系统账号，用户名：{user.username}。\n"
                f"请在7天内打开以下链接设置密码（链接只能使用一次）：\n{url}\n\n"
                f"A coordinator has opened an account for you; your username is {user.username}.\n"
                f"Open this link within 7 days to set your password (it works once):\n{url}\n")
    else:
        subject = "重设密码 / Reset your password"
        if channel == "sms":
            return subject, f"【公共法律服务】重设排班系统密码请在30分钟内打开：{url}。非本人操作请忽略。"
        body = (f"有人为账号 {user.username} 申请了重设密码。请在30分钟内打开以下链接设置新密码（只能使用一次）：\n"
                f"{url}\n如果不是您本人申请，请忽略本邮件，密码不会改变。\n\n"
                f"Someone asked to reset the password of {user.username}. Open this link within 30 minutes "
                f"to choose a new one (it works once):\n{url}\nIf it was not you, ignore this message.\n")
    return subject, body


def issue_many(session: Session, users: list[tuple[User, Person | None]], purpose: str, now: datetime,
               base_url: str) -> dict[str, int]:
    """A new link of `purpose` for each account, sent by its route; the accounts' earlier unused
    links of that purpose expire now. Returns how many went by each channel ("none": no route)."""
    ids = [u.id for u, _ in users]
    for start in range(0, len(ids), 900):
        session.execute(
            update(AccountToken).where(AccountToken.user_id.in_(ids[start:start + 900]),
                                       AccountToken.purpose == purpose, AccountToken.used_at.is_(None),
                                       AccountToken.expires_at > now)
            .values(expires_at=now).execution_options(synchronize_session=False))
    rows, counts = [], {"email": 0, "sms": 0, "none": 0}
    for user, person in users:
        token = secrets.token_urlsafe(32)
        route = route_for(user, person) if purpose == "invite" else verified_route(user)
        digest = token_hash(token)
        rows.append(dict(user_id=user.id, purpose=purpose, token_hash=digest, created_at=now,
                         expires_at=now + LIFETIME[purpose], sent_by_channel=route.channel if route else None,
                         sent_to=route.recipient if route else None))
        counts[route.channel if route else "none"] += 1
        if route is not None:
            url = link(base_url, purpose, token)
            subject, body = message(purpose, user, url, route.channel)
            enqueue(session, recipient=route.recipient, subject=subject, body=body, kind=KINDS[purpose],
                    dedupe_key=f"account-{purpose}:{digest[:40]}", now=now, channel=route.channel,
                    params={"username": user.username, "link": url}, audience=f"user:{user.id}",
                    district_id=user.district_id)
    if rows:
        session.execute(insert(AccountToken), rows)
    return counts


def send_invitation(session: Session, actor: User | None, user: User, now: datetime, base_url: str) -> str | None:
    """Invite `user` (a new account): returns the channel used, None when it has no route."""
    counts = issue_many(session, [(user, None)], "invite", now, base_url)
    channel = next((c for c in ("email", "sms") if counts[c]), None)
    audit.record(session, actor, "account.invite", "user", user.username, user.district_id, channel=channel)
    return channel


def resend_invitation(session: Session, actor: User, user_id: int, now: datetime, base_url: str) -> str | None:
    """A fresh invitation for an account still waiting for its password; the old link expires."""
    user = get_account(session, actor, user_id)
    if not is_invited(user):
        raise AccountError("already_set_up", "The account has set its password already.")
    if not user.active:
        raise AccountError("account_inactive", "The account is deactivated.")
    return send_invitation(session, actor, user, now, base_url)


def check_link(session: Session, token: str, purpose: str, now: datetime) -> User:
    """The account a link is for, if the link may still be used; else `TokenError`."""
    row = _row(session, token, purpose)
    if row.used_at is not None:
        raise TokenError("used")
    if row.expires_at <= now:
        raise TokenError("expired")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise TokenError("inactive")
    if purpose == "invite" and not is_invited(user):
        raise TokenError("used")
    return user


def _row(session: Session, token: str, purpose: str) -> AccountToken:
    if not _TOKEN.match(token or ""):
        raise TokenError("invalid")
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(token),
                                                    AccountToken.purpose == purpose))
    if row is None:
        raise TokenError("invalid")
    return row


def _consume(session: Session, token: str, purpose: str, now: datetime, user: User) -> None:
    """Mark the link used, in one conditional UPDATE: only the first use passes. The address
    the link went to is then proven to reach the owner."""
    used = session.execute(
        update(AccountToken)
        .where(AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose,
               AccountToken.used_at.is_(None), AccountToken.expires_at > now)
        .values(used_at=now).returning(AccountToken.sent_by_channel, AccountToken.sent_to)
        .execution_options(synchronize_session=False)
    ).first()
    if used is None:
        check_link(session, token, purpose, now)  # says why
        raise TokenError("used")
    channel, address = used
    # An invitation may have gone to the person's own address: the account takes it.
    if channel == "email" and address:
        user.email = user.email or address
        user.verified_email = address
    elif channel == "sms" and address:
        user.mobile = user.mobile or address
        user.verified_mobile = address


def accept_invitation(session: Session, token: str, password: str, now: datetime) -> User:
    """Set the first password through an invitation link (the password rules apply; a refused
    password leaves the link usable)."""
    user = check_link(session, token, "invite", now)
    accounts.check_password_rules(password, user.username, user.display_name)
    _consume(session, token, "invite", now, user)
    _set_password(session, user, password)
    audit.record(session, user, "account.invitation_accepted", "user", user.username, user.district_id)
    session.flush()
    return user


def reset_with_link(session: Session, token: str, password: str, now: datetime) -> User:
    """Set a new password through a reset link: the account is unlocked, every session ends,
    and its other reset links expire."""
    user = check_link(session, token, "reset", now)
    accounts.check_password_rules(password, user.username, user.display_name)
    _consume(session, token, "reset", now, user)
    _set_password(session, user, password)
    session.execute(update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == "reset",
                                               AccountToken.used_at.is_(None), AccountToken.expires_at > now)
                    .values(expires_at=now).execution_options(synchronize_session=False))
    audit.record(session, user, "account.password_reset", "user", user.username, user.district_id)
    session.flush()
    return user


def _set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = accounts.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    accounts.end_sessions(session, user)


def request_reset(session: Session, identifier: str, now: datetime, base_url: str) -> None:
    """Send a reset link to each active account the username, e-mail or mobile names (at most
    MAX_RESET_ACCOUNTS). Returns nothing: the caller answers the same either way."""
    text = (identifier or "").strip()
    if not text or len(text) > 254 or any(ord(ch) < 32 or ch == "\x7f" for ch in text):
        return
    lowered = text.lower()
    found = list(session.scalars(
        select(User).outerjoin(Person, Person.id == User.person_id)
        .where(User.active.is_(True), or_(func.lower(User.username) == lowered, func.lower(User.email) == lowered,
                                          func.lower(Person.email) == lowered, User.mobile == text,
                                          Person.phone == text))
        .order_by(User.id).limit(MAX_RESET_ACCOUNTS)))
    if not found:
        return
    issue_many(session, [(user, None) for user in found], "reset", now, base_url)
    for user in found:
        audit.record(session, None, "account.reset_requested", "user", user.username, user.district_id)
