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
    UID. An event that cannot be written is logged and left out; the feed still renders."""
    zone = ZoneInfo(calendar.zone)
    cal = icalendar.Calendar()
    cal.add("prodid", calendar.prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar.name)
    cal.add("x-wr-timezone", calendar.zone)
    cal.add("refresh-interval", icalendar.vDuration(calendar.refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(calendar.refresh))
    cal.add_component(_vtimezone(calendar.zone))
    for item in sorted(events, key=_order):
        try:
            cal.add_component(_vevent(item, zone))
        except (BrokenEvent, TypeError, ValueError, OverflowError) as exc:
            log.warning("calendar %r: skipped event %r: %s", calendar.name, item.uid, exc)
    return cal.to_ical()


def _order(item: EventInfo) -> tuple[float, str]:
    try:
        return (item.start.timestamp(), str(item.uid))
    except (AttributeError, OverflowError, ValueError):
        return (float("inf"), str(item.uid))


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise BrokenEvent(f"{name} {value!r} is not a timezone-aware datetime")
    return value


def _vevent(item: EventInfo, zone: ZoneInfo) -> icalendar.Event:
    if not item.uid or not isinstance(item.uid, str):
        raise BrokenEvent("no uid")
    start = _aware(item.start, "start").astimezone(zone)
    end = _aware(item.end, "end").astimezone(zone)
    stamp = _aware(item.stamp, "stamp").astimezone(UTC)
    if end <= start:
        raise BrokenEvent(f"ends ({end}) before it starts ({start})")
    if not isinstance(item.sequence, int) or item.sequence < 0:
        raise BrokenEvent(f"sequence {item.sequence!r} is not a whole number >= 0")
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
