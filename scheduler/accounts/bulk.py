"""Accounts for a whole district at once: every active person (of a role, or paired with a
village of a township) without an account, and every active village without a representative
account. Each account is invited like a single one (`scheduler.accounts.invitations`).

All or nothing: every username is checked before anything is written, the rows are written
inside a savepoint, and any failure (a taken username, a row the database refuses) leaves no
account, link or message behind. The rows go in with multi-row INSERTs, so a demo district
(300 villages and 3,200 people) takes seconds (benchmarks/accounts.py). The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from models import AuditEntry, Pairing, Person, PersonRole, Site, User
from scheduler.accounts.invitations import issue_many, route_for
from scheduler.accounts.operations import suggested_username, taken_usernames, unusable_password
from scheduler.auth.accounts import AccountError
from scheduler.core import audit
from scheduler.core.access import require_district, require_role
from scheduler.home.overview import current_pairing_condition


@dataclass(frozen=True)
class BulkResult:
    created: int
    # Invitations sent per channel; "none": accounts with neither e-mail nor mobile.
    sent: dict[str, int] = field(default_factory=dict)


def people_without_accounts(session: Session, actor: User, district_id: int, today: date, *,
                            role: str | None = None, township_id: int | None = None) -> list[Person]:
    """The active people of the district, of `role` and/or advising a village of
    `township_id`, who have no account yet."""
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    stmt = select(Person).where(Person.district_id == district_id, Person.active.is_(True),
                                ~select(User.id).where(User.person_id == Person.id).exists())
    if role:
        stmt = stmt.where(Person.roles.any(PersonRole.role == role))
    if township_id is not None:
        stmt = stmt.where(select(Pairing.id).join(Site, Site.id == Pairing.site_id)
                          .where(Pairing.person_id == Person.id, Site.township_id == township_id,
                                 current_pairing_condition(today)).exists())
    return list(session.scalars(stmt.order_by(Person.external_id)))


def villages_without_accounts(session: Session, actor: User, district_id: int, *,
                              township_id: int | None = None) -> list[Site]:
    """The active villages of the district (of `township_id`) with no representative account."""
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    stmt = select(Site).where(Site.district_id == district_id, Site.kind == "village", Site.active.is_(True),
                              ~select(User.id).where(User.village_id == Site.id).exists())
    if township_id is not None:
        stmt = stmt.where(Site.township_id == township_id)
    return list(session.scalars(stmt.order_by(Site.external_id)))


def create_people_accounts(session: Session, actor: User, district_id: int, now: datetime, today: date,
                           base_url: str, *, role: str | None = None, township_id: int | None = None) -> BulkResult:
    people = people_without_accounts(session, actor, district_id, today, role=role, township_id=township_id)
    rows = [dict(username=suggested_username(p.external_id), role="provider", display_name=p.name[:64],
                 email=p.email or None, mobile=p.phone or None, district_id=p.district_id, person_id=p.id)
            for p in people]
    return _create(session, actor, district_id, rows, now, base_url, "people", role=role, township_id=township_id)


def create_village_accounts(session: Session, actor: User, district_id: int, now: datetime, base_url: str, *,
                            township_id: int | None = None) -> BulkResult:
    villages = villages_without_accounts(session, actor, district_id, township_id=township_id)
    rows = [dict(username=suggested_username(v.external_id), role="village", display_name=v.name[:64],
                 email=None, mobile=v.phone or None, district_id=v.district_id, village_id=v.id)
            for v in villages]
    return _create(session, actor, district_id, rows, now, base_url, "villages", township_id=township_id)


def _create(session: Session, actor: User, district_id: int, rows: list[dict], now: datetime, base_url: str,
            what: str, **criteria: object) -> BulkResult:
    if not rows:
        return BulkResult(0, {"email": 0, "sms": 0, "none": 0})
    _check_usernames(session, [r["username"] for r in rows])
    with session.begin_nested():
        for row in rows:
            row.update(password_hash=unusable_password(), locale="zh_Hans_CN", created_at=now, updated_at=now)
        ids = list(session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows))
        users = list(session.scalars(select(User).where(User.id.in_(ids)).options(selectinload(User.person))
                                     .order_by(User.id))) if len(ids) <= 900 else _load(session, ids)
        sent = issue_many(session, [(u, u.person) for u in users], "invite", now, base_url)
        session.execute(insert(AuditEntry), [
            dict(user_id=actor.id, district_id=u.district_id, action="account.create", object_type="user",
                 object_id=u.username, details={"role": u.role, "bulk": True, "invited_by": _channel(u)})
            for u in users])
        audit.record(session, actor, "account.bulk_create", "district", district_id, district_id,
                     what=what, created=len(users), sent=sent,
                     **{k: v for k, v in criteria.items() if v is not None})
        session.flush()
    return BulkResult(len(users), sent)


def _channel(user: User) -> str | None:
    route = route_for(user, user.person)
    return route.channel if route else None


def _load(session: Session, ids: list[int]) -> list[User]:
    users: list[User] = []
    for start in range(0, len(ids), 900):
        users.extend(session.scalars(select(User).where(User.id.in_(ids[start:start + 900]))
                                     .options(selectinload(User.person))))
    return sorted(users, key=lambda u: u.id)


def _check_usernames(session: Session, names: list[str]) -> None:
    bad = [n for n in names if not n or len(n) > 64 or any(ch.isspace() for ch in n)]
    if bad:
        raise AccountError("bad_username", f"Unusable usernames: {', '.join(bad[:10])}.", username=", ".join(bad[:10]))
    seen: set[str] = set()
    twice: set[str] = set()
    for name in names:
        (twice if name.lower() in seen else seen).add(name.lower())
    taken = sorted(set(taken_usernames(session, names)) | set(twice))
    if taken:
        raise AccountError("usernames_taken", f"These usernames are taken already: {', '.join(taken[:10])}.",
                           usernames=", ".join(taken[:10]), count=len(taken))
