"""Solving a district's week: generate its demand, build the problem, run the solver outside
any database transaction, and store the answer as the week's draft.

The same function runs in a thread of the web app, in a Celery worker, or from the command
line; progress and cancellation come through `on_progress` and `stop`.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from models import Schedule, User
from scheduler.core.clock import Clock
from scheduler.demand.generate import WeekDemand, generate_week
from scheduler.week.drafts import store_solution
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
               stop: threading.Event | None = None) -> WeekSolved:
    with factory.begin() as session:
        demand = generate_week(session, district_id, week_start)
        doc = build_problem(session, district_id, week_start)
    # The solve takes seconds to minutes: hold no transaction (and no SQLite lock) meanwhile.
    solution = solve(parse_problem(doc), time_limit=time_limit, workers=workers, seed=seed,
                     on_progress=on_progress, stop=stop)
    if stop is not None and stop.is_set():
        raise SolveCancelled()
    with factory.begin() as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        draft: Schedule = store_solution(session, district_id, week_start, solution, actor, now=clock.now())
        return WeekSolved(draft.id, demand, solution)
