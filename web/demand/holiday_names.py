"""Holiday names in the reader's language (the `holidays` package names them in Chinese and
in English)."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
from flask_babel import get_locale


@lru_cache(maxsize=8)
def _names(year: int, language: str) -> dict[date, str]:
    return dict(holidays.China(years=year, language=language))


def holiday_label(day: date, fallback: str | None = None) -> str:
    language = "en_US" if str(get_locale() or "").startswith("en") else "zh_CN"
    return _names(day.year, language).get(day) or fallback or ""
