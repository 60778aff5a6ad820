"""Who may see what: rules over the acting user, shared by the web app and any other
entry point. All are pure but `visible_districts`, which reads the districts in scope.

Two refusals: `AccessDenied` when the user may not use a function at all, or may not see a
district (the web layer answers 403); `NotVisible` when an object addressed by id lies outside
the user's districts (the web layer answers 404, as for an id that does not exist, so ids
reveal nothing about other districts).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from models import District, User


class AccessDenied(PermissionError):
    pass


class NotVisible(LookupError):
    pass


def is_coordinator(user: User) -> bool:
    return user.active and user.role == "coordinator"


def visible_district_ids(user: User) -> frozenset[int] | None:
    """The districts whose data the user may see: None means every district (city-wide)."""
    if not is_coordinator(user):
        return frozenset()
    if user.city_wide:
        return None
    return frozenset({user.district_id}) if user.district_id is not None else frozenset()


def can_see_district(user: User, district_id: int) -> bool:
    scope = visible_district_ids(user)
    return scope is None or district_id in scope


def require_role(user: User, *roles: str) -> None:
    if not user.active or user.role not in roles:
        raise AccessDenied(f"This needs the role {' or '.join(roles)}.")


def require_district(user: User, district_id: int) -> None:
    """Refuse unless `user` coordinates `district_id` (or the whole city)."""
    if not can_see_district(user, district_id):
        raise AccessDenied(f"District {district_id} is outside this account's scope.")


def require_visible(user: User, district_id: int | None) -> None:
    """Refuse an object of `district_id` as if it did not exist when it is out of scope."""
    if district_id is None or not can_see_district(user, district_id):
        raise NotVisible("No such object in this account's districts.")


def district_filter(user: User, column: ColumnElement[int]) -> ColumnElement[bool]:
    """A WHERE clause limiting `column` (a district id column) to the user's districts."""
    scope = visible_district_ids(user)
    if scope is None:
        return true()
    return column.in_(sorted(scope))


def visible_districts(session: Session, user: User) -> list[District]:
    """The districts a coordinator may see, for filters and menus."""
    require_role(user, "coordinator")
    return list(session.scalars(select(District).where(district_filter(user, District.id)).order_by(District.code)))


def scoped_ids(user: User, district_ids: Iterable[int]) -> list[int]:
    """The subset of `district_ids` the user may see, in the given order."""
    return [d for d in district_ids if can_see_district(user, d)]
