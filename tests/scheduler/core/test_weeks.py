from datetime import UTC, date, datetime, time

import pytest

from scheduler.core.weeks import monday_of, parse_week, timetable_weekday, to_utc


def test_week_is_identified_by_its_monday():
    assert monday_of(date(2026, 12, 3)) == date(2026, 11, 30)
    assert parse_week("2026-12-06") == date(2026, 11, 30)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_week("next tuesday")


def test_local_times_are_shanghai():
    assert to_utc(date(2026, 5, 4), time(9)) == datetime(2026, 5, 4, 1, tzinfo=UTC)


def test_statutory_holidays_close_and_makeup_days_open_with_the_replaced_weekday():
    assert timetable_weekday(date(2026, 10, 1)) is None  # National Day
    assert timetable_weekday(date(2026, 1, 2)) is None  # day off paid for by Sunday 4 January
    assert timetable_weekday(date(2026, 1, 4)) == 4  # that Sunday works Friday's timetable
    assert timetable_weekday(date(2026, 12, 2)) == 2  # an ordinary Wednesday
    assert timetable_weekday(date(2026, 12, 6)) == 6  # an ordinary Sunday stays a Sunday
