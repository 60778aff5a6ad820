"""Solve job leases (issue 13, row 18 and deliverable 7): two workers never both run a job, a
job whose worker died is seen as lost and taken over by the next worker that gets it, and a
worker that lost its lease writes nothing. Real databases (SQLite and PostgreSQL) and real
commits; time is the injectable clock's, moved by the tests, never slept for."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from models import AuditEntry, SolveJob
from scheduler.core.clock import FixedClock
from scheduler.core.config import Settings
from scheduler.jobs import leases
from scheduler.jobs import solve_jobs as jobs
from scheduler.jobs.celery_app import solve_job
from scheduler.jobs.solve_jobs import request_solve, run_job
from scheduler.week import solve as solving
from tests.factories import Factory

WEEK = date(2026, 11, 30)
T0 = datetime(2026, 11, 27, 2, tzinfo=UTC)


def seed_job(factory, **job_fields) -> int:
    with factory.begin() as session:
        make = Factory(session)
        d = make.district()
        make.person(d)
        make.slot(make.site(d), start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        job, _ = request_solve(session, d.id, WEEK, None, time_limit=5)
        for name, value in job_fields.items():
            setattr(job, name, value)
        return job.id


def left_by_a_dead_worker(lease_until: datetime = T0 + timedelta(seconds=leases.LEASE_SECONDS)) -> dict:
    """What a worker killed mid-solve leaves behind: "running", under a lease nobody renews."""
    return {"state": "running", "started_at": T0, "claimed_by": "dead-host:1:0", "lease_until": lease_until,
            "attempts": 1}


def job_row(factory, job_id: int) -> SolveJob:
    with factory() as session:
        return session.get(SolveJob, job_id)


@pytest.fixture
def solves(monkeypatch) -> list[int]:
    """How many times a week was really solved (`solve_week` entered)."""
    entered: list[int] = []
    real = jobs.solve_week

    def counting(*args, **kwargs):
        entered.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "solve_week", counting)
    return entered


def race(factory, job_id: int, clock, runners: int = 2) -> list[str]:
    """`runners` threads call run_job on the same job at once: each stops at its first
    statement about solve_jobs until all are there, so their reads and writes interleave as
    closely as the database allows."""
    engine = factory.kw["bind"]
    barrier = threading.Barrier(runners, timeout=2)
    racers: set[int] = set()
    met: set[int] = set()

    def meet(_conn, _cursor, statement, *_args):
        me = threading.get_ident()
        if me in racers and me not in met and "solve_jobs" in statement:
            met.add(me)
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass  # SQLite: the other racer waits for the write lock this one holds

    results: list[str] = []

    def runner():
        racers.add(threading.get_ident())
        results.append(run_job(factory, job_id, clock=clock))

    event.listen(engine, "before_cursor_execute", meet)
    try:
        threads = [threading.Thread(target=runner) for _ in range(runners)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        event.remove(engine, "before_cursor_execute", meet)
    # The loser says the job is under way ("running"), or how it ended if it waited that long.
    assert len(results) == runners and "done" in results and set(results) <= {"done", "running"}, results
    return results


def test_two_workers_given_one_job_run_it_once_queued_or_taken_over(committed_factory, solves):
    clock = FixedClock(T0)
    queued = seed_job(committed_factory)
    race(committed_factory, queued, clock)
    assert len(solves) == 1
    assert (job_row(committed_factory, queued).state, job_row(committed_factory, queued).attempts) == ("done", 1)

    # A job whose worker died: both racers see its lease run out, one takes it over.
    solves.clear()
    orphan = seed_job(committed_factory, **left_by_a_dead_worker())
    clock.set(T0 + timedelta(seconds=leases.LEASE_SECONDS + 1))
    race(committed_factory, orphan, clock)
    assert len(solves) == 1
    job = job_row(committed_factory, orphan)
    assert (job.state, job.attempts, job.progress["attempt"]) == ("done", 2, 2)
    assert job.claimed_by != "dead-host:1:0" and job.lease_until is None


def test_a_dead_workers_job_is_lost_within_a_minute_and_recorded_by_the_next_worker(committed_factory, solves):
    """Nobody gets the dead worker's message again: the job is shown lost LEASE_SECONDS +
    LOST_GRACE after the last renewal, and recorded failed when any worker takes a job."""
    orphan = seed_job(committed_factory, **left_by_a_dead_worker())
    job = job_row(committed_factory, orphan)
    lease_out = T0 + timedelta(seconds=leases.LEASE_SECONDS)
    assert not leases.lost(job, lease_out + leases.LOST_GRACE)
    shown_lost = lease_out + leases.LOST_GRACE + timedelta(seconds=1)
    assert leases.lost(job, shown_lost) and shown_lost - T0 <= timedelta(minutes=1)
    other = seed_job(committed_factory)
    assert run_job(committed_factory, other, clock=FixedClock(shown_lost)) == "done"
    job = job_row(committed_factory, orphan)
    assert (job.state, job.finished_at) == ("failed", shown_lost) and job.error.startswith(leases.WORKER_LOST)
    assert leases.lost(job, shown_lost) and solves == [job_row(committed_factory, other).district_id]


def test_a_redelivered_celery_task_waits_out_the_dead_workers_lease_then_takes_over(committed_factory, tmp_path,
                                                                                   solves):
    """The task body of `scheduler worker` (the Celery path). A message that comes again while
    the holder lives (it renews its lease) returns; one that comes while a dead worker's lease
    still runs waits (polling) and takes the job over once the clock passes the lease, instead
    of returning at once. A plain run (the thread runner's) never waits."""
    job_id = seed_job(committed_factory, **left_by_a_dead_worker())
    clock = FixedClock(T0 + timedelta(seconds=5))
    assert run_job(committed_factory, job_id, clock=clock) == "running"
    url = committed_factory.kw["bind"].url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, instance_path=tmp_path, solve_workers=1)

    def deliver() -> tuple[threading.Thread, list[str]]:
        ended: list[str] = []
        task = threading.Thread(target=lambda: ended.append(solve_job(settings, job_id, clock=clock)))
        task.start()
        task.join(1.5)
        assert task.is_alive() and solves == [], "the task did not wait for the lease"
        return task, ended

    task, ended = deliver()
    with committed_factory.begin() as session:  # the holder renews: it is alive after all
        assert leases.renew(session, job_id, "dead-host:1:0", clock.now())
    task.join(30)
    assert ended == ["running"] and solves == []

    task, ended = deliver()  # ...and now it died for good
    clock.advance(seconds=leases.LEASE_SECONDS + 1)  # the lease runs out: no sleeping for it
    task.join(120)
    assert ended == ["done"] and len(solves) == 1
    job = job_row(committed_factory, job_id)
    assert (job.state, job.attempts) == ("done", 2)


def test_a_job_is_taken_over_at_most_three_times(committed_factory, solves):
    job_id = seed_job(committed_factory, **{**left_by_a_dead_worker(), "attempts": leases.MAX_ATTEMPTS})
    clock = FixedClock(T0 + timedelta(seconds=leases.LEASE_SECONDS + 1))
    assert run_job(committed_factory, job_id, clock=clock) == "failed"
    assert solves == [] and job_row(committed_factory, job_id).error.startswith(leases.WORKER_LOST)


def test_a_worker_that_lost_its_lease_stores_nothing(committed_factory, monkeypatch):
    """A worker presumed dead (its renewals did not get through) wakes up after another took
    the job over and finished it: its answer is not stored and the job stays the other's."""
    monkeypatch.setattr(leases, "RENEW_SECONDS", 10**6)  # the first worker's renewals never come
    job_id = seed_job(committed_factory)
    clock = FixedClock(T0)
    first_read, let_go = threading.Event(), threading.Event()
    real = solving.solve
    calls: list[int] = []

    def solver(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # the first worker stalls after reading the week
            first_read.set()
            assert let_go.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(solving, "solve", solver)
    ended: list[str] = []
    first = threading.Thread(target=lambda: ended.append(run_job(committed_factory, job_id, clock=clock)))
    first.start()
    try:
        assert first_read.wait(60)
        clock.advance(seconds=leases.LEASE_SECONDS + 1)
        assert run_job(committed_factory, job_id, clock=clock, take_over=True) == "done"
        taken = job_row(committed_factory, job_id)
        assert (taken.state, taken.attempts) == ("done", 2)
    finally:
        let_go.set()
        first.join(60)
    assert ended == ["done"]  # the first worker reports the job's state and writes nothing
    job = job_row(committed_factory, job_id)
    assert (job.claimed_by, job.finished_at, job.attempts) == (taken.claimed_by, taken.finished_at, 2)
    with committed_factory() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "solve")).all()) == 1
