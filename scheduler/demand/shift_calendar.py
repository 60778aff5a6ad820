"""Which days of the coming weeks generate window shifts, by the same rules as
`scheduler.demand.generate`: statutory holidays and days off close the windows, and a make-up working
day (调休) opens them with the timetable of the weekday it stands in for. Coordinators see
the holiday rules at work before any week is generated."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from models import ShiftTemplate, User
from scheduler.core.weeks import holiday_name, monday_of, timetable_weekday
from scheduler.demand.standing import district_templates

MAX_WEEKS = 12


@dataclass(frozen=True)
class ShiftDay:
    day: date
    # The weekday whose timetable applies (Monday = 0); None when the windows are closed.
    timetable: int | None
    # The holiday or day off that closes the day (the `holidays` package's English name).
    holiday: str | None
    runs: list[ShiftTemplate] = field(default_factory=list)
    # Templates of the day's own weekday that do not run: closed, or replaced on a make-up day.
    skipped: list[ShiftTemplate] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.timetable is None

    @property
    def makeup(self) -> bool:
        """A make-up working day: worked with another weekday's timetable."""
        return self.timetable is not None and self.timetable != self.day.weekday()


@dataclass(frozen=True)
class ShiftWeek:
    week_start: date
    days: list[ShiftDay]

    @property
    def shifts(self) -> int:
        return sum(len(d.runs) for d in self.days)


def template_runs(template: ShiftTemplate, day: date, weekday: int | None) -> bool:
    """Whether `template` yields a shift on `day`, whose timetable is that of `weekday`."""
    return (weekday is not None and template.active and template.site.active and template.weekday == weekday
            and (template.valid_from is None or day >= template.valid_from)
            and (template.valid_to is None or day <= template.valid_to))


def shift_day(templates: list[ShiftTemplate], day: date) -> ShiftDay:
    weekday = timetable_weekday(day)
    runs = [t for t in templates if template_runs(t, day, weekday)]
    own = [t for t in templates if template_runs(t, day, day.weekday()) and t not in runs]
    return ShiftDay(day, weekday, holiday_name(day) if weekday is None else None, runs, own)


def shift_weeks(session, user: User, district_id: int, first_day: date, weeks: int = 4) -> list[ShiftWeek]:
    """The weeks from the one holding `first_day` (at most MAX_WEEKS), day by day."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    templates = district_templates(session, user, district_id)
    start = monday_of(first_day)
    out = []
    for w in range(weeks):
        monday = start + timedelta(weeks=w)
        out.append(ShiftWeek(monday, [shift_day(templates, monday + timedelta(days=i)) for i in range(7)]))
    return out
