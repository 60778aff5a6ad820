"""Busy times from a provider's own calendar file (.ics), for their availability.

Pure: bytes in, frozen dataclasses out. Recurring events are expanded by the
recurring-ical-events library within the asked window. Only times are kept, never what the
events are about: a lawyer's calendar names clients and courts.

Any provider may upload a file, so a file is read within one budget of work, spent as it is
read, and refused the moment the budget runs out (docs/security.md, "Uploads: budgets and
refusals"). Before icalendar parses anything, a screen goes over the raw lines once:

- a rule repeating every second or minute is refused (`too_frequent`), and so is a rule in a
  shape calendar programs do not write and that could keep the rule library looking for its
  next date until the year 9999, such as every day on 30 February (`unsupported_rule`);
- only the lines that say when are kept (UID, DTSTART, DTEND, DURATION, RRULE, RDATE, EXDATE,
  RECURRENCE-ID, STATUS, TRANSP, SEQUENCE and the time zone definitions): what events are
  about is never parsed, alarms, to-dos and the like are dropped unread;
- events that do not repeat and lie wholly outside the window are set aside unread; more
  than MAX_EVENTS left is refused (`too_many_events`);
- a rule's periods from the series' first date up to the window's end (for a time zone
  definition: up to 2038, as icalendar works them out) are charged before it is expanded, and
  the dates it makes are then counted lazily, one at a time, so counting stops where the budget
  does. More than MAX_OCCURRENCES times inside the window is refused (`too_many`), more than
  MAX_WORK units of work in all (`too_complex`).

Only a file that passes is parsed and expanded, so the expansion is bounded by what was
counted.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil.rrule import rrule, rrulestr
from icalendar.prop import vDDDTypes

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_BUSY = 5000
# The budget of one file (see the module's note and `Budget`).
MAX_EVENTS = 1500  # events read: in or near the window, or repeating
MAX_OCCURRENCES = MAX_BUSY  # times inside the window, every repetition counted
# Work is counted in units of about a microsecond of parsing or expanding, measured on the
# development machine (docs/security.md has the figures): 2 s in all.
MAX_WORK = 2_000_000
LINE_COST = 120  # a line handed to icalendar
VALUE_COST = 40  # an RDATE or EXDATE value it parses
SERIES_COST = 1000  # a repeating series handed to recurring-ical-events
DATE_COST = 20  # a date a rule makes (counted here, then made again by the library)
OCCURRENCE_COST = 350  # a time inside the window, for which the library builds an event
# A rule's period (a day of a daily rule...), which dateutil goes through whether or not it
# makes a date in it, here and again in the library.
PERIOD_COST = {"YEARLY": 140, "MONTHLY": 30, "WEEKLY": 13, "DAILY": 6, "HOURLY": 6}
PERIOD_LENGTH = {"YEARLY": timedelta(days=365), "MONTHLY": timedelta(days=28), "WEEKLY": timedelta(days=7),
                 "DAILY": timedelta(days=1), "HOURLY": timedelta(hours=1)}
TOO_FREQUENT = frozenset({"SECONDLY", "MINUTELY"})
EVENT_PROPERTIES = frozenset({"UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
                              "STATUS", "TRANSP", "SEQUENCE"})
CALENDAR_PROPERTIES = frozenset({"VERSION", "PRODID", "CALSCALE"})
MARGIN = timedelta(days=3)  # more than any zone's offset: the screen compares times before zones are read
ZONE_HORIZON = datetime(2039, 1, 1)  # icalendar works out a zone's transitions up to 2038


class CalendarFileError(ValueError):
    """The file cannot be used; `code` names why, for a translated message, `params` the limit."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class Budget:
    """The work one file may cost, spent as it is read (the costs above); the file is refused
    the moment it runs out."""

    def __init__(self) -> None:
        self.work = 0
        self.events = 0
        self.inside = 0

    def spend(self, units: int) -> None:
        self.work += units
        if self.work > MAX_WORK:
            raise CalendarFileError("too_complex", "reading the file would take more than its budget of work "
                                    f"({MAX_WORK} units)", limit=MAX_WORK)

    def event(self) -> None:
        self.events += 1
        if self.events > MAX_EVENTS:
            raise CalendarFileError("too_many_events", f"more than {MAX_EVENTS} events in or near the window",
                                    limit=MAX_EVENTS)

    def occurrence(self) -> None:
        self.inside += 1
        if self.inside > MAX_OCCURRENCES:
            raise CalendarFileError("too_many", f"more than {MAX_OCCURRENCES} busy times in the window",
                                    limit=MAX_OCCURRENCES)
        self.spend(OCCURRENCE_COST)


@dataclass(frozen=True)
class Busy:
    start: datetime  # aware, UTC
    end: datetime


def busy_times(data: bytes, begin: datetime, end: datetime, zone: str = "Asia/Shanghai") -> list[Busy]:
    """The merged busy intervals of the file within [begin, end).

    Events marked free (TRANSP:TRANSPARENT) or cancelled do not count. All-day events block
    whole local days; times without a zone ("floating") are read in `zone`. An event that
    cannot be read is logged and skipped.
    """
    if len(data) > MAX_BYTES:
        raise CalendarFileError("too_large", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", "replace")  # as icalendar reads it
    screened = screen(text, begin, end)
    try:
        calendar = icalendar.Calendar.from_ical(screened)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise CalendarFileError("unreadable", f"not an iCalendar (.ics) file: {exc}") from exc
    if calendar.name != "VCALENDAR":
        raise CalendarFileError("unreadable", "not an iCalendar (.ics) file: no VCALENDAR")
    local = ZoneInfo(zone)
    spans: list[tuple[datetime, datetime]] = []
    for uid, occurrences in _expanded_by_uid(calendar, begin, end):
        for event in occurrences:
            try:
                span = _span(event, local)
            except (KeyError, TypeError, ValueError, AttributeError, icalendar.InvalidCalendar) as exc:
                log.warning("calendar upload: skipped an occurrence of %r: %s", uid, exc)
                continue
            if span is not None:
                start, stop = max(span[0], begin), min(span[1], end)
                if stop > start:
                    spans.append((start, stop))
    merged = _merge(spans)
    if len(merged) > MAX_BUSY:
        raise CalendarFileError("too_many", f"more than {MAX_BUSY} busy periods in the window")
    return [Busy(s.astimezone(timezone.utc), e.astimezone(timezone.utc)) for s, e in merged]


def _expanded_by_uid(calendar: icalendar.Calendar, begin: datetime, end: datetime):
    """(uid, occurrences) per event series. Each series (an event with its recurrence
    overrides, which share its UID) is expanded on its own, so one broken series is skipped
    instead of failing the whole file."""
    zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    series: dict[str, list[icalendar.Event]] = defaultdict(list)
    for n, event in enumerate(c for c in calendar.subcomponents if c.name == "VEVENT"):
        series[str(event.get("UID") or f"#no-uid-{n}")].append(event)
    for uid, events in series.items():
        if len(events) == 1 and not any(p in events[0] for p in ("RRULE", "RDATE", "RECURRENCE-ID")):
            yield uid, events  # a single event: its own occurrence, no need for the library
            continue
        part = icalendar.Calendar()
        for component in (*zones, *events):
            part.add_component(component)
        try:
            yield uid, list(recurring_ical_events.of(part).between(begin, end))
        except Exception as exc:  # noqa: BLE001 - the library raises many kinds on bad events
            log.warning("calendar upload: skipped event %r: %s", uid, exc)


def _span(event: icalendar.Event, local: ZoneInfo) -> tuple[datetime, datetime] | None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    start, stop = _moment(event.start, local), _moment(event.end, local)
    return (start, stop) if stop > start else None


def _moment(value: date | datetime, local: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=local)
    return value if value.tzinfo is not None else value.replace(tzinfo=local)


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def window(now: datetime, days: int = 180) -> tuple[datetime, datetime]:
    """From the start of today (UTC) for `days`: the span an upload fills."""
    start = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=days)


# --- the screen: raw lines, before any parsing -------------------------------------------

_UNFOLD = re.compile(r"\r?\n[ \t]")
_NAME = re.compile(r"[A-Za-z0-9-]+(?=[;:])")
_LINE = re.compile(r'[A-Za-z0-9-]+(?:;(?:[^":;]|"[^"]*")*)*:(.*)', re.DOTALL)
_DAY = re.compile(r"\s*(\d{4})(\d{2})(\d{2})")
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


class _Unreadable(ValueError):
    """A series the screen cannot read: skipped with a warning, as the library would."""


@dataclass
class _Block:
    """A component's kept lines and what the screen needs of them."""

    lines: list[str]
    uid: str = ""
    start: str | None = None
    end: str | None = None
    duration: bool = False
    rules: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # RDATE values
    listed: int = 0  # RDATE and EXDATE values, each parsed by icalendar
    repeats: bool = False  # RRULE, RDATE or RECURRENCE-ID: part of a series


def screen(text: str, begin: datetime, end: datetime, budget: Budget | None = None) -> str:
    """The calendar reduced to what busy times need, with the budget spent on it; raises
    CalendarFileError the moment the file goes past a limit (see the module's note)."""
    budget = budget or Budget()
    out: list[str | _Block] = []
    skipped: set[str] = set()
    stack: list[str] = []
    event: _Block | None = None
    zone_part: _Block | None = None
    skip = 0  # depth inside a component dropped unread
    # icalendar parses what the screen hands on, already unfolded, so it sees these very lines.
    for line in _UNFOLD.sub("", text).split("\n"):
        line = line[:-1] if line.endswith("\r") else line
        if not line or line[0] in " \t":
            continue
        match = _NAME.match(line)
        name = match.group().upper() if match else ""
        if name in ("RRULE", "EXRULE") and _frequencies(_value(line)) & TOO_FREQUENT:
            raise CalendarFileError("too_frequent", "a rule repeats every second or minute: not read")
        if skip:
            skip += 1 if name == "BEGIN" else -1 if name == "END" else 0
            continue
        value = _value(line) if name in EVENT_PROPERTIES or name in ("BEGIN", "END") or zone_part else ""
        if event is not None:
            if name == "END" and value.strip().upper() == "VEVENT":
                event.lines.append(line)
                _close_event(event, begin, end, budget, skipped, out)
                event = None
            elif name == "BEGIN":
                skip = 1  # an alarm or the like
            elif name in EVENT_PROPERTIES:
                _note(event, name, value)
                event.lines.append(line)
            continue
        if name == "BEGIN":
            kind = value.strip().upper()
            if kind == "VEVENT" and "VTIMEZONE" not in stack:
                event = _Block([line])
                continue
            if not ((kind == "VCALENDAR" and not stack) or (kind == "VTIMEZONE" and "VTIMEZONE" not in stack)
                    or (kind in ("STANDARD", "DAYLIGHT") and stack[-1:] == ["VTIMEZONE"])):
                skip = 1  # to-dos, journal entries, free/busy, unknown components
                continue
            stack.append(kind)
            if kind in ("STANDARD", "DAYLIGHT"):
                zone_part = _Block([])
        elif name == "END":
            # icalendar ends the innermost component whatever the END names: so does the screen.
            if stack and stack.pop() in ("STANDARD", "DAYLIGHT") and zone_part is not None:
                _count_zone(zone_part, budget)
                zone_part = None
        elif zone_part is not None:
            _note(zone_part, name, value)
        elif stack[-1:] == ["VCALENDAR"] and name not in CALENDAR_PROPERTIES:
            continue  # the calendar's own name, colour, ...
        budget.spend(LINE_COST)
        out.append(line)
    if event is not None:  # no END: icalendar says what is wrong
        out.extend(event.lines)
    return "\r\n".join(p if isinstance(p, str) else "\r\n".join(p.lines) for p in out
                       if isinstance(p, str) or p.uid not in skipped) + "\r\n"


def _value(line: str) -> str:
    match = _LINE.match(line)
    return match.group(1) if match else ""


def _frequencies(rule: str) -> set[str]:
    """Every FREQ a rule names (a rule naming two is not read, but both are looked at)."""
    return {value.strip().upper() for name, _, value in (item.partition("=") for item in rule.split(";"))
            if name.strip().upper() == "FREQ"}


def _note(block: _Block, name: str, value: str) -> None:
    if name == "UID":
        block.uid = value.strip()
    elif name == "DTSTART":
        block.start = value
    elif name == "DTEND":
        block.end = value
    elif name == "DURATION":
        block.duration = True
    elif name == "RRULE":
        block.rules.append(value)
        block.repeats = True
    elif name in ("RDATE", "EXDATE"):
        values = value.split(",")
        block.listed += len(values)
        if name == "RDATE":
            block.dates.extend(values)
            block.repeats = True
    elif name == "RECURRENCE-ID":
        block.repeats = True


def _close_event(event: _Block, begin: datetime, end: datetime, budget: Budget, skipped: set[str],
                 out: list[str | _Block]) -> None:
    if not event.repeats and _outside(event, begin, end):
        return  # set aside unread
    budget.event()
    budget.spend(LINE_COST * len(event.lines) + VALUE_COST * event.listed + (SERIES_COST if event.repeats else 0))
    try:
        _count_event(event, begin, end, budget)
    except _Unreadable as exc:
        log.warning("calendar upload: skipped event %r: %s", event.uid, exc)
        if event.uid:
            skipped.add(event.uid)  # with its moved occurrences, as the library skips a series
        return
    out.append(event)


def _outside(event: _Block, begin: datetime, end: datetime) -> bool:
    """Whether a single event lies wholly outside the window, by its dates alone."""
    start = _day(event.start)
    if start is None:
        return False
    if start > (end + MARGIN).date():
        return True
    stop = _day(event.end) if event.end is not None else (None if event.duration else start)
    return stop is not None and stop < (begin - MARGIN).date()


def _day(value: str | None) -> date | None:
    match = _DAY.match(value or "")
    try:
        return date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def _when(value: str | None) -> datetime:
    """A DTSTART or UNTIL value as a datetime without zone (the screen only counts)."""
    try:
        parsed = vDDDTypes.from_ical((value or "").strip())
    except (ValueError, TypeError) as exc:
        raise _Unreadable(f"cannot read the date {value!r}") from exc
    if isinstance(parsed, datetime):
        return parsed.replace(tzinfo=None)
    if isinstance(parsed, date):
        return datetime.combine(parsed, time(0))
    raise _Unreadable(f"cannot read the date {value!r}")


def _count_event(event: _Block, begin: datetime, end: datetime, budget: Budget) -> None:
    low, high = _naive(begin - MARGIN), _naive(end + MARGIN)
    for value in event.dates:
        day = _day(value)
        if day is not None and low.date() <= day < high.date():
            budget.occurrence()
    if not event.rules:
        budget.occurrence()  # the event itself, in or near the window, or a moved occurrence
        return
    start = _when(event.start)
    for text in event.rules:
        for when in _dates(text, start, high, budget):
            if when >= high:
                break
            budget.spend(DATE_COST)
            if when >= low:
                budget.occurrence()


def _count_zone(part: _Block, budget: Budget) -> None:
    """A time zone's transitions, which icalendar works out as it parses (up to 2038, or to
    the rule's own end)."""
    budget.spend(VALUE_COST * part.listed)
    try:
        start = _when(part.start) if part.rules else None
        for text in part.rules:
            parts = {k.strip().upper(): v.strip() for k, _, v in (i.partition("=") for i in text.split(";"))}
            if "COUNT" in parts:  # icalendar makes every one of them
                budget.spend(max(0, min(_ints(parts["COUNT"], -(10**12), 10**12)[0], MAX_WORK)) * DATE_COST)
            horizon = _when(parts["UNTIL"]) if "UNTIL" in parts else None if "COUNT" in parts else ZONE_HORIZON
            for when in _dates(text, start, horizon, budget):
                if horizon is not None and when > horizon:
                    break
                if "COUNT" not in parts:
                    budget.spend(DATE_COST)
    except _Unreadable as exc:
        raise CalendarFileError("unreadable", f"not an iCalendar (.ics) file: a time zone cannot be read: {exc}") from exc


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _dates(text: str, start: datetime, horizon: datetime | None, budget: Budget) -> Iterator[datetime]:
    """The dates of an RRULE from `start`, lazily, once the rule is known to be one the
    screen reads and its periods up to `horizon` are paid for."""
    made, freq, interval = _rule(text, start)
    if horizon is not None and horizon > start:
        periods = (horizon - start) // (PERIOD_LENGTH[freq] * interval) + 1
        budget.spend(min(periods, MAX_WORK) * PERIOD_COST[freq])
    yield from made


def _rule(text: str, start: datetime) -> tuple[rrule, str, int]:
    parts: dict[str, str] = {}
    for item in text.strip().split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = key.strip().upper()
        if not sep or key in parts:
            raise _Unreadable(f"cannot read the rule {text!r}")
        parts[key] = value.strip().upper()
    freq = parts.get("FREQ", "")
    if freq not in BY_PARTS or set(parts) - RULE_PARTS - {k for k in parts if k.startswith("BY")}:
        raise _Unreadable(f"cannot read the rule {text!r}")
    interval = _ints(parts.get("INTERVAL", "1"), 1, 10**6)[0]
    _check_rule(text, freq, interval, parts, start)
    until = parts.pop("UNTIL", None)
    if int(_ints(parts.get("COUNT", "0"), -(10**12), 10**12)[0]) < 0:
        del parts["COUNT"]  # as recurring-ical-events does
    try:
        made = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=start)
        if until and "COUNT" not in parts:
            stop = _when(until)
            made = made.replace(until=stop if len(until.strip()) > 8 else stop + timedelta(days=1, seconds=-1))
    except (ValueError, TypeError, OverflowError) as exc:
        raise _Unreadable(f"cannot read the rule {text!r}: {exc}") from exc
    return made, freq, interval


def _check_rule(text: str, freq: str, interval: int, parts: dict[str, str], start: datetime) -> None:
    """Refuses a rule in a shape the screen does not read, or that can never make a date
    (dateutil would look for one until the year 9999): only the shapes calendar programs
    write are read, and those always move on."""

    def refuse(why: str) -> None:
        raise CalendarFileError("unsupported_rule", f"the rule {text!r} is not read: {why}")

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
        raise _Unreadable(f"cannot read the rule {text!r}")
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
        raise _Unreadable(f"not a number in {text!r}") from exc
    if any(not low <= v <= high for v in values):
        raise _Unreadable(f"out of range in {text!r}")
    return values


def _weekdays(text: str) -> list[tuple[int | None, int]]:
    days = []
    for item in text.split(","):
        if not item.strip():
            continue
        match = _WEEKDAY.fullmatch(item.strip())
        if not match or match.group(1) in ("0", "+0", "-0"):
            raise _Unreadable(f"not a weekday: {item!r}")
        days.append((int(match.group(1)) if match.group(1) else None, WEEKDAYS.index(match.group(2))))
    return days
