"""A district's public numbers: the 12348 hotline and the complaint and supervision number
shown on its public pages (公示上墙). Unset, the city's: 12348 and the settings'
complaint_phone (SCHEDULER_COMPLAINT_PHONE). A district's coordinators set them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models import District, User
from scheduler.core import audit
from scheduler.core.access import NotVisible, require_district, require_role
from scheduler.core.config import HOTLINE

PHONE_SHAPE = re.compile(r"[0-9+\- ()]{3,32}")


@dataclass(frozen=True)
class PublicNumbers:
    """12348 and the complaint and supervision number of a district."""

    hotline: str
    complaint: str


class NumbersError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def public_numbers(district: District | None, complaint_phone: str = HOTLINE) -> PublicNumbers:
    """The district's own numbers, or the city's (`complaint_phone` from the settings, 12348)."""
    if district is None:
        return PublicNumbers(HOTLINE, complaint_phone)
    return PublicNumbers(district.hotline or HOTLINE, district.complaint_phone or complaint_phone)


def district_for_numbers(session: Session, actor: User, district_id: int) -> District:
    """The district whose numbers a coordinator edits (`AccessDenied` outside their scope)."""
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    district = session.get(District, district_id)
    if district is None:
        raise NotVisible(f"no district {district_id}")
    return district


def set_public_numbers(session: Session, actor: User, district_id: int, hotline: str | None,
                       complaint_phone: str | None) -> District:
    """Set (or, empty, clear back to the city's) a district's hotline and complaint number;
    audited. `NumbersError("bad_phone")` for anything but digits, spaces, +, - and brackets."""
    district = district_for_numbers(session, actor, district_id)
    values = [(v or "").strip() or None for v in (hotline, complaint_phone)]
    if any(v is not None and not PHONE_SHAPE.fullmatch(v) for v in values):
        raise NumbersError("bad_phone")
    before = (district.hotline, district.complaint_phone)
    district.hotline, district.complaint_phone = values
    session.flush()
    audit.record(session, actor, "district.public_numbers", "district", district.id, district.id,
                 hotline=[before[0], values[0]], complaint_phone=[before[1], values[1]])
    return district
