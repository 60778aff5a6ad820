"""The one place that reads the real time.

Every use case takes the moment it works at (`now`, a UTC-aware datetime) or the day
(`today`, in the site's zone) as a parameter; the composition roots (the web app, the command
line, the solve workers) get it from a `Clock`. `SystemClock` reads the machine's clock;
`FixedClock` stands still where it is put (tests, and the command line's `--now`), so the same
code gives the same answers on any date.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from scheduler.core.weeks import DEFAULT_ZONE


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """This moment, in UTC (timezone-aware)."""
        ...

    def today(self) -> date:
        """Today's date in the clock's zone (where the service happens)."""
        ...


class SystemClock:
    """The machine's clock."""

    def __init__(self, zone: str = DEFAULT_ZONE) -> None:
        self.zone = zone
        self._tz = ZoneInfo(zone)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(self._tz).date()

    def __repr__(self) -> str:
        return f"SystemClock({self.zone!r})"


class FixedClock:
    """A clock that stays at the moment it was given until moved (`set`, `advance`)."""

    def __init__(self, moment: datetime, zone: str = DEFAULT_ZONE) -> None:
        self.zone = zone
        self._tz = ZoneInfo(zone)
        self._moment = _aware(moment)

    def now(self) -> datetime:
        return self._moment

    def today(self) -> date:
        return self._moment.astimezone(self._tz).date()

    def set(self, moment: datetime) -> None:
        self._moment = _aware(moment)

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by `delta` or by `timedelta(**parts)`; returns the new moment."""
        self._moment += (delta or timedelta()) + timedelta(**parts)
        return self._moment

    def __repr__(self) -> str:
        return f"FixedClock({self._moment.isoformat()}, {self.zone!r})"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a clock needs a timezone-aware moment, not {moment!r}")
    return moment.astimezone(UTC)


def parse_moment(text: str, zone: str = DEFAULT_ZONE) -> datetime:
    """A moment written as YYYY-MM-DDTHH:MM[:SS][+offset] (or a date: its midnight), local to
    `zone` unless it carries an offset; returned in UTC. Raises ValueError on anything else."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"not a date and time (YYYY-MM-DDTHH:MM, local unless it has an offset): {text!r}") \
            from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def clock_at(text: str | None, zone: str = DEFAULT_ZONE) -> Clock:
    """The command line's clock: fixed at `text` (see `parse_moment`) when given, else the system's."""
    if text is None or not text.strip():
        return SystemClock(zone)
    return FixedClock(parse_moment(text, zone), zone)
