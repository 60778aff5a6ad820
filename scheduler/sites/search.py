"""Sites for coordinators: search and read, within the acting user's districts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from models import Pairing, Person, Site, User
from scheduler.core.access import district_filter, require_district, require_role, require_visible
from scheduler.core.paging import PER_PAGE, Page, matches_text, paginate


@dataclass(frozen=True)
class SitesQuery:
    text: str = ""
    district_id: int | None = None
    kind: str | None = None
    active: bool | None = True
    page: int = 1


def search_sites(session: Session, user: User, query: SitesQuery, per_page: int = PER_PAGE) -> Page:
    require_role(user, "coordinator")
    stmt: Select[Any] = select(Site).where(district_filter(user, Site.district_id))
    if query.district_id is not None:
        require_district(user, query.district_id)
        stmt = stmt.where(Site.district_id == query.district_id)
    if query.kind:
        stmt = stmt.where(Site.kind == query.kind)
    if query.active is not None:
        stmt = stmt.where(Site.active.is_(query.active))
    if query.text.strip():
        stmt = stmt.where(matches_text(query.text, Site.name, Site.external_id, Site.address))
    stmt = stmt.options(selectinload(Site.district), selectinload(Site.township)).order_by(Site.external_id)
    return paginate(session, stmt, query.page, per_page)


def get_site(session: Session, user: User, site_id: int) -> Site:
    require_role(user, "coordinator")
    site = session.scalar(
        select(Site).where(Site.id == site_id).options(selectinload(Site.district), selectinload(Site.township))
    )
    require_visible(user, site.district_id if site else None)
    assert site is not None
    return site


def pairing_history(session: Session, site: Site) -> list[Pairing]:
    """Every adviser the site has had, the newest first."""
    return list(session.scalars(
        select(Pairing).where(Pairing.site_id == site.id)
        .options(selectinload(Pairing.person).selectinload(Person.organisation))
        .order_by(Pairing.valid_from.desc(), Pairing.id.desc())
    ))


def current_of(history: list[Pairing], today: date) -> Pairing | None:
    """The pairing in force on `today`, if any."""
    return next((p for p in history if p.valid_from <= today and (p.valid_to is None or p.valid_to >= today)), None)
