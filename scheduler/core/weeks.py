"""Weeks, local times and the Chinese working calendar.

A scheduling week runs Monday to Sunday in the site's zone (Asia/Shanghai). Statutory
holidays close the windows; a make-up working day (调休, a weekend day worked in exchange for a
day off) opens them with the timetable of the weekday it stands in for.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_ZONE = "Asia/Shanghai"
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date:
    """A week given as any date in it (YYYY-MM-DD); returns its Monday."""
    try:
        return monday_of(date.fromisoformat(text))
    except ValueError as exc:
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def week_days(week_start: date) -> list[date]:
    return [week_start + timedelta(days=i) for i in range(7)]


def next_week_start(today: date) -> date:
    return monday_of(today) + timedelta(days=7)


def to_utc(day: date, moment: time, zone: str = DEFAULT_ZONE) -> datetime:
    return datetime.combine(day, moment, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(moment: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


@lru_cache(maxsize=16)
def _calendar(year: int) -> tuple[dict[date, str], dict[date, date]]:
    """Holidays of a year, and each make-up working day -> the day off it pays for."""
    days = holidays.China(years=(year - 1, year, year + 1))
    makeup: dict[date, date] = {}
    for day_off, name in days.items():
        match = _SUBSTITUTED.search(name)
        if match:
            month, dom, yr = (int(g) for g in match.groups())
            makeup[date(yr, month, dom)] = day_off
    return dict(days), makeup


def holiday_name(day: date) -> str | None:
    return _calendar(day.year)[0].get(day)


def timetable_weekday(day: date) -> int | None:
    """Whose weekly timetable applies on `day`: None on a statutory holiday or day off, the
    replaced weekday on a make-up working day, else the day's own weekday."""
    days_off, makeup = _calendar(day.year)
    if day in days_off:
        return None
    if day in makeup:
        return makeup[day].weekday()
    return day.weekday()
