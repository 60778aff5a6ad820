"""Hostile calendar files are refused within one budget, before anything is expanded: rules
repeating every second or minute, rules that run for ever or never make a date, too many
events, and time zone definitions that would make icalendar list a billion transitions.
Each refusal is shown to happen early by counting the work (the parser and the expansion
library are replaced by tripwires), not by timing; one wall-clock guard is a backstop."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events

from scheduler.mine import ics_budget
from scheduler.mine.busy_ics import CalendarFileError, busy_times

BEGIN = datetime(2026, 11, 30, tzinfo=UTC)
END = BEGIN + timedelta(days=180)


def ics(*events: str, before: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nUID:e{n}\r\nDTSTAMP:20261101T000000Z\r\n{e}END:VEVENT\r\n"
                   for n, e in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//x//EN\r\n{before}{body}END:VCALENDAR\r\n".encode()


def zone(rule: str, tzid: str = "Custom/Budget") -> str:
    return (f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
            f"TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nRRULE:{rule}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")


SECONDLY = ics("DTSTART:20261201T000000Z\r\nDTEND:20261201T000001Z\r\nRRULE:FREQ=SECONDLY\r\n")  # 150 bytes of body
MINUTELY = ics("DTSTART:20261201T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY;INTERVAL=1\r\n")
BILLION = ics("DTSTART:20000101T000000Z\r\nDURATION:PT30M\r\nRRULE:FREQ=HOURLY;COUNT=1000000000\r\n")
MANY_EVENTS = ics(*[f"DTSTART:202612{1 + n % 28:02d}T{n % 24:02d}0000Z\r\nDURATION:PT30M\r\n"
                    for n in range(3000)])  # twice the limit
NEVER = ics("DTSTART:20261201T000000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30\r\n")
ZONE_BILLION = ics("DTSTART;TZID=Custom/Budget:20261201T090000\r\nDURATION:PT1H\r\n",
                   before=zone("FREQ=DAILY;COUNT=1000000000"))


@pytest.fixture
def tripwires(monkeypatch):
    """Nothing may be parsed or expanded: a refusal must come from the screen."""
    def parsed(*args, **kwargs):
        raise AssertionError("the file reached icalendar")

    def expanded(*args, **kwargs):
        raise AssertionError("the file reached recurring-ical-events")
    monkeypatch.setattr(icalendar.Calendar, "from_ical", parsed)
    monkeypatch.setattr(recurring_ical_events, "of", expanded)


@pytest.mark.parametrize("data, code", [
    (SECONDLY, "too_frequent"),
    (MINUTELY, "too_frequent"),
    (ics("DTSTART:20261201T000000Z\r\nRRULE:FREQ=DAILY;FREQ=SECONDLY\r\n"), "too_frequent"),
    (ics(before="BEGIN:VTODO\r\nUID:t\r\nDTSTART:20261201T000000Z\r\nRRULE:FREQ=MINUTELY\r\nEND:VTODO\r\n"),
     "too_frequent"),
    (ics("DTSTART;TZID=Custom/S:20261201T090000\r\n", before=zone("FREQ=SECONDLY", "Custom/S")), "too_frequent"),
    (BILLION, "too_complex"),
    (ics("DTSTART:19000101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=HOURLY\r\n"), "too_complex"),
    (ZONE_BILLION, "too_complex"),
    (MANY_EVENTS, "too_many_events"),
    (NEVER, "unsupported_rule"),
    (ics("DTSTART:20261207T000000Z\r\nRRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU\r\n"), "unsupported_rule"),
    (ics("DTSTART:20261201T000000Z\r\nRRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=9\r\n"), "unsupported_rule"),
    (ics("DTSTART:20261201T000000Z\r\nRRULE:FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6\r\n"), "unsupported_rule"),
    (ics("DTSTART:20261201T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24)))
         + ";BYMINUTE=" + ",".join(map(str, range(60))) + "\r\n"), "too_many"),
])
def test_a_hostile_file_is_refused_before_it_is_parsed(data, code, tripwires):
    with pytest.raises(CalendarFileError) as caught:
        busy_times(data, BEGIN, END)
    assert caught.value.code == code


def test_a_billion_repetitions_stop_at_the_budget():
    budget = ics_budget.Budget()
    with pytest.raises(CalendarFileError) as caught:
        ics_budget.screen(BILLION.decode(), BEGIN, END, budget)
    assert caught.value.code == "too_complex" and caught.value.params == {"limit": ics_budget.MAX_WORK}
    # Counting stopped the moment the budget ran out: within one date's cost of it.
    assert ics_budget.MAX_WORK < budget.work <= ics_budget.MAX_WORK + ics_budget.DATE_COST
    assert budget.inside == 0  # none of it reached the window


def test_times_inside_the_window_stop_at_their_limit():
    budget = ics_budget.Budget()
    data = ics("DTSTART:20261201T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24)))
               + ";BYMINUTE=" + ",".join(map(str, range(60))) + "\r\n")
    with pytest.raises(CalendarFileError):
        ics_budget.screen(data.decode(), BEGIN, END, budget)
    assert budget.inside == ics_budget.MAX_OCCURRENCES + 1


def test_a_rule_with_a_huge_count_is_only_followed_to_the_windows_end():
    budget = ics_budget.Budget()
    data = ics("DTSTART:20261201T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=1000000000\r\n")
    ics_budget.screen(data.decode(), BEGIN, END, budget)
    assert budget.inside == 26  # 180 days and the margin: read lazily, not a billion
    assert len(busy_times(data, BEGIN, END)) == 26


def test_events_far_from_the_window_are_set_aside_and_only_times_reach_the_parser():
    assert ics_budget.MAX_EVENTS < 3000  # so the 3,000 events here, and in MANY_EVENTS, are past the limit
    past = [f"DTSTART:2019{1 + n % 12:02d}01T090000Z\r\nDTEND:2019{1 + n % 12:02d}01T100000Z\r\nSUMMARY:开庭 张三\r\n"
            for n in range(3000)]
    data = ics(*past, "DTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:开庭 李四\r\n"
               "DESCRIPTION:案号 (2026) 浙0212民初1号\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\n")
    budget = ics_budget.Budget()
    text = ics_budget.screen(data.decode(), BEGIN, END, budget)
    assert budget.events == 1
    assert "SUMMARY" not in text and "DESCRIPTION" not in text and "VALARM" not in text and "张三" not in text
    assert len(busy_times(data, BEGIN, END)) == 1


@pytest.mark.parametrize("rule", [
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=DAILY;INTERVAL=2",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU", "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=1,2,3,4,5,6,7;BYDAY=SU",
    "FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270301T000000Z",
])
def test_the_rules_calendar_programs_write_are_read(rule):
    assert busy_times(ics(f"DTSTART:20261201T090000Z\r\nDURATION:PT1H\r\nRRULE:{rule}\r\n"), BEGIN, END)


def test_a_long_running_daily_series_is_read_within_the_budget():
    data = ics("DTSTART:19950101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n")
    assert len(busy_times(data, BEGIN, END)) == 180


@pytest.mark.parametrize("data, code", [(SECONDLY, "too_frequent"), (MINUTELY, "too_frequent"),
                                        (BILLION, "too_complex"), (MANY_EVENTS, "too_many_events"),
                                        (NEVER, "unsupported_rule"), (ZONE_BILLION, "too_complex")])
def test_backstop_hostile_files_are_refused_in_seconds_for_real(data, code):
    started = time.perf_counter()
    with pytest.raises(CalendarFileError) as caught:
        busy_times(data, BEGIN, END)
    assert caught.value.code == code
    assert time.perf_counter() - started < 10  # a generous backstop; the tests above count the work


def test_a_zone_rule_with_a_negative_count_is_counted_to_2038_not_to_9999():
    budget = ics_budget.Budget()
    data = ics("DTSTART;TZID=Custom/Negative:20261201T090000\r\nDURATION:PT1H\r\n",
               before=zone("FREQ=DAILY;COUNT=-3", "Custom/Negative"))
    ics_budget.screen(data.decode(), BEGIN, END, budget)
    days = (datetime(2039, 1, 1) - datetime(1970, 1, 1)).days
    assert budget.work >= days * ics_budget.DATE_COST  # every date to 2038 paid for, and no further


def test_a_broken_time_zone_is_unreadable_not_a_crash():
    data = ics(before="BEGIN:VTIMEZONE\r\nTZID:X\r\nTZID:Y\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
                      "TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
    with pytest.raises(CalendarFileError) as caught:
        busy_times(data, BEGIN, END)
    assert caught.value.code == "unreadable"
