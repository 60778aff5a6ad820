"""The pure iCalendar writer: every standard and client quirk it handles, checked by reading
the bytes back with the icalendar parser."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.feeds.ical import CONTENT_TYPE, CalendarInfo, EventInfo, render, render_with_library

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAMP = datetime(2027, 4, 20, 3, 4, 5, tzinfo=UTC)


def event(n: int = 1, **kw) -> EventInfo:
    start = kw.pop("start", datetime(2027, 5, 10, 9, 0, tzinfo=SHANGHAI) + timedelta(days=n))
    values = {
        "uid": f"slot-{n}-person-7@feeds.example.org",
        "start": start,
        "end": start + timedelta(hours=3),
        "summary": f"驻村法律服务 Village visit · 甲村{n}",
        "stamp": STAMP,
        "sequence": 0,
        "location": "甲村村委会, 宁波市鄞州区",
        "description": "同班 With: 李律师",
    }
    values.update(kw)
    return EventInfo(**values)


CAL = CalendarInfo(name="王律师的排班 Schedule of 王律师")


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    return body[:-2].split(b"\r\n")


def test_the_content_type_names_utf8():
    assert CONTENT_TYPE == "text/calendar; charset=utf-8"


def test_every_line_ends_with_crlf():
    body = render(CAL, [event(1), event(2, description="line one\nline two")])
    assert body.count(b"\n") == body.count(b"\r\n") > 10
    assert b"\r\r" not in body


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    summary = "驻村法律服务" * 20 + " Village visit, long enough to fold several times"
    body = render(CAL, [event(1, summary=summary)])
    lines = physical_lines(body)
    assert any(line.startswith(b" ") for line in lines), "nothing was folded"
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a split multi-byte character would not decode
    assert str(parse(body).walk("VEVENT")[0]["SUMMARY"]) == summary


def test_one_published_calendar_with_its_names_and_refresh_hints():
    body = render(CAL, [event(1)])
    lines = physical_lines(body)
    assert lines.count(b"BEGIN:VCALENDAR") == 1 and lines.count(b"END:VCALENDAR") == 1
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    assert b"METHOD:PUBLISH" in lines
    assert b"VERSION:2.0" in lines
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert b"X-PUBLISHED-TTL:PT1H" in lines
    cal = parse(body)
    assert str(cal["PRODID"]).startswith("-//")
    assert str(cal["X-WR-CALNAME"]) == CAL.name
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"


def _offset_by_rules(vtimezone: icalendar.Timezone, local: datetime) -> timedelta:
    """The offset a client that reads only the VTIMEZONE (as Outlook does) applies to `local`:
    the observance with the latest onset not after it, or the earliest one."""
    onsets = []
    for rule in vtimezone.subcomponents:
        starts = [rule["DTSTART"].dt]
        rdates = rule.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            starts += [d.dt for d in rdate.dts]
        if "RRULE" in rule:
            raise AssertionError("recurring zone rules: Shanghai has had none since 1991")
        onsets += [(s.replace(tzinfo=None), rule["TZOFFSETTO"].td) for s in starts]
    onsets.sort()
    applicable = [o for o in onsets if o[0] <= local.replace(tzinfo=None)]
    return (applicable or onsets)[-1][1]


def test_the_shanghai_zone_is_one_standard_rule_at_plus_eight():
    cal = parse(render(CAL, [event(1)]))
    zones = cal.walk("VTIMEZONE")
    assert len(zones) == 1 and str(zones[0]["TZID"]) == "Asia/Shanghai"
    rules = zones[0].subcomponents
    assert [r.name for r in rules] == ["STANDARD"]
    assert rules[0]["TZOFFSETFROM"].td == rules[0]["TZOFFSETTO"].td == timedelta(hours=8)
    # Old summer-time rules (1986-1991) would make a rule-reading client shift May dates.
    for may in (datetime(1988, 5, 10, 9), datetime(2027, 5, 10, 9)):
        assert _offset_by_rules(zones[0], may) == timedelta(hours=8)


def test_a_may_event_reads_back_at_plus_eight():
    start = datetime(2027, 5, 10, 1, 30, tzinfo=UTC)
    body = render(CAL, [event(1, start=start, end=start + timedelta(hours=2))])
    assert b"DTSTART;TZID=Asia/Shanghai:20270510T093000" in physical_lines(body)
    dtstart = parse(body).walk("VEVENT")[0]["DTSTART"].dt
    assert dtstart.utcoffset() == timedelta(hours=8)
    assert dtstart == start


def test_a_zone_with_real_summer_time_keeps_its_rules():
    body = render(CalendarInfo(name="x", zone="Europe/Berlin"), [event(1)])
    rules = parse(body).walk("VTIMEZONE")[0].subcomponents
    assert {r.name for r in rules} == {"STANDARD", "DAYLIGHT"}


def test_events_round_trip_with_their_fields():
    e = event(3, sequence=4, description="同班 With: 李律师, 赵调解员; 备注\n第二行")
    got = parse(render(CAL, [e])).walk("VEVENT")[0]
    assert str(got["UID"]) == e.uid
    assert str(got["SUMMARY"]) == e.summary
    assert str(got["LOCATION"]) == e.location
    assert str(got["DESCRIPTION"]) == e.description
    assert int(got["SEQUENCE"]) == 4
    assert got["DTSTART"].dt == e.start and got["DTEND"].dt == e.end
    assert got["DTSTAMP"].dt == STAMP and got["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert got["LAST-MODIFIED"].dt == STAMP
    assert b"DTSTAMP:20270420T030405Z" in physical_lines(render(CAL, [e]))
    assert str(got["STATUS"]) == "CONFIRMED"
    assert str(got["TRANSP"]) == "OPAQUE"


def test_a_cancelled_event_says_so_and_frees_the_time():
    got = parse(render(CAL, [event(1, cancelled=True, sequence=2)])).walk("VEVENT")[0]
    assert str(got["STATUS"]) == "CANCELLED"
    assert str(got["TRANSP"]) == "TRANSPARENT"
    assert int(got["SEQUENCE"]) == 2


def test_the_same_events_give_the_same_bytes_whatever_their_order():
    events = [event(n) for n in range(1, 6)]
    assert render(CAL, events) == render(CAL, list(reversed(events)))
    assert render(CAL, events) != render(CAL, [*events[:-1], event(5, sequence=1)])


def test_an_empty_calendar_is_still_a_valid_feed():
    cal = parse(render(CAL, []))
    assert cal.walk("VEVENT") == [] and len(cal.walk("VTIMEZONE")) == 1


@pytest.mark.parametrize("broken", [
    {"start": datetime(2027, 5, 10, 9, 0)},  # naive: the classic eight-hour bug
    {"end": datetime(2027, 5, 1, 9, 0, tzinfo=SHANGHAI)},  # ends before it starts
    {"uid": ""},
    {"sequence": -1},
    {"stamp": datetime(2027, 4, 20)},
])
def test_one_broken_event_is_logged_and_skipped(broken, caplog):
    bad = event(2, **broken)
    with caplog.at_level(logging.WARNING, logger="scheduler.feeds.ical"):
        body = render(CAL, [event(1), bad, event(3)])
    uids = [str(e["UID"]) for e in parse(body).walk("VEVENT")]
    assert uids == [event(1).uid, event(3).uid]
    assert any(bad.uid in r.getMessage() or "uid" in r.getMessage() for r in caplog.records)


# --- the direct writer against the library's own -------------------------------------------

TRICKY = ("a, b; c\\d", "line one\nline two\r\nthree\rfour", "\\N after", "驻村法律服务" * 14 + "\\,end",
          "x" * 73 + "\\n", "é" * 40, "😀" * 30, "")


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "Europe/London"])
def test_the_bytes_are_the_librarys_own_byte_for_byte(zone):
    items = [event(n, summary=text, location=TRICKY[-n] or None, description=TRICKY[n - 1] or None,
                   uid=f"slot-{n}-{text[:10]}@feeds.example.org", sequence=n, cancelled=n % 3 == 0)
             for n, text in enumerate(TRICKY, start=1)]
    calendar = CalendarInfo(name="王律师, 排班; " + "长" * 30, zone=zone)
    assert render(calendar, items) == render_with_library(calendar, items)


def test_a_broken_event_is_left_out_by_both_writers_alike():
    broken = event(2, end=datetime(2027, 5, 1, tzinfo=UTC))  # ends before it starts
    assert render(CAL, [event(1), broken]) == render_with_library(CAL, [event(1), broken])
    assert b"slot-2-" not in render(CAL, [event(1), broken])


def test_a_line_break_in_the_calendar_name_stays_on_one_line():
    body = render(CalendarInfo(name="王律师\n排班"), [event(1)])
    assert b"X-WR-CALNAME:\xe7\x8e\x8b\xe5\xbe\x8b\xe5\xb8\x88 \xe6\x8e\x92\xe7\x8f\xad\r\n" in body
    assert body == render_with_library(CalendarInfo(name="王律师\n排班"), [event(1)])
