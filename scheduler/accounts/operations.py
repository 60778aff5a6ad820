"""Accounts managed by coordinators: list and search, create one account, unlock, deactivate
and reactivate, and (the city's coordinators) a coordinator's scope.

Who manages whom: a district coordinator manages the provider and village accounts of their
own district; a city-wide coordinator manages every account, coordinators included. Another
district's account, or a coordinator account for a district coordinator, is `NotVisible`
(404) as if it did not exist. A new account has no usable password: it is "invited" until its
owner opens the invitation link (`scheduler.accounts.invitations`). Every change is audited.
The caller commits.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, select, true
from sqlalchemy.orm import Session, selectinload

from models import District, Person, Site, User
from models.vocab import USER_ROLES
from scheduler.auth import accounts
from scheduler.auth.accounts import AccountError
from scheduler.core import audit
from scheduler.core.access import (
    AccessDenied,
    require_district,
    require_role,
    require_visible,
    visible_district_ids,
)
from scheduler.core.paging import PER_PAGE, Page, matches_text, paginate

# Control characters (NUL among them, which PostgreSQL refuses in text) never reach a query.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
STATES = ("active", "invited", "locked", "deactivated")
# A password hash no password matches (werkzeug refuses a hash without its `$` parts): the
# account waits for its owner to set one through the invitation link.
INVITED_PREFIX = "!invited:"


def unusable_password() -> str:
    # Random, so each invited account's session digest differs.
    return INVITED_PREFIX + secrets.token_hex(16)


def is_invited(user: User) -> bool:
    return user.password_hash.startswith(INVITED_PREFIX)


def account_state(user: User, now: datetime) -> str:
    if not user.active:
        return "deactivated"
    if is_invited(user):
        return "invited"
    if accounts.is_locked(user, now):
        return "locked"
    return "active"


def _state_filter(state: str, now: datetime) -> ColumnElement[bool]:
    invited = User.password_hash.startswith(INVITED_PREFIX)
    locked = and_(User.locked_until.is_not(None), User.locked_until > now)
    if state == "deactivated":
        return User.active.is_(False)
    if state == "invited":
        return and_(User.active.is_(True), invited)
    if state == "locked":
        return and_(User.active.is_(True), ~invited, locked)
    return and_(User.active.is_(True), ~invited, ~locked)


def manageable(actor: User) -> ColumnElement[bool]:
    """The accounts `actor` manages, as a WHERE clause on `users`."""
    scope = visible_district_ids(actor)
    if scope is None:
        return true()
    if not scope:
        return false()
    return and_(User.role != "coordinator", User.district_id.in_(sorted(scope)))


def may_manage(actor: User, user: User) -> bool:
    scope = visible_district_ids(actor)
    if scope is None:
        return True
    return user.role != "coordinator" and user.district_id in scope


@dataclass(frozen=True)
class AccountQuery:
    text: str = ""
    role: str | None = None
    state: str | None = None
    district_id: int | None = None
    page: int = 1


def search_accounts(session: Session, actor: User, query: AccountQuery, now: datetime,
                    per_page: int = PER_PAGE) -> Page:
    require_role(actor, "coordinator")
    stmt: Select[Any] = select(User).where(manageable(actor))
    if query.district_id is not None:
        require_district(actor, query.district_id)
        stmt = stmt.where(User.district_id == query.district_id)
    if query.role in USER_ROLES:
        stmt = stmt.where(User.role == query.role)
    if query.state in STATES:
        stmt = stmt.where(_state_filter(query.state, now))
    text = _CONTROLS.sub("", query.text)
    if text.strip():
        stmt = stmt.where(matches_text(text, User.username, User.display_name))
    stmt = stmt.options(selectinload(User.district), selectinload(User.person), selectinload(User.village)) \
        .order_by(User.username, User.id)
    return paginate(session, stmt, query.page, per_page)


def get_account(session: Session, actor: User, user_id: int) -> User:
    """An account `actor` manages, else `NotVisible` (another district's, or a coordinator)."""
    require_role(actor, "coordinator")
    user = session.get(User, user_id)
    if user is None or not may_manage(actor, user):
        require_visible(actor, None)
    assert user is not None
    return user


def clean_username(username: str) -> str:
    return username.strip()


def suggested_username(ref: str) -> str:
    """The username an account gets when none is given: the external id, lower case."""
    return ref.strip().lower()


def create_person_account(session: Session, actor: User, person_id: int, *, username: str | None = None,
                          email: str | None = None, mobile: str | None = None) -> User:
    """A provider account for a person of `actor`'s districts, invited (no password yet)."""
    require_role(actor, "coordinator")
    person = session.get(Person, person_id)
    require_visible(actor, person.district_id if person else None)
    assert person is not None
    if not person.active:
        raise AccountError("person_inactive", "The person is deactivated.", name=person.name)
    name = clean_username(username or suggested_username(person.external_id))
    return _new_account(session, actor, name, role="provider", person=person, email=email or person.email,
                        mobile=mobile or person.phone, display_name=person.name)


def create_village_account(session: Session, actor: User, village_id: int, *, username: str | None = None,
                           display_name: str | None = None, email: str | None = None,
                           mobile: str | None = None) -> User:
    """A village representative's account for a village of `actor`'s districts, invited."""
    require_role(actor, "coordinator")
    village = session.get(Site, village_id)
    require_visible(actor, village.district_id if village else None)
    assert village is not None
    name = clean_username(username or suggested_username(village.external_id))
    return _new_account(session, actor, name, role="village", village=village, email=email,
                        mobile=mobile or village.phone, display_name=display_name or village.name)


def create_coordinator_account(session: Session, actor: User, *, username: str, district_id: int | None,
                               display_name: str | None = None, email: str | None = None,
                               mobile: str | None = None) -> User:
    """A coordinator account (city coordinators only): of one district, or city-wide when
    `district_id` is None. The invitee enrols a second factor after setting the password."""
    _require_city(actor)
    district = _district(session, district_id)
    return _new_account(session, actor, clean_username(username), role="coordinator", district=district,
                        city_wide=district is None, email=email, mobile=mobile, display_name=display_name)


def _new_account(session: Session, actor: User, username: str, *, role: str, email: str | None,
                 mobile: str | None, display_name: str | None, person: Person | None = None,
                 village: Site | None = None, district: District | None = None, city_wide: bool = False) -> User:
    if any(_CONTROLS.search(value or "") for value in (username, email, mobile, display_name)):
        raise AccountError("bad_username", "Control characters are not allowed.", username=username)
    accounts._check_username(session, username)
    accounts._check_links(session, role, district, city_wide, person, village)
    user = User(
        username=username, password_hash=unusable_password(), role=role,
        display_name=(display_name or "").strip()[:64] or None,
        email=(email or "").strip() or None, mobile=(mobile or "").strip() or None,
        district_id=accounts._home_district_id(district, person, village), city_wide=city_wide,
        person_id=person.id if person else None, village_id=village.id if village else None,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "account.create", "user", user.username, user.district_id, role=role,
                 city_wide=city_wide)
    return user


def unlock_account(session: Session, actor: User, user_id: int) -> User:
    user = get_account(session, actor, user_id)
    accounts.unlock(session, user)
    audit.record(session, actor, "account.unlock", "user", user.username, user.district_id)
    return user


def set_account_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate (every session ends at once) or reactivate; never one's own account."""
    user = get_account(session, actor, user_id)
    if user.id == actor.id:
        raise AccountError("own_account", "You cannot deactivate or reactivate your own account.")
    if user.active != active:
        user.active = active
        if not active:
            accounts.end_sessions(session, user)
        audit.record(session, actor, "account.reactivate" if active else "account.deactivate", "user",
                     user.username, user.district_id)
        session.flush()
    return user


def change_scope(session: Session, actor: User, user_id: int, district_id: int | None) -> User:
    """Make a coordinator account coordinate one district, or the city (`district_id` None).
    City coordinators only, not their own account; the account's sessions end."""
    _require_city(actor)
    user = get_account(session, actor, user_id)
    if user.role != "coordinator":
        raise AccountError("not_a_coordinator", "Only a coordinator account has a scope.")
    if user.id == actor.id:
        raise AccountError("own_account", "You cannot change the scope of your own account.")
    district = _district(session, district_id)
    before = "city" if user.city_wide else user.district_id
    after = "city" if district is None else district.id
    if before != after:
        user.city_wide = district is None
        user.district_id = district.id if district else None
        accounts.end_sessions(session, user)
        audit.record(session, actor, "account.scope", "user", user.username, user.district_id,
                     scope=[before, after])
        session.flush()
    return user


def _require_city(actor: User) -> None:
    require_role(actor, "coordinator")
    if visible_district_ids(actor) is not None:
        raise AccessDenied("Only a city-wide coordinator manages coordinator accounts.")


def _district(session: Session, district_id: int | None) -> District | None:
    if district_id is None:
        return None
    district = session.get(District, district_id)
    if district is None:
        raise AccountError("unknown_district", "No such district.")
    return district


def taken_usernames(session: Session, names: list[str]) -> list[str]:
    """The `names` (compared case-insensitively) that an account already has."""
    lowered = sorted({n.lower() for n in names})
    taken: list[str] = []
    for start in range(0, len(lowered), 900):
        chunk = lowered[start:start + 900]
        taken.extend(session.scalars(select(User.username).where(func.lower(User.username).in_(chunk))))
    return sorted(taken)
