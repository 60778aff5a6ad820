"""The injectable clock: the system's, a fixed one for tests and `--now`, and a guard that no
module of the program reads the real time anywhere else."""
from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.core.clock import Clock, FixedClock, SystemClock, clock_at, parse_moment

ROOT = Path(__file__).resolve().parents[3]
CLOCK_MODULE = ROOT / "scheduler" / "core" / "clock.py"
# 23:30 on Monday 30 November 2026 in Shanghai.
LATE_MONDAY = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)


def test_a_fixed_clock_stands_still_until_moved():
    clock = FixedClock(LATE_MONDAY)
    assert clock.now() == clock.now() == LATE_MONDAY
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == timedelta(0)
    assert clock.advance(hours=1) == LATE_MONDAY + timedelta(hours=1)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
    assert isinstance(clock, Clock)


def test_today_is_the_date_in_the_site_zone_not_in_utc():
    # 23:30 on Monday in UTC+8 is 15:30 UTC; 00:30 on Tuesday there is still Monday in UTC.
    assert FixedClock(LATE_MONDAY).today() == date(2026, 11, 30)
    tuesday = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert FixedClock(tuesday).today() == date(2026, 12, 1)
    assert FixedClock(tuesday, "UTC").today() == date(2026, 11, 30)


def test_a_fixed_clock_keeps_any_offset_as_utc_and_refuses_naive_moments():
    local = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert FixedClock(local).now() == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert FixedClock(local).now().tzinfo == UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 12, 1, 9, 0))


def test_the_system_clock_answers_in_utc_and_in_its_zone():
    clock = SystemClock("Asia/Shanghai")
    before = clock.now()
    assert before.utcoffset() == timedelta(0)
    # Whatever the date is, today is the Shanghai date of a moment the clock gave.
    assert clock.today() in {(before + timedelta(hours=8)).date(), (clock.now() + timedelta(hours=8)).date()}
    assert isinstance(clock, Clock)


def test_the_command_line_moment_is_local_unless_it_has_an_offset():
    assert parse_moment("2026-11-30T16:00") == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert parse_moment("2026-11-30T16:00+00:00") == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert parse_moment("2026-11-30", "UTC") == datetime(2026, 11, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date and time"):
        parse_moment("tomorrow")
    fixed = clock_at("2026-11-30T16:00")
    assert isinstance(fixed, FixedClock) and fixed.now() == datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert isinstance(clock_at(None), SystemClock) and isinstance(clock_at(""), SystemClock)


# --- nobody else reads the real time ---------------------------------------------------------

# (object, attribute) pairs whose call reads the clock; `datetime` and `date` as imported names.
CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
               ("time", "time"), ("time", "time_ns")}
CLOCK_FUNCTIONS = {"utcnow"}  # models.utcnow: fine as a column default, not to be called by the program


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def real_time_reads(source: str) -> list[tuple[int, str]]:
    """Calls in `source` that read the real time: datetime.now(), date.today(), utcnow(),
    time.time() and the like, however the module was imported."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        parts = name.split(".")
        if tuple(parts[-2:]) in CLOCK_READS or parts[-1] in CLOCK_FUNCTIONS:
            found.append((node.lineno, node.col_offset, name))
    return [(line, name) for line, _, name in sorted(found)]


def program_modules() -> list[Path]:
    return sorted(p for top in ("scheduler", "web") for p in (ROOT / top).rglob("*.py"))


def test_the_finder_sees_every_way_of_reading_the_clock():
    source = """
import datetime as dt, time
from datetime import date, datetime
from models import utcnow
a = datetime.now(timezone.utc); b = dt.datetime.now(); c = date.today(); d = utcnow()
e = time.time(); f = datetime.utcnow(); g = dt.date.today(); h = models.utcnow()
ok = datetime.fromisoformat("2026-01-01"); ok2 = time.monotonic(); ok3 = clock.now(); ok4 = now()
"""
    assert [name for _, name in real_time_reads(source)] == [
        "datetime.now", "dt.datetime.now", "date.today", "utcnow", "time.time", "datetime.utcnow",
        "dt.date.today", "models.utcnow"]


def test_only_the_clock_module_reads_the_real_time():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {name}()"
                 for path in program_modules() if path != CLOCK_MODULE
                 for line, name in real_time_reads(path.read_text(encoding="utf-8"))]
    assert offenders == [], ("read the time from the injected clock (a `now`/`today` parameter, the "
                             "command line's or the app's clock), not from the system:\n" + "\n".join(offenders))
