"""The reader's language for the public pages: texts kept in both, vocabularies, weekdays."""
from __future__ import annotations

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

