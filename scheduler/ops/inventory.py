"""Plain listings of what is in the database, for `scheduler ls` and scripts."""
from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from models import District, Person, Site, Township, User

LISTINGS = ("districts", "townships", "sites", "people", "users")


class UnknownDistrict(LookupError):
    pass


def find_district(session: Session, name_or_code: str) -> District:
    district = session.scalar(
        select(District).where(or_(District.name == name_or_code, District.code == name_or_code))
    )
    if district is None:
        known = ", ".join(f"{d.name} ({d.code})" for d in session.scalars(select(District).order_by(District.code)))
        raise UnknownDistrict(f"No district named {name_or_code!r}. Known districts: {known or 'none'}.")
    return district


def listing(session: Session, what: str, district: str | None = None) -> list[dict[str, Any]]:
    district_id = find_district(session, district).id if district else None
    return _LISTERS[what](session, district_id)


def _districts(session: Session, district_id: int | None) -> list[dict[str, Any]]:
    query = select(District).order_by(District.code)
    if district_id is not None:
        query = query.where(District.id == district_id)
    return [{"id": d.id, "code": d.code, "name": d.name} for d in session.scalars(query)]


def _townships(session: Session, district_id: int | None) -> list[dict[str, Any]]:
    query = select(Township).options(selectinload(Township.district)).order_by(Township.code)
    if district_id is not None:
        query = query.where(Township.district_id == district_id)
    return [
        {"id": t.id, "code": t.code, "name": t.name, "district": t.district.name}
        for t in session.scalars(query)
    ]


def _sites(session: Session, district_id: int | None) -> list[dict[str, Any]]:
    query = select(Site).options(selectinload(Site.district)).order_by(Site.external_id)
    if district_id is not None:
        query = query.where(Site.district_id == district_id)
    return [
        {"id": s.id, "external_id": s.external_id, "kind": s.kind, "name": s.name, "district": s.district.name}
        for s in session.scalars(query)
    ]


def _people(session: Session, district_id: int | None) -> list[dict[str, Any]]:
    query = (
        select(Person)
        .options(selectinload(Person.roles), selectinload(Person.district))
        .order_by(Person.external_id)
    )
    if district_id is not None:
        query = query.where(Person.district_id == district_id)
    return [
        {
            "id": p.id,
            "external_id": p.external_id,
            "name": p.name,
            "roles": ",".join(p.role_names),
            "district": p.district.name,
            "active": p.active,
        }
        for p in session.scalars(query)
    ]


def _users(session: Session, district_id: int | None) -> list[dict[str, Any]]:
    query = select(User).options(selectinload(User.district)).order_by(User.username)
    if district_id is not None:
        query = query.where(User.district_id == district_id)
    return [
        {
            "id": u.id,
            "username": u.username,
            "role": u.role,
            "scope": "city" if u.city_wide else (u.district.name if u.district else ""),
            "active": u.active,
        }
        for u in session.scalars(query)
    ]


_LISTERS = {
    "districts": _districts,
    "townships": _townships,
    "sites": _sites,
    "people": _people,
    "users": _users,
}


def _width(text: str) -> int:
    # Chinese characters take two columns on a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(nothing)"
    columns = list(rows[0])
    cells = [[str(row[c]) for c in columns] for row in rows]
    widths = [max(_width(c), *(_width(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])
