"""The referral directory (一次性告知): other departments, for what the public legal service
does not handle. Anyone reads a district's entries (its own and the city's); coordinators
keep them: a district coordinator their district's, a city coordinator any, and the
city-wide ones (district NULL). Each edit is audited; no function commits.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import District, Referral, User
from scheduler.core import audit
from scheduler.core.access import AccessDenied, NotVisible, district_filter, require_district, require_role
from scheduler.portal.words import pick


@dataclass(frozen=True)
class ReferralEntry:
    """One department in the reader's language."""

    id: int
    name: str
    address: str
    contact: str
    phone: str
    handles: str
    city_wide: bool


@dataclass(frozen=True)
class ReferralData:
    district_id: int | None
    name_zh: str
    name_en: str = ""
    address: str = ""
    contact: str = ""
    phone: str = ""
    handles_zh: str = ""
    handles_en: str = ""


@dataclass(frozen=True)
class ReferralRecord:
    id: int
    active: bool
    district: str
    data: ReferralData


class ReferralError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def list_referrals(session: Session, district_id: int | None, locale: str | None = None) -> list[ReferralEntry]:
    """The active entries of a district (its own first, then the city's); without a district,
    the city's only."""
    scope = Referral.district_id.is_(None) if district_id is None else \
        or_(Referral.district_id == district_id, Referral.district_id.is_(None))
    rows = session.scalars(select(Referral).where(Referral.active, scope)
                           .order_by(Referral.district_id.is_(None), Referral.name_zh, Referral.id))
    return [ReferralEntry(r.id, pick(r.name_zh, r.name_en, locale), r.address, r.contact, r.phone,
                          pick(r.handles_zh, r.handles_en, locale), r.district_id is None) for r in rows]


def _record(row: Referral, names: dict[int, str]) -> ReferralRecord:
    return ReferralRecord(row.id, row.active, names.get(row.district_id, "") if row.district_id else "",
                          ReferralData(**{f.name: getattr(row, f.name) for f in fields(ReferralData)}))


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(District.id, District.name)).all())


def editable_referrals(session: Session, actor: User) -> list[ReferralRecord]:
    """Every entry the coordinator may edit (inactive ones too): their districts', and the
    city's for a city coordinator."""
    require_role(actor, "coordinator")
    scope = district_filter(actor, Referral.district_id)
    if actor.city_wide:
        scope = or_(scope, Referral.district_id.is_(None))
    names = _names(session)
    return [_record(r, names) for r in session.scalars(
        select(Referral).where(scope).order_by(Referral.district_id, Referral.name_zh, Referral.id))]


def _may_keep(actor: User, district_id: int | None) -> None:
    require_role(actor, "coordinator")
    if district_id is None:
        if not actor.city_wide:
            raise AccessDenied("Only a city coordinator keeps the city-wide entries.")
    else:
        require_district(actor, district_id)


def _get(session: Session, actor: User, referral_id: int) -> Referral:
    require_role(actor, "coordinator")
    row = session.get(Referral, referral_id)
    if row is None:
        raise NotVisible(f"no referral {referral_id}")
    try:
        _may_keep(actor, row.district_id)
    except AccessDenied as exc:
        raise NotVisible(f"no referral {referral_id}") from exc
    return row


def _check(data: ReferralData) -> None:
    if not (data.name_zh or "").strip():
        raise ReferralError("name_missing")
    if not ((data.phone or "").strip() or (data.address or "").strip()):
        raise ReferralError("no_way_to_reach")


def referral_for_edit(session: Session, actor: User, referral_id: int) -> ReferralRecord:
    return _record(_get(session, actor, referral_id), _names(session))


def create_referral(session: Session, actor: User, data: ReferralData) -> ReferralRecord:
    _may_keep(actor, data.district_id)
    _check(data)
    row = Referral(**{f.name: getattr(data, f.name) for f in fields(ReferralData)})
    session.add(row)
    session.flush()
    audit.record(session, actor, "referral.create", "referral", row.id, row.district_id, name=row.name_zh)
    return _record(row, _names(session))


def update_referral(session: Session, actor: User, referral_id: int, data: ReferralData) -> ReferralRecord:
    row = _get(session, actor, referral_id)
    _may_keep(actor, data.district_id)  # moving an entry needs the target's scope too
    _check(data)
    for f in fields(ReferralData):
        setattr(row, f.name, getattr(data, f.name))
    session.flush()
    audit.record(session, actor, "referral.update", "referral", row.id, row.district_id, name=row.name_zh)
    return _record(row, _names(session))


def set_referral_active(session: Session, actor: User, referral_id: int, active: bool) -> ReferralRecord:
    row = _get(session, actor, referral_id)
    row.active = active
    session.flush()
    audit.record(session, actor, "referral.activate" if active else "referral.deactivate", "referral", row.id,
                 row.district_id, name=row.name_zh)
    return _record(row, _names(session))
