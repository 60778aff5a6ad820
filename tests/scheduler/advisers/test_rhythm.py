"""Villages overdue for an adviser visit, from published schedules."""
from __future__ import annotations

from datetime import UTC, date, datetime

from models import Assignment
from scheduler.advisers.rhythm import overdue_villages

NOW = datetime(2026, 12, 1, 4, tzinfo=UTC)


def utc(*a):
    return datetime(*a, tzinfo=UTC)


def visit(session, make, district, village, lawyer, start, version=1, week=date(2026, 11, 2)):
    slot = make.slot(village, start=start, week_start=week)
    sched = make.schedule(district, state="published", version=version, published_at=start, week_start=week)
    session.add(Assignment(schedule_id=sched.id, slot_id=slot.id, person_id=lawyer.id, line_index=0))
    session.flush()
    return slot


def test_recent_visit_is_not_overdue_old_or_missing_ones_are(session, make):
    d = make.district()
    lawyer = make.person(d)
    recent = make.site(d, visit_every_weeks=4)
    old = make.site(d, visit_every_weeks=2)
    never = make.site(d, visit_every_weeks=4)
    make.site(d)  # no rhythm: never flagged
    visit(session, make, d, recent, lawyer, utc(2026, 11, 10, 1), week=date(2026, 11, 9))
    visit(session, make, d, old, lawyer, utc(2026, 11, 3, 1), week=date(2026, 11, 2))
    flagged = overdue_villages(session, d.id, NOW)
    assert [o.site_id for o in flagged] == [never.id, old.id]
    assert flagged[0].last_visit is None
    assert flagged[1].days_overdue == 14  # 28 days since the visit ended, 14 allowed


def test_a_visit_dropped_by_a_later_version_does_not_count(session, make):
    d = make.district()
    lawyer = make.person(d)
    village = make.site(d, visit_every_weeks=4)
    week = date(2026, 11, 23)
    visit(session, make, d, village, lawyer, utc(2026, 11, 24, 1), version=1, week=week)
    make.schedule(d, state="published", version=2, published_at=NOW, week_start=week)  # the visit is gone
    assert [o.site_id for o in overdue_villages(session, d.id, NOW)] == [village.id]
