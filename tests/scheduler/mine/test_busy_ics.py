"""Busy times from a provider's own .ics: recurrences expanded, free and cancelled events
ignored, all-day and floating times read in the local zone, nothing about the events kept."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from scheduler.mine.busy_ics import MAX_BYTES, Busy, CalendarFileError, busy_times

BEGIN = datetime(2026, 11, 30, tzinfo=UTC)
END = BEGIN + timedelta(days=60)


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nUID:e{n}\r\nDTSTAMP:20261101T000000Z\r\n{e}END:VEVENT\r\n"
                   for n, e in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//x//EN\r\n{body}END:VCALENDAR\r\n".encode()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_timed_event_is_busy_in_utc():
    got = busy_times(ics("DTSTART;TZID=Asia/Shanghai:20261201T090000\r\nDTEND;TZID=Asia/Shanghai:20261201T110000\r\n"
                         "SUMMARY:开庭 client 张三\r\n"), BEGIN, END)
    assert got == [Busy(utc(2026, 12, 1, 1), utc(2026, 12, 1, 3))]
    assert not hasattr(got[0], "summary")


def test_weekly_recurrences_are_expanded_with_their_exceptions():
    got = busy_times(ics("DTSTART;TZID=Asia/Shanghai:20261201T090000\r\nDURATION:PT1H\r\n"
                         "RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=Asia/Shanghai:20261208T090000\r\n"), BEGIN, END)
    assert [b.start for b in got] == [utc(2026, 12, 1, 1), utc(2026, 12, 15, 1), utc(2026, 12, 22, 1)]


def test_all_day_events_block_whole_local_days_and_floating_times_are_local():
    got = busy_times(ics("DTSTART;VALUE=DATE:20261205\r\nDTEND;VALUE=DATE:20261207\r\n",
                         "DTSTART:20261210T140000\r\nDTEND:20261210T150000\r\n"), BEGIN, END)
    assert got == [Busy(utc(2026, 12, 4, 16), utc(2026, 12, 6, 16)), Busy(utc(2026, 12, 10, 6), utc(2026, 12, 10, 7))]


def test_free_and_cancelled_events_do_not_count():
    got = busy_times(ics("DTSTART:20261201T010000Z\r\nDTEND:20261201T020000Z\r\nTRANSP:TRANSPARENT\r\n",
                         "DTSTART:20261202T010000Z\r\nDTEND:20261202T020000Z\r\nSTATUS:CANCELLED\r\n"), BEGIN, END)
    assert got == []


def test_overlaps_merge_and_the_window_clips():
    got = busy_times(ics("DTSTART:20261201T010000Z\r\nDTEND:20261201T030000Z\r\n",
                         "DTSTART:20261201T020000Z\r\nDTEND:20261201T040000Z\r\n",
                         "DTSTART:20261129T220000Z\r\nDTEND:20261130T020000Z\r\n",
                         "DTSTART:20270601T010000Z\r\nDTEND:20270601T020000Z\r\n"), BEGIN, END)
    assert got == [Busy(BEGIN, utc(2026, 11, 30, 2)), Busy(utc(2026, 12, 1, 1), utc(2026, 12, 1, 4))]


@pytest.mark.parametrize("data, code", [
    (b"hello, this is not a calendar", "unreadable"),
    (b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "unreadable"),
    (b"x" * (MAX_BYTES + 1), "too_large"),
])
def test_bad_files_are_refused_with_a_reason(data, code):
    with pytest.raises(CalendarFileError) as caught:
        busy_times(data, BEGIN, END)
    assert caught.value.code == code


@pytest.mark.parametrize("broken", [
    "DTSTART:garbage\r\nDTEND:20261201T020000Z\r\n",
    "DTEND:20261201T020000Z\r\n",
    "DTSTART:20261202T010000Z\r\nRRULE:FREQ=SOMETIMES\r\n",
])
def test_one_unreadable_event_is_skipped(broken, caplog):
    with caplog.at_level(logging.WARNING, logger="scheduler.mine.busy_ics"):
        got = busy_times(ics("DTSTART:20261201T010000Z\r\nDTEND:20261201T020000Z\r\n", broken), BEGIN, END)
    assert got == [Busy(utc(2026, 12, 1, 1), utc(2026, 12, 1, 2))]
    assert any("e1" in r.getMessage() for r in caplog.records)


def test_a_moved_occurrence_stays_with_its_series():
    data = ics("DTSTART:20261201T010000Z\r\nDTEND:20261201T020000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\n").replace(
        b"END:VCALENDAR", b"BEGIN:VEVENT\r\nUID:e0\r\nDTSTAMP:20261101T000000Z\r\nRECURRENCE-ID:20261208T010000Z\r\n"
        b"DTSTART:20261208T060000Z\r\nDTEND:20261208T070000Z\r\nEND:VEVENT\r\nEND:VCALENDAR")
    assert [b.start for b in busy_times(data, BEGIN, END)] == [utc(2026, 12, 1, 1), utc(2026, 12, 8, 6)]
