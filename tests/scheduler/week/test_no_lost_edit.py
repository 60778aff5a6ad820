"""No lost edit (issue 13, row 9): a solve whose answer arrives after a hand edit of the same
draft must not undo it. Real databases and real commits: the job runs `run_job` on a thread,
paused by an event right after it has read the week, while the coordinator edits."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select

from models import Assignment, AuditEntry, Pairing, Schedule, SolveJob, User
from scheduler.core.clock import FixedClock
from scheduler.jobs.solve_jobs import request_solve, run_job
from scheduler.week import edits
from scheduler.week import solve as solving
from scheduler.week.drafts import DraftChanged
from tests.factories import Factory

WEEK = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 27, 2, tzinfo=UTC))


def seed(factory) -> dict[str, int]:
    """One visit; the village's adviser nearby, a stranger far away: the solver alone picks
    the adviser, so a place the coordinator gives the stranger is plainly a hand edit."""
    with factory.begin() as session:
        make = Factory(session)
        d = make.district()
        village = make.site(d)
        adviser = make.person(d, name="王律师")
        stranger = make.person(d, name="远律师", lat=30.6, lon=122.4)
        session.add(Pairing(site_id=village.id, person_id=adviser.id, valid_from=date(2020, 1, 1)))
        slot = make.slot(village, start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        coordinator = make.user("coordinator", district_id=d.id)
        return {"district": d.id, "slot": slot.id, "adviser": adviser.id, "stranger": stranger.id,
                "coordinator": coordinator.id}


class PausedSolver:
    """Stands in for the CP-SAT call inside `solve_week`: says when the week has been read,
    waits to be let go, then solves for real."""

    def __init__(self, real):
        self.real = real
        self.read = threading.Event()
        self.go = threading.Event()

    def __call__(self, *args, **kwargs):
        self.read.set()
        assert self.go.wait(60), "the test never let the solver go"
        return self.real(*args, **kwargs)


@pytest.fixture
def paused(monkeypatch) -> PausedSolver:
    solver = PausedSolver(solving.solve)
    monkeypatch.setattr(solving, "solve", solver)
    return solver


def hand_edit(factory, ids) -> int:
    """The coordinator gives the visit to the stranger by hand (committed)."""
    with factory.begin() as session:
        coordinator = session.get(User, ids["coordinator"])
        made = edits.assign(session, coordinator, ids["district"], WEEK, ids["slot"], ids["stranger"], 0,
                            now=CLOCK.now())
        return made.id


def in_draft(factory, ids) -> list[tuple[int, str, bool]]:
    with factory() as session:
        return [(a.person_id, a.source, a.locked) for a in session.scalars(
            select(Assignment).join(Schedule).where(Schedule.district_id == ids["district"],
                                                    Schedule.state == "draft"))]


def test_a_hand_edit_made_while_the_solver_runs_survives_and_the_job_says_so(committed_factory, paused):
    ids = seed(committed_factory)
    with committed_factory.begin() as session:
        job, _ = request_solve(session, ids["district"], WEEK, None, time_limit=5)
    ended: dict[str, str] = {}
    worker = threading.Thread(target=lambda: ended.update(state=run_job(committed_factory, job.id, clock=CLOCK)))
    worker.start()
    try:
        assert paused.read.wait(60), "the job never read the week"
        hand_edit(committed_factory, ids)
    finally:
        paused.go.set()
        worker.join(60)
    assert ended["state"] == "discarded"
    # The stranger stays, locked (carried over as a lock), and the solver's adviser never came.
    assert in_draft(committed_factory, ids) == [(ids["stranger"], "manual", True)]
    with committed_factory() as session:
        job = session.get(SolveJob, job.id)
        assert (job.state, job.schedule_id, job.error) == ("discarded", None, None)
        # The job tells which versions it saw: no draft when it read the week, one after the edit.
        assert job.progress["draft_read"] is None and job.progress["draft_now"] >= 1
        assert "status" not in job.progress
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "solve")).all() == []
        assigned = session.scalars(select(AuditEntry).where(AuditEntry.action == "assign")).one()
        assert assigned.details["locked_during_job"] == job.id


def test_an_edit_made_while_the_job_waits_in_the_queue_is_kept_by_the_solve(committed_factory):
    """Carried over as a lock: the solver reads the place as pinned and plans around it. Outside
    a solve the same edit stays unlocked, and the next solve may move it, as before."""
    ids = seed(committed_factory)
    hand_edit(committed_factory, ids)
    assert in_draft(committed_factory, ids) == [(ids["stranger"], "manual", False)]
    with committed_factory.begin() as session:
        job, _ = request_solve(session, ids["district"], WEEK, None, time_limit=5)
    assert run_job(committed_factory, job.id, clock=CLOCK) == "done"
    assert in_draft(committed_factory, ids) == [(ids["adviser"], "solver", False)]

    with committed_factory.begin() as session:
        session.execute(delete(Assignment))
        job, _ = request_solve(session, ids["district"], WEEK, None, time_limit=5)
    hand_edit(committed_factory, ids)  # before any worker took the job
    assert run_job(committed_factory, job.id, clock=CLOCK) == "done"
    assert in_draft(committed_factory, ids) == [(ids["stranger"], "manual", True)]


def test_solve_week_refuses_an_answer_for_a_draft_that_changed_since_it_read_the_week(committed_factory, paused):
    """The same guard without a job: the command line's `solve-week` raises DraftChanged."""
    ids = seed(committed_factory)
    hand_edit(committed_factory, ids)  # a draft exists when the week is read...
    raised: list[BaseException] = []

    def run():
        try:
            solving.solve_week(committed_factory, ids["district"], WEEK, None, clock=CLOCK, time_limit=5)
        except BaseException as exc:  # handed to the test's thread
            raised.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert paused.read.wait(60)
        with committed_factory.begin() as session:  # ...and is unlocked by hand meanwhile
            assignment = session.scalars(select(Assignment)).one()
            edits.set_locked(session, session.get(User, ids["coordinator"]), assignment.id, True, now=CLOCK.now())
    finally:
        paused.go.set()
        worker.join(60)
    [error] = raised
    assert isinstance(error, DraftChanged) and error.read is not None and error.now == error.read + 1
    assert in_draft(committed_factory, ids) == [(ids["stranger"], "manual", True)]
