"""Declines reach the coordinator: the district's pending declines, and re-planning a week
around them with the real solver (minimal change: everything else stays as published), the
decline handled once a version without that place is published."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from models import Assignment, AuditEntry, Decline, SolveJob
from scheduler.core.access import AccessDenied
from scheduler.core.clock import FixedClock
from scheduler.core.versions import current_draft, latest_published
from scheduler.jobs import solve_jobs as jobs
from scheduler.mine import self_service
from scheduler.swaps import declines
from scheduler.week import drafts
from tests.factories import MONDAY

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def utc(day: int, hour: int) -> datetime:
    """`hour` UTC on the `day`th of December 2026 (the week of MONDAY, 30 November)."""
    return datetime(2026, 12, day, hour, tzinfo=UTC)


@pytest.fixture
def week(session, make):
    """A published week: Wang on a Tuesday visit (locked in the draft), Li on Wednesday's,
    Zhao on a Thursday window shift; all three lawyers are free on Tuesday."""
    d = make.district(name="甲区")
    village, window = make.site(d, name="甲村"), make.site(d, kind="window", name="甲镇窗口")
    wang, li, zhao = (make.person(d, name=n) for n in ("王律师", "李律师", "赵律师"))
    tuesday = make.slot(village, start=utc(1, 1), hours=2)
    wednesday = make.slot(village, start=utc(2, 1), hours=2)
    thursday = make.slot(window, kind="shift", start=utc(3, 1), hours=3)
    coordinator = make.user("coordinator", district_id=d.id)
    draft = drafts.get_or_create_draft(session, d.id, MONDAY, coordinator)
    draft.assignments += [Assignment(slot_id=tuesday.id, person_id=wang.id, line_index=0, locked=True),
                          Assignment(slot_id=wednesday.id, person_id=li.id, line_index=0),
                          Assignment(slot_id=thursday.id, person_id=zhao.id, line_index=0)]
    session.flush()
    drafts.publish(session, d.id, MONDAY, coordinator, now=NOW)
    provider = make.user("provider", person_id=wang.id, district_id=d.id)
    return dict(d=d, wang=wang, li=li, zhao=zhao, tuesday=tuesday, wednesday=wednesday, thursday=thursday,
                coordinator=coordinator, provider=provider)


def pairs(session, schedule) -> set[tuple[int, int]]:
    return set(session.execute(select(Assignment.slot_id, Assignment.person_id)
                               .where(Assignment.schedule_id == schedule.id)).all())


def test_pending_declines_say_who_which_place_why_and_when(session, make, week):
    assert declines.pending(session, week["coordinator"], week["d"].id, NOW) == []
    self_service.decline(session, week["provider"], week["tuesday"].id, "开庭", NOW)
    (row,) = declines.pending(session, week["coordinator"], week["d"].id, NOW)
    assert (row.person.name, row.slot.id, row.decline.reason, row.decline.created_at, row.in_draft) == \
        ("王律师", week["tuesday"].id, "开庭", NOW, True)
    assert row.start.utcoffset().total_seconds() == 8 * 3600 and row.start.hour == 9
    assert declines.pending(session, week["coordinator"], week["d"].id, NOW, MONDAY) == [row]
    assert declines.pending(session, week["coordinator"], week["d"].id, NOW, MONDAY.replace(day=23)) == []
    # Over once the place is over.
    assert declines.pending(session, week["coordinator"], week["d"].id, week["tuesday"].end_at) == []
    with pytest.raises(AccessDenied):
        declines.pending(session, make.user("coordinator", district_id=make.district().id), week["d"].id, NOW)
    with pytest.raises(AccessDenied):
        declines.pending(session, week["provider"], week["d"].id, NOW)


def test_replanning_keeps_the_rest_of_the_week_and_publishing_handles_the_decline(session, week, monkeypatch):
    monkeypatch.setattr(jobs, "POLL_SECONDS", 600)  # the watcher thread must not share the connection
    before = pairs(session, latest_published(session, week["d"].id, MONDAY))
    self_service.decline(session, week["provider"], week["tuesday"].id, "开庭", NOW)
    job = declines.replan_week(session, week["coordinator"], week["d"].id, MONDAY, NOW, time_limit=5)
    draft = current_draft(session, week["d"].id, MONDAY)
    # Taken out of the draft at once, although it was locked: the person cannot come.
    assert (week["tuesday"].id, week["wang"].id) not in pairs(session, draft)
    assert declines.pending(session, week["coordinator"], week["d"].id, NOW)[0].in_draft is False
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "decline.replan")) is not None
    factory = sessionmaker(bind=session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False)
    state = jobs.run_job(factory, job.id, clock=FixedClock(NOW), workers=1)
    assert state == "done", session.get(SolveJob, job.id).error
    session.expire_all()
    after = pairs(session, current_draft(session, week["d"].id, MONDAY))
    (newcomer,) = [p for s, p in after if s == week["tuesday"].id]
    assert newcomer in (week["li"].id, week["zhao"].id)
    assert after - {(week["tuesday"].id, newcomer)} == before - {(week["tuesday"].id, week["wang"].id)}
    drafts.publish(session, week["d"].id, MONDAY, week["coordinator"], now=NOW)
    assert session.scalar(select(Decline.handled_at)) is not None
    assert declines.pending(session, week["coordinator"], week["d"].id, NOW) == []


def test_replanning_needs_a_decline_and_no_solve_under_way(session, week):
    with pytest.raises(declines.ReplanRefused) as refused:
        declines.replan_week(session, week["coordinator"], week["d"].id, MONDAY, NOW, time_limit=5)
    assert refused.value.code == "nothing_declined"
    self_service.decline(session, week["provider"], week["tuesday"].id, "开庭", NOW)
    jobs.request_solve(session, week["d"].id, MONDAY, week["coordinator"], now=NOW)
    with pytest.raises(declines.ReplanRefused) as refused:
        declines.replan_week(session, week["coordinator"], week["d"].id, MONDAY, NOW, time_limit=5)
    assert refused.value.code == "solving"
    # Nothing was taken out of the draft.
    assert (week["tuesday"].id, week["wang"].id) in pairs(session, current_draft(session, week["d"].id, MONDAY))


def test_a_solve_whose_worker_died_does_not_hold_up_the_replan(session, week):
    """Issue 13 row 18: a job left "running" by a dead worker (its lease ran out) no longer
    counts as a solve under way; the re-plan records it failed and queues its own."""
    from datetime import timedelta

    from scheduler.jobs import leases

    self_service.decline(session, week["provider"], week["tuesday"].id, "开庭", NOW)
    dead, _ = jobs.request_solve(session, week["d"].id, MONDAY, week["coordinator"])
    dead.state, dead.started_at, dead.claimed_by = "running", NOW - timedelta(minutes=1), "dead-host:1:0"
    dead.lease_until = NOW - leases.LOST_GRACE - timedelta(seconds=1)
    session.flush()
    job = declines.replan_week(session, week["coordinator"], week["d"].id, MONDAY, NOW, time_limit=5)
    assert job.id != dead.id and job.state == "queued"
    assert dead.state == "failed" and dead.error.startswith(leases.WORKER_LOST)

