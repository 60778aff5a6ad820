"""Solving a district's week: generate its demand, build the problem, run the solver outside
any database transaction, and store the answer as the week's draft.

The same function runs in a thread of the web app, in a Celery worker, or from the command
line; progress and cancellation come through `on_progress` and `stop`.

No lost edit: the draft's lock_version is read with the problem, and the answer is stored only
if the draft still has it. A hand edit, an approved swap or a publish made while the solver
ran changed the draft, and the answer, built without them, is refused (`DraftChanged`): the
draft keeps those changes and the caller says so (a job ends "discarded").
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from models import Schedule, User
from scheduler.core.clock import Clock
from scheduler.demand.generate import WeekDemand, generate_week
from scheduler.week.drafts import DraftChanged, StaleDraft, check_version, draft_version, store_solution
from scheduler.week.problem import build_problem
from solver.io import parse_problem
from solver.problem import Progress, Solution
from solver.solve import solve


class SolveCancelled(Exception):
    """The solve was cancelled: the draft is left as it was."""


@dataclass(frozen=True)
class WeekSolved:
    schedule_id: int
    demand: WeekDemand
    solution: Solution


def solve_week(factory: sessionmaker[Session], district_id: int, week_start: date, actor_id: int | None, *,
               clock: Clock, time_limit: float = 30.0, workers: int = 2, seed: int = 0,
               on_progress: Callable[[Progress], None] | None = None,
               stop: threading.Event | None = None,
               before_store: Callable[[Session], None] | None = None) -> WeekSolved:
    """Solve the week and store the answer as its draft; raises DraftChanged (nothing stored)
    when the draft changed after the problem was read. `before_store` runs first in the
    storing transaction (a job checks there that it still holds its lease)."""
    with factory.begin() as session:
        demand = generate_week(session, district_id, week_start)
        doc = build_problem(session, district_id, week_start)
        read_version = draft_version(session, district_id, week_start)
    # The solve takes seconds to minutes: hold no transaction (and no SQLite lock) meanwhile.
    solution = solve(parse_problem(doc), time_limit=time_limit, workers=workers, seed=seed,
                     on_progress=on_progress, stop=stop)
    if stop is not None and stop.is_set():
        raise SolveCancelled()
    try:
        with factory.begin() as session:
            if before_store is not None:
                before_store(session)
            try:
                check_version(session, district_id, week_start, read_version)
            except StaleDraft as exc:
                raise DraftChanged(read_version, draft_version(session, district_id, week_start)) from exc
            actor = session.get(User, actor_id) if actor_id is not None else None
            # The version is checked again by the UPDATE itself (the draft's version counter).
            draft: Schedule = store_solution(session, district_id, week_start, solution, actor, read_version,
                                             now=clock.now())
            return WeekSolved(draft.id, demand, solution)
    except StaleDataError as exc:
        # An edit committed between the check and the write (PostgreSQL, READ COMMITTED).
        with factory() as session:
            raise DraftChanged(read_version, draft_version(session, district_id, week_start)) from exc
