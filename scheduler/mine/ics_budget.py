"""The screen and budget of a calendar upload: whatever a provider sends is looked at line by
line, before icalendar parses anything, and refused the moment it goes past the budget
(docs/security.md, "Uploads: budgets and refusals"):

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

`scheduler.mine.busy_ics` parses and expands only what the screen hands on.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scheduler.mine.ics_rules import Unreadable, Unsupported, read_date, read_rule

log = logging.getLogger(__name__)

# The budget of one file (see the module's note and `Budget`).
MAX_EVENTS = 1500  # events read: in or near the window, or repeating
MAX_OCCURRENCES = 5000  # times inside the window, every repetition counted (busy_ics.MAX_BUSY)
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


_UNFOLD = re.compile(r"\r?\n[ \t]")
_NAME = re.compile(r"[A-Za-z0-9-]+(?=[;:])")
_LINE = re.compile(r'[A-Za-z0-9-]+(?:;(?:[^":;]|"[^"]*")*)*:(.*)', re.DOTALL)
_DAY = re.compile(r"\s*(\d{4})(\d{2})(\d{2})")


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
    # An event with no END is dropped unread: without it icalendar finds no calendar either.
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
    except Unreadable as exc:
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


def _count_event(event: _Block, begin: datetime, end: datetime, budget: Budget) -> None:
    low, high = _naive(begin - MARGIN), _naive(end + MARGIN)
    for value in event.dates:
        day = _day(value)
        if day is not None and low.date() <= day < high.date():
            budget.occurrence()
    if not event.rules:
        budget.occurrence()  # the event itself, in or near the window, or a moved occurrence
        return
    start = read_date(event.start)
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
        start = read_date(part.start) if part.rules else None
        for text in part.rules:
            parts = {k.strip().upper(): v.strip() for k, _, v in (i.partition("=") for i in text.split(";"))}
            count = parts.get("COUNT", "")
            if count and not count.lstrip("+-").isdigit():
                raise Unreadable(f"not a number: COUNT={count!r}")
            counted = bool(count) and int(count) > 0  # icalendar then makes every one of them
            if counted:
                budget.spend(min(int(count), MAX_WORK) * DATE_COST)
            horizon = read_date(parts["UNTIL"]) if "UNTIL" in parts else None if counted else ZONE_HORIZON
            for when in _dates(text, start, horizon, budget):
                if horizon is not None and when > horizon:
                    break
                budget.spend(DATE_COST)
    except Unreadable as exc:
        raise CalendarFileError("unreadable", f"not an iCalendar (.ics) file: a time zone cannot be read: {exc}") from exc


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _dates(text: str, start: datetime, horizon: datetime | None, budget: Budget) -> Iterator[datetime]:
    """The dates of an RRULE from `start`, lazily, once the rule is known to be one the
    screen reads and its periods up to `horizon` are paid for."""
    try:
        made, freq, interval = read_rule(text, start)
    except Unsupported as exc:
        raise CalendarFileError("unsupported_rule", str(exc)) from exc
    if horizon is not None and horizon > start:
        periods = (horizon - start) // (PERIOD_LENGTH[freq] * interval) + 1
        budget.spend(min(periods, MAX_WORK) * PERIOD_COST[freq])
    try:
        yield from made
    except (ValueError, OverflowError, TypeError) as exc:  # dateutil near the year 9999, say
        raise Unreadable(f"cannot follow the rule {text!r}: {exc}") from exc
