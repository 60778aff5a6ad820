"""A week's slots from templates, village rhythms, events and requests."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from models import (
    EventLine,
    RequestWindow,
    ShiftTemplate,
    ShiftTemplateLine,
    Slot,
    SquareEvent,
    VisitRequest,
)
from scheduler.demand.generate import generate_week, visit_due

WEEK = date(2026, 11, 30)
NATIONAL_DAY_WEEK = date(2026, 9, 28)  # 1-3 and 5-7 October off, Saturday 10 October worked


def slots(session, district):
    return session.scalars(select(Slot).where(Slot.district_id == district.id).order_by(Slot.start_at)).all()


def template(session, site, weekday, roles=("lawyer",)):
    t = ShiftTemplate(site_id=site.id, name="上午", weekday=weekday, start_time=time(9), end_time=time(12))
    t.lines = [ShiftTemplateLine(idx=0, roles=list(roles), count=2, skills=[])]
    session.add(t)
    session.flush()
    return t


def test_templates_make_one_shift_per_matching_day(session, make):
    d = make.district()
    window = make.site(d, kind="window")
    template(session, window, weekday=0)
    report = generate_week(session, d.id, WEEK)
    (slot,) = slots(session, d)
    assert report.created["shift"] == 1
    assert slot.start_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert [(ln.roles, ln.count) for ln in slot.lines] == [(["lawyer"], 2)]


def test_generation_is_idempotent(session, make):
    d = make.district()
    template(session, make.site(d, kind="window"), weekday=1)
    generate_week(session, d.id, WEEK)
    again = generate_week(session, d.id, WEEK)
    assert again.total_created == 0 and again.existing == 1
    assert len(slots(session, d)) == 1


def test_holidays_close_windows_and_makeup_saturday_works_the_replaced_day(session, make):
    d = make.district()
    window = make.site(d, kind="window")
    for weekday in range(5):
        template(session, window, weekday)
    report = generate_week(session, d.id, NATIONAL_DAY_WEEK)
    days = [s.start_at.date() for s in slots(session, d)]
    # Mon 28, Tue 29, Wed 30 September work; 1-2 October are off.
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30)]
    assert date(2026, 10, 1) in report.holidays
    week_after = generate_week(session, d.id, date(2026, 10, 5))
    later = [s.start_at.date() for s in slots(session, d) if s.week_start == date(2026, 10, 5)]
    # 5-7 October off; Saturday 10 October works Wednesday's timetable (7 October's).
    assert later == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
    assert week_after.created["shift"] == 3


def test_village_visits_follow_the_rhythm(session, make):
    d = make.district()
    village = make.site(d, visit_every_weeks=4, visit_anchor=date(2026, 11, 2), visit_weekday=2,
                        visit_start=time(14), visit_minutes=180)
    assert visit_due(village, date(2026, 11, 30))  # 4 weeks after the anchor week
    assert not visit_due(village, date(2026, 12, 7))
    generate_week(session, d.id, WEEK)
    generate_week(session, d.id, date(2026, 12, 7))
    (visit,) = slots(session, d)
    assert visit.kind == "visit"
    assert visit.start_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert visit.end_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_events_of_the_week_become_slots(session, make):
    d = make.district()
    square = make.site(d, kind="square")
    inside = SquareEvent(site_id=square.id, title="宪法宣传日", start_at=datetime(2026, 12, 5, 1, tzinfo=UTC),
                         end_at=datetime(2026, 12, 5, 5, tzinfo=UTC), priority=4)
    inside.lines = [EventLine(idx=0, roles=["lawyer"], count=2, skills=[]),
                    EventLine(idx=1, roles=["volunteer"], count=4, skills=[])]
    outside = SquareEvent(site_id=square.id, title="下周活动", start_at=datetime(2026, 12, 12, 1, tzinfo=UTC),
                          end_at=datetime(2026, 12, 12, 5, tzinfo=UTC))
    outside.lines = [EventLine(idx=0, roles=["lawyer"], count=1, skills=[])]
    session.add_all([inside, outside])
    session.flush()
    generate_week(session, d.id, WEEK)
    (slot,) = slots(session, d)
    assert slot.event_id == inside.id and slot.priority == 4
    assert [ln.count for ln in slot.lines] == [2, 4]


def test_requests_become_choice_groups_cheaper_for_preferred_windows(session, make):
    d = make.district()
    village = make.site(d)
    owner = make.user("coordinator", district_id=d.id)
    req = VisitRequest(village_id=village.id, district_id=d.id, topic="宅基地纠纷", kind="mediation",
                       owner_id=owner.id, urgency="urgent")
    req.windows = [
        RequestWindow(rank=0, start_at=datetime(2026, 12, 1, 6, tzinfo=UTC), end_at=datetime(2026, 12, 1, 8, tzinfo=UTC)),
        RequestWindow(rank=1, start_at=datetime(2026, 12, 3, 1, tzinfo=UTC), end_at=datetime(2026, 12, 3, 3, tzinfo=UTC)),
    ]
    session.add(req)
    session.flush()
    generate_week(session, d.id, WEEK)
    made = slots(session, d)
    assert [s.choice_group for s in made] == [f"R{req.id}", f"R{req.id}"]
    assert [s.choice_cost for s in made] == [0.0, 20.0]
    assert all(s.priority == 5 for s in made)
    assert [ln.roles for ln in made[0].lines] == [["lawyer"], ["mediator"]]
