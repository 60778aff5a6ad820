"""Calendar feeds as iCalendar bytes (RFC 5545), from frozen dataclasses, with nothing else.

Pure: no database and no clock. The same input gives the same bytes, so an unchanged feed
keeps its ETag and calendar clients see nothing new. The icalendar library does the
escaping, CRLF line ends and folding at 75 octets (between characters, never inside a UTF-8
sequence); this module chooses what goes in and works around the clients' quirks.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Public Legal Service Scheduler//Calendar feeds 1.0//ZH"
# Zone rules are written from this day on. The library's default starts in 1970 and so
# carries China's 1986-1991 summer time, which Outlook applies to today's May dates (+09:00).
ZONE_RULES_FROM = date(2000, 1, 1)
ZONE_RULES_TO = date(2038, 1, 1)


@dataclass(frozen=True)
class CalendarInfo:
    name: str
    zone: str = "Asia/Shanghai"
    # How often clients should poll (REFRESH-INTERVAL, and X-PUBLISHED-TTL for Outlook).
    refresh: timedelta = timedelta(hours=1)
    prodid: str = PRODID


@dataclass(frozen=True)
class EventInfo:
    uid: str
    start: datetime
    end: datetime
    summary: str
    # The last real change: DTSTAMP and LAST-MODIFIED, so an unchanged event is unchanged bytes.
    stamp: datetime
    sequence: int = 0
    location: str | None = None
    description: str | None = None
    cancelled: bool = False


class BrokenEvent(ValueError):
    pass


def render(calendar: CalendarInfo, events: Iterable[EventInfo]) -> bytes:
    """One VCALENDAR (METHOD:PUBLISH) with its VTIMEZONE and the events sorted by start and
    UID. An event that cannot be written is logged and left out; the feed still renders.

    The bytes are those of `render_with_library` (the icalendar library's own writing, which
    the tests compare byte for byte), written here directly: the calendar's head and zone
    are built by the library once per zone, each event's few lines are escaped and folded
    here. That is about twenty times faster, which a city's first publish needs."""
    zone = ZoneInfo(calendar.zone)
    head, tail = _frame(calendar.zone, calendar.refresh, calendar.prodid)
    # The library writes X- properties as they are (no TEXT escaping).
    parts = [head, _line(f"X-WR-CALNAME:{_one_line(calendar.name)}"), tail]
    for item in sorted(events, key=_order):
        try:
            parts.append(_vevent_bytes(item, zone, calendar.zone))
        except (BrokenEvent, TypeError, ValueError, OverflowError, AttributeError) as exc:
            log.warning("calendar %r: skipped event %r: %s", calendar.name, item.uid, exc)
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


def render_with_library(calendar: CalendarInfo, events: Iterable[EventInfo]) -> bytes:
    """The same calendar written by the icalendar library, component by component: the
    reference `render` must equal (tests compare them), about 1 ms a feed."""
    zone = ZoneInfo(calendar.zone)
    cal = _calendar(_one_line(calendar.name), calendar.zone, calendar.refresh, calendar.prodid)
    cal.add_component(_vtimezone(calendar.zone))
    for item in sorted(events, key=_order):
        try:
            cal.add_component(_vevent(item, zone))
        except (BrokenEvent, TypeError, ValueError, OverflowError) as exc:
            log.warning("calendar %r: skipped event %r: %s", calendar.name, item.uid, exc)
    return cal.to_ical()


def _calendar(name: str, zone: str, refresh: timedelta, prodid: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone)
    cal.add("refresh-interval", icalendar.vDuration(refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(refresh))
    return cal


_NAME_MARK = "\ue000"


@lru_cache(maxsize=32)
def _frame(zone: str, refresh: timedelta, prodid: str) -> tuple[bytes, bytes]:
    """The library's calendar head up to its name line, and from after it through the
    VTIMEZONE: everything but the name and the events, the same for every feed."""
    cal = _calendar(_NAME_MARK, zone, refresh, prodid)
    cal.add_component(_vtimezone(zone))
    body = cal.to_ical()
    mark = f"X-WR-CALNAME:{_NAME_MARK}\r\n".encode()
    head, found, rest = body.partition(mark)
    end = b"END:VCALENDAR\r\n"
    if not found or not rest.endswith(end):
        raise RuntimeError("the icalendar library wrote an unexpected calendar head")
    return head, rest[:-len(end)]


def _one_line(name: str) -> str:
    """A calendar name on one line: the library cannot write a line break in it."""
    return name.replace("\r", " ").replace("\n", " ")


def _escape(text: str) -> str:
    # icalendar's TEXT escaping (RFC 5545 3.3.11), in its order.
    return (text.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _line(line: str) -> bytes:
    """One content line, folded as the library folds it (before 75 octets, never inside a
    character or right after a backslash), with its CRLF."""
    data = line.encode()
    if len(data) < 75:
        return data + b"\r\n"
    folded: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode())
        if current and count + size >= 75:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                folded.append("".join(current))
                current, count = [carried], len(carried.encode())
            else:
                folded.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        folded.append("".join(current))
    return "\r\n ".join(folded).encode() + b"\r\n"


@lru_cache(maxsize=4096)
def _stamp(moment: datetime) -> str:
    # Cached: a publish stamps thousands of events with the same moment.
    return moment.strftime("%Y%m%dT%H%M%SZ")


@lru_cache(maxsize=4096)
def _moment(name: str, moment: datetime, tzid: str) -> str:
    # Cached: the events of one slot, in every feed that carries it, share their times.
    if tzid == "UTC":
        return f"{name}:{_stamp(moment)}"
    return f"{name};TZID={tzid}:{moment.strftime('%Y%m%dT%H%M%S')}"


def _vevent_bytes(item: EventInfo, zone: ZoneInfo, tzid: str) -> bytes:
    """`_vevent(item, zone).to_ical()` without the library: its checks, its property order
    (the VEVENT's canonical order), its escaping and folding."""
    start, end, stamp = _checked(item, zone)
    lines = [f"SUMMARY:{_escape(str(item.summary))}", _moment("DTSTART", start, tzid), _moment("DTEND", end, tzid),
             f"DTSTAMP:{_stamp(stamp)}",
             f"UID:{_escape(item.uid)}",
             f"SEQUENCE:{item.sequence}"]
    if item.description:
        lines.append(f"DESCRIPTION:{_escape(str(item.description))}")
    lines.append(f"LAST-MODIFIED:{_stamp(stamp)}")
    if item.location:
        lines.append(f"LOCATION:{_escape(str(item.location))}")
    lines += ["STATUS:CANCELLED" if item.cancelled else "STATUS:CONFIRMED",
              "TRANSP:TRANSPARENT" if item.cancelled else "TRANSP:OPAQUE"]
    return b"BEGIN:VEVENT\r\n" + b"".join(map(_line, lines)) + b"END:VEVENT\r\n"


def _order(item: EventInfo) -> tuple[float, str]:
    try:
        return (item.start.timestamp(), str(item.uid))
    except (AttributeError, OverflowError, ValueError):
        return (float("inf"), str(item.uid))


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise BrokenEvent(f"{name} {value!r} is not a timezone-aware datetime")
    return value


def _checked(item: EventInfo, zone: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    """The event's start and end in the calendar's zone and its stamp in UTC, or BrokenEvent."""
    if not item.uid or not isinstance(item.uid, str):
        raise BrokenEvent("no uid")
    start = _aware(item.start, "start").astimezone(zone)
    end = _aware(item.end, "end").astimezone(zone)
    stamp = _aware(item.stamp, "stamp").astimezone(UTC)
    if end <= start:
        raise BrokenEvent(f"ends ({end}) before it starts ({start})")
    if not isinstance(item.sequence, int) or item.sequence < 0:
        raise BrokenEvent(f"sequence {item.sequence!r} is not a whole number >= 0")
    return start, end, stamp


def _vevent(item: EventInfo, zone: ZoneInfo) -> icalendar.Event:
    start, end, stamp = _checked(item, zone)
    event = icalendar.Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", item.sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    # A cancelled event no longer blocks the time in free/busy views.
    event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
    return event


@lru_cache(maxsize=8)
def _vtimezone(zone: str) -> icalendar.Timezone:
    """Built once per zone (it walks the zone's transitions) and shared by every calendar,
    which only ever serialises it."""
    vtimezone = icalendar.Timezone.from_tzinfo(
        ZoneInfo(zone), tzid=zone, first_date=ZONE_RULES_FROM, last_date=ZONE_RULES_TO
    )
    # The library's note about the covered years is noise to every client.
    vtimezone.pop("COMMENT", None)
    return vtimezone
