"""The coming weeks' shift days: statutory holidays close the windows, make-up working days
open them with another weekday's timetable, exactly as the generated week does."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from models import ShiftTemplate, ShiftTemplateLine, Slot
from scheduler.core.weeks import to_local
from scheduler.demand.generate import generate_week
from scheduler.demand.shift_calendar import MAX_WEEKS, shift_weeks

# 2026: National Day closes Thu 1 Oct to Wed 7 Oct (Mon 5 observed, Tue 6 and Wed 7 days
# off); Saturday 10 Oct is worked in exchange for Wednesday 7 Oct.
HOLIDAY_WEEK = date(2026, 10, 5)
NORMAL_WEEK = date(2026, 11, 30)


@pytest.fixture
def ctx(make, session):
    d = make.district()
    window = make.site(d, kind="window", name="窗口")

    def template(weekday: int, name: str, **kw) -> ShiftTemplate:
        t = ShiftTemplate(site_id=window.id, name=name, weekday=weekday, start_time=time(9), end_time=time(12),
                          lines=[ShiftTemplateLine(idx=0, roles=["lawyer"], count=1, skills=[])], **kw)
        session.add(t)
        session.flush()
        return t

    temps = {"mon": template(0, "周一"), "wed": template(2, "周三"), "sat": template(5, "周六"),
             "off": template(1, "停用", active=False),
             "ended": template(3, "已结束", valid_to=date(2026, 9, 30))}
    return {"district": d, "coord": make.user("coordinator", district_id=d.id), "t": temps}


def names(templates) -> list[str]:
    return sorted(t.name for t in templates)


def test_holidays_close_and_make_up_days_open_with_another_timetable(session, ctx):
    week = shift_weeks(session, ctx["coord"], ctx["district"].id, HOLIDAY_WEEK + date.resolution * 3, 1)[0]
    assert week.week_start == HOLIDAY_WEEK
    mon, tue, wed, thu, fri, sat, sun = week.days
    assert mon.closed and mon.holiday == "National Day (observed)" and mon.runs == []
    assert names(mon.skipped) == ["周一"]
    assert wed.closed and wed.holiday.startswith("Day off") and names(wed.skipped) == ["周三"]
    # Saturday 10 October is worked as Wednesday: the Wednesday shift runs, Saturday's does not.
    assert sat.makeup and sat.timetable == 2 and names(sat.runs) == ["周三"] and names(sat.skipped) == ["周六"]
    assert not sun.closed and not sun.makeup and sun.runs == [] and sun.skipped == []
    # Inactive templates and those no longer valid neither run nor count as skipped.
    assert not thu.closed and thu.runs == [] and thu.skipped == []
    assert week.shifts == 1


def test_an_ordinary_week_runs_every_valid_active_template(session, ctx):
    week = shift_weeks(session, ctx["coord"], ctx["district"].id, NORMAL_WEEK, 1)[0]
    assert [names(d.runs) for d in week.days] == [["周一"], [], ["周三"], [], [], ["周六"], []]
    assert all(not d.closed and not d.makeup and d.skipped == [] for d in week.days)


@pytest.mark.parametrize("week_start", [HOLIDAY_WEEK, date(2026, 9, 28), NORMAL_WEEK])
def test_the_calendar_says_exactly_what_generation_creates(session, ctx, week_start):
    week = shift_weeks(session, ctx["coord"], ctx["district"].id, week_start, 1)[0]
    promised = {(d.day, t.id) for d in week.days for t in d.runs}
    generate_week(session, ctx["district"].id, week_start)
    made = {(to_local(s.start_at).date(), s.template_id)
            for s in session.scalars(select(Slot).where(Slot.week_start == week_start, Slot.kind == "shift"))}
    assert promised == made


def test_the_number_of_weeks_is_bounded(session, ctx):
    assert len(shift_weeks(session, ctx["coord"], ctx["district"].id, NORMAL_WEEK, 0)) == 1
    assert len(shift_weeks(session, ctx["coord"], ctx["district"].id, NORMAL_WEEK, 99)) == MAX_WEEKS
