"""Busy times from a provider's own calendar file (.ics), for their availability.

Pure: bytes in, frozen dataclasses out. Recurring events are expanded by the
recurring-ical-events library within the asked window. Only times are kept, never what the
events are about: a lawyer's calendar names clients and courts.

Any provider may upload a file, so a file is first screened within one budget of work by
`scheduler.mine.ics_budget` (docs/security.md, "Uploads: budgets and refusals"): only a file
that passes is parsed and expanded, and only the lines that say when reach the parser, so
the expansion is bounded by what the screen counted.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from scheduler.mine.ics_budget import CalendarFileError, screen

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_BUSY = 5000  # merged busy periods (the screen stops at as many times in the window)


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
    except Exception as exc:  # icalendar raises many kinds on a broken file (AttributeError...)
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
    return [Busy(s.astimezone(UTC), e.astimezone(UTC)) for s, e in merged]


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
        except Exception as exc:  # the library raises many kinds on bad events
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
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=days)

