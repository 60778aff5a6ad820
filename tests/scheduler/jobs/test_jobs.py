"""Solve jobs: queued once per week, run outside the request, progress, cancel, failure."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from sqlalchemy import select

from models import Schedule, SolveJob
from scheduler.core.clock import FixedClock
from scheduler.jobs import solve_jobs as jobs
from scheduler.jobs.solve_jobs import PlainThreadRunner, cancel, request_solve, run_job, wait_for
from tests.factories import Factory

WEEK = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 27, 2, tzinfo=UTC))  # jobs' times; the solver runs for real


def seed_week(factory):
    with factory.begin() as session:
        make = Factory(session)
        d = make.district()
        village = make.site(d)
        make.person(d)
        make.slot(village, start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        return d.id


def test_a_job_solves_the_week_into_the_draft(committed_factory):
    district_id = seed_week(committed_factory)
    with committed_factory.begin() as session:
        job, new = request_solve(session, district_id, WEEK, None, time_limit=5)
    assert new
    assert run_job(committed_factory, job.id, clock=CLOCK) == "done"
    with committed_factory() as session:
        job = session.get(SolveJob, job.id)
        draft = session.get(Schedule, job.schedule_id)
        assert draft.state == "draft" and len(draft.assignments) == 1
        assert job.progress["status"] == "optimal" and job.finished_at is not None


def test_a_second_request_joins_the_live_job(committed_factory):
    district_id = seed_week(committed_factory)
    with committed_factory.begin() as session:
        first, _ = request_solve(session, district_id, WEEK, None)
        second, new = request_solve(session, district_id, WEEK, None)
    assert second.id == first.id and not new


def test_cancelled_before_it_starts_leaves_no_draft(committed_factory):
    district_id = seed_week(committed_factory)
    with committed_factory.begin() as session:
        job, _ = request_solve(session, district_id, WEEK, None)
        cancel(session, job.id)
    assert run_job(committed_factory, job.id, clock=CLOCK) == "cancelled"
    with committed_factory() as session:
        assert session.scalars(select(Schedule)).all() == []


def test_the_watcher_stops_a_running_solve_on_request(committed_factory, monkeypatch):
    monkeypatch.setattr(jobs, "POLL_SECONDS", 0.05)
    district_id = seed_week(committed_factory)
    with committed_factory.begin() as session:
        job, _ = request_solve(session, district_id, WEEK, None)
        job.state = "running"
    stop = threading.Event()
    watcher = threading.Thread(target=jobs._watch, args=(committed_factory, job.id, stop, {"objective": 1.0}))
    watcher.start()
    with committed_factory.begin() as session:
        cancel(session, job.id)
    assert stop.wait(5), "the watcher did not pass the cancel request on"
    watcher.join()


def test_a_failing_job_records_why_and_the_runner_lives_on(committed_factory):
    with committed_factory.begin() as session:
        make = Factory(session)
        d = make.district(timezone="Mars/Olympus_Mons")  # the problem cannot be built
        job, _ = request_solve(session, d.id, WEEK, None)
    runner = PlainThreadRunner(committed_factory, clock=CLOCK)
    assert runner.submit(job.id).result(timeout=30) == "failed"
    district_id = seed_week(committed_factory)
    with committed_factory.begin() as session:
        ok, _ = request_solve(session, district_id, WEEK, None, time_limit=5)
    runner.submit(ok.id)
    assert wait_for(committed_factory, ok.id, timeout=60).state == "done"
    with committed_factory() as session:
        assert "Mars/Olympus_Mons" in session.get(SolveJob, job.id).error
    runner.shutdown()
