"""The reader's language for the public pages, and the public numbers of a district."""
from __future__ import annotations

from dataclasses import dataclass

from models import District
from scheduler.core.config import HOTLINE
from scheduler.core.zh_names import ROLE_EN, ROLE_ZH, SITE_KIND_ZH, WEEKDAY_EN, WEEKDAY_ZH

SITE_KIND_EN = {"village": "village (community)", "window": "township judicial office window",
                "square": "square", "centre": "public legal service centre", "station": "legal aid station"}


def english(locale: str | None) -> bool:
    """True when the reader asked for English; Chinese is the default."""
    return (locale or "").lower().startswith("en")


def pick(zh: str, en: str, locale: str | None) -> str:
    """The English text for an English reader when there is one, else the Chinese."""
    return en if english(locale) and en else zh


def roles_in(roles: list[str], locale: str | None) -> str:
    names = ROLE_EN if english(locale) else ROLE_ZH
    return (", " if english(locale) else "、").join(names.get(r, r) for r in roles)


def weekday_in(weekday: int, locale: str | None) -> str:
    return (WEEKDAY_EN if english(locale) else WEEKDAY_ZH)[weekday]


def site_kind_in(kind: str, locale: str | None) -> str:
    return (SITE_KIND_EN if english(locale) else SITE_KIND_ZH).get(kind, kind)


@dataclass(frozen=True)
class PublicNumbers:
    """12348 and the complaint and supervision number of a district."""

    hotline: str
    complaint: str


def public_numbers(district: District | None, complaint_phone: str = HOTLINE) -> PublicNumbers:
    """The district's own numbers, or the city's (`complaint_phone` from the settings, 12348)."""
    if district is None:
        return PublicNumbers(HOTLINE, complaint_phone)
    return PublicNumbers(district.hotline or HOTLINE, district.complaint_phone or complaint_phone)
