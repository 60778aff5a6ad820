"""Bodies of the API's public operations: what the portal pages show, as data for the
mobile app and WeChat entry points. Built from scheduler.portal's own views, so the API and
the pages never disagree; nothing here holds a mobile number or a villager's data."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProductOut(Out):
    id: int
    code: str
    name: str
    provider: str
    where_when: str
    bring: str = Field(description="What to bring: the one-time list (一次性告知)")
    free: bool
    fee: str


class ProductsOut(Out):
    items: list[ProductOut]


class SiteSummaryOut(Out):
    id: int
    external_id: str
    name: str
    kind: str
    kind_label: str
    district: str
    township: str
    address: str
    office_phone: str


class SitesOut(Out):
    items: list[SiteSummaryOut]


class DayHoursOut(Out):
    day: date
    weekday: str
    hours: list[str]
    holiday: str | None = None
    makeup: bool


class OnDutyOut(Out):
    name: str
    role: str
    badge_no: str
    hours: str


class DutyDayOut(Out):
    day: date
    weekday: str
    people: list[OnDutyOut]


class NumbersOut(Out):
    hotline: str
    complaint: str


class SitePageOut(Out):
    site: SiteSummaryOut
    week_start: date
    hours: list[DayHoursOut]
    today: list[OnDutyOut]
    week: list[DutyDayOut]
    published: bool = Field(description="False: this week's roster is not published yet, so no names")
    numbers: NumbersOut


class AdviserOut(Out):
    name: str
    role: str
    organisation: str
    office_phone: str


class VisitLineOut(Out):
    day: date
    weekday: str
    start: str
    end: str
    people: str
    requested: bool


class VillagePageOut(Out):
    id: int
    external_id: str
    name: str
    township: str
    district_id: int
    district: str
    address: str
    adviser: AdviserOut | None = None
    rhythm: str
    visits: list[VisitLineOut]
    numbers: NumbersOut
    page_url: str
    calendar_url: str
    webcal_url: str


class VillageLinkOut(Out):
    id: int
    external_id: str
    name: str
    township: str


class VillagesOut(Out):
    items: list[VillageLinkOut]


class ReferralOut(Out):
    id: int
    name: str
    address: str
    contact: str
    phone: str
    handles: str
    city_wide: bool


class ReferralsOut(Out):
    items: list[ReferralOut]


class DistrictQuery(BaseModel):
    district_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class VillageQuery(DistrictQuery):
    q: str | None = Field(default=None, max_length=32)
