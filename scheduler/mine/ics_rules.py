"""The recurrence rules a calendar upload may hold, as the screen (`scheduler.mine.ics_budget`)
reads them: only the shapes calendar programs write, so that every rule either ends or keeps
making dates. dateutil, under recurring-ical-events, looks for a rule's next date period by
period until the year 9999, so a rule that can never make one (every day on 30 February, the
9th Monday of a month, a daily rule every 7 days on a weekday its start never falls on)
would keep it busy for seconds to minutes: such rules are refused, with the reason.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrule, rrulestr
from icalendar.prop import vDDDTypes

_WEEKDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
RULE_PARTS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"})
# The BY parts read for each frequency: what calendar programs write. With them every rule
# either ends or keeps making dates, so counting its dates one by one always moves on.
BY_PARTS = {
    "HOURLY": frozenset(),
    "DAILY": frozenset({"BYDAY", "BYMONTH", "BYHOUR", "BYMINUTE", "BYSECOND"}),
    "WEEKLY": frozenset({"BYDAY", "BYMONTH", "BYHOUR", "BYMINUTE", "BYSECOND"}),
    "MONTHLY": frozenset({"BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "BYHOUR", "BYMINUTE", "BYSECOND"}),
    "YEARLY": frozenset({"BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "BYHOUR", "BYMINUTE", "BYSECOND"}),
}


class Unreadable(ValueError):
    """A series the screen cannot read: skipped with a warning, as the library would."""


class Unsupported(ValueError):
    """A rule in a shape the screen does not read, or that can never make a date."""


def read_date(value: str | None) -> datetime:
    """A DTSTART or UNTIL value as a datetime without zone (the screen only counts)."""
    try:
        parsed = vDDDTypes.from_ical((value or "").strip())
    except (ValueError, TypeError) as exc:
        raise Unreadable(f"cannot read the date {value!r}") from exc
    if isinstance(parsed, datetime):
        return parsed.replace(tzinfo=None)
    if isinstance(parsed, date):
        return datetime.combine(parsed, time(0))
    raise Unreadable(f"cannot read the date {value!r}")


def read_rule(text: str, start: datetime) -> tuple[rrule, str, int]:
    """The rule built from `start` (a datetime without zone: the screen only counts), its FREQ and
    INTERVAL; raises Unreadable or Unsupported."""
    parts: dict[str, str] = {}
    for item in text.strip().split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = key.strip().upper()
        if not sep or key in parts:
            raise Unreadable(f"cannot read the rule {text!r}")
        parts[key] = value.strip().upper()
    freq = parts.get("FREQ", "")
    if freq not in BY_PARTS or set(parts) - RULE_PARTS - {k for k in parts if k.startswith("BY")}:
        raise Unreadable(f"cannot read the rule {text!r}")
    interval = _ints(parts.get("INTERVAL", "1"), 1, 10**6)[0]
    _check_rule(text, freq, interval, parts, start)
    until = parts.pop("UNTIL", None)
    if int(_ints(parts.get("COUNT", "0"), -(10**12), 10**12)[0]) < 0:
        del parts["COUNT"]  # as recurring-ical-events does
    try:
        made = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=start)
        if until and "COUNT" not in parts:
            stop = read_date(until)
            made = made.replace(until=stop if len(until.strip()) > 8 else stop + timedelta(days=1, seconds=-1))
    except (ValueError, TypeError, OverflowError) as exc:
        raise Unreadable(f"cannot read the rule {text!r}: {exc}") from exc
    return made, freq, interval


def _check_rule(text: str, freq: str, interval: int, parts: dict[str, str], start: datetime) -> None:
    """Refuses a rule in a shape the screen does not read, or that can never make a date
    (dateutil would look for one until the year 9999): only the shapes calendar programs
    write are read, and those always move on."""

    def refuse(why: str) -> None:
        raise Unsupported(f"the rule {text!r} is not read: {why}")

    extra = {k for k in parts if k.startswith("BY")} - BY_PARTS[freq]
    if extra:
        refuse(f"FREQ={freq} with {', '.join(sorted(extra))}")
    days = _weekdays(parts.get("BYDAY", ""))
    months = set(_ints(parts.get("BYMONTH", ""), 1, 12))
    monthdays = _ints(parts.get("BYMONTHDAY", ""), -31, 31)
    positions = _ints(parts.get("BYSETPOS", ""), -366, 366)
    for key, high in (("BYHOUR", 23), ("BYMINUTE", 59), ("BYSECOND", 60)):
        _ints(parts.get(key, ""), 0, high)
    if 0 in monthdays or 0 in positions:
        raise Unreadable(f"cannot read the rule {text!r}")
    numbered = [n for n, _ in days if n is not None]
    weekdays = {d for _, d in days}
    if freq in ("HOURLY", "DAILY", "WEEKLY"):
        if numbered:
            refuse("a numbered weekday in a rule that is not monthly or yearly")
        if freq == "DAILY" and weekdays and not weekdays & {(start.weekday() + k * interval) % 7 for k in range(7)}:
            refuse("its days never fall on its weekdays")
        return
    if freq == "MONTHLY":
        reached = {(start.month - 1 + k * interval) % 12 + 1 for k in range(12)}
        candidates = reached & months if months else reached
    else:
        candidates = months or set(range(1, 13))
    if not candidates:
        refuse("it never reaches its months")
    if positions and (monthdays or not days or numbered or max(map(abs, positions)) > 4 * len(weekdays)):
        refuse("BYSETPOS beyond what every period holds")
    if monthdays:
        if days and (numbered or max(map(abs, monthdays)) > 28):
            refuse("BYMONTHDAY past the 28th with BYDAY")
        if not any(abs(d) <= MONTH_DAYS[m - 1] for m in candidates for d in monthdays):
            refuse("its days do not exist in its months")
    elif numbered:
        within_month = freq == "MONTHLY" or months
        if max(map(abs, numbered)) > (5 if within_month else 52):
            refuse("a numbered weekday past what a month or year holds")
    elif not days and not any(start.day <= MONTH_DAYS[m - 1] for m in candidates):
        refuse("its day does not exist in its months")


def _ints(text: str, low: int, high: int) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise Unreadable(f"not a number in {text!r}") from exc
    if any(not low <= v <= high for v in values):
        raise Unreadable(f"out of range in {text!r}")
    return values


def _weekdays(text: str) -> list[tuple[int | None, int]]:
    days = []
    for item in text.split(","):
        if not item.strip():
            continue
        match = _WEEKDAY.fullmatch(item.strip())
        if not match or match.group(1) in ("0", "+0", "-0"):
            raise Unreadable(f"not a weekday: {item!r}")
        days.append((int(match.group(1)) if match.group(1) else None, WEEKDAYS.index(match.group(2))))
    return days
