"""Running CP-SAT over the parts of a problem, within one time limit.

CP-SAT parameters, measured on a generated district week (benchmarks.generate district,
seed 1, k=20: 7,354 variables; 2 cores shared with other work, 30 s):

    1 thread, linearization_level 2        optimal, proven in 14 s (8 s without symmetry)
    2 threads, default portfolio           27,637, no bound (LP root not done)
    2 threads, linearization_level 2       27,459, no bound
    2 threads, subsolvers max_lp + LNS     26,940, bound 26,880
    8 threads, default, k=40 (14,369 v.)   30,885, bound 26,524 after 25 s

The model is an assignment problem with a strong LP relaxation, so the one thread that
keeps the full LP with cuts is what pays; more threads only steal its CPU. Hence every
part gets ONE such thread, and `workers` parts are solved side by side (CP-SAT releases
the GIL).

Time: phase one gives each part `workers x time left x its share of the variables`
(capped at the time left), largest parts first; parts proven optimal hand their time
back. Phase two spends what is left on the parts with the largest gap between their
best roster and bound, each slice in proportion to its gap.

After a district cut (solver.decompose) the parts' rosters only start the polish
(`solver.model.polish`), which runs its CP-SAT solves through `Search.cp_solve` too.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.decompose import Part
from solver.model.build import PartModel, build_part
from solver.model.index import ProblemIndex
from solver.model.roster import Roster
from solver.objective import terms_of
from solver.problem import Progress


@dataclass
class Run:
    """What is known about one part so far."""

    part: Part
    hint: set = field(default_factory=set)
    pins: list = field(default_factory=list)
    model: PartModel | None = None
    best: set | None = None  # (slot, line, person) of the best roster found by CP-SAT
    value: float | None = None  # its objective, unscaled (model's own approximation)
    hint_value: float | None = None  # the same figure for the warm start
    bound: float | None = None
    optimal: bool = False
    infeasible: bool = False
    solves: int = 0
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        if self.optimal:
            return 0.0
        if self.value is None or self.bound is None:
            return float("inf")
        return max(0.0, self.value - self.bound)

    def roster(self) -> set:
        """The best known roster of this part: CP-SAT's, else the warm start."""
        return self.best if self.best is not None else self.hint


def cp_parameters(solver: cp_model.CpSolver, seconds: float, seed: int,
                  gap: float = 0.0) -> None:
    p = solver.parameters
    if gap > 0:
        p.relative_gap_limit = gap
    p.max_time_in_seconds = max(0.05, seconds)
    p.num_workers = 1
    p.linearization_level = 2
    p.random_seed = seed
    p.log_search_progress = False


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, search: Search, run: Run) -> None:
        super().__init__()
        self.search, self.run = search, run

    def on_solution_callback(self) -> None:
        pm = self.run.model
        self.search.progress(self.run, pm.unscale(self.objective_value),
                             pm.unscale(self.best_objective_bound))


class Search:
    def __init__(self, ix: ProblemIndex, runs: list[Run], *, workers: int, seed: int,
                 stop: threading.Event | None, on_progress, constant: float, t0: float,
                 start_objective: float, gap: float = 0.0) -> None:
        self.ix, self.runs, self.workers, self.seed = ix, runs, max(1, workers), seed
        self.stop, self.on_progress, self.constant, self.t0 = stop, on_progress, constant, t0
        # The exact objective of the warm start: progress is told relative to it.
        self.start_objective = start_objective
        self.solutions = 0
        # False when the parts' bounds are not bounds of the whole problem (pruned or cut).
        self.report_bound = True
        # Stop once the whole problem is proven within this relative gap (0: prove optimal).
        self.gap = max(0.0, gap)
        # A bound of the whole problem from elsewhere (the full LP under pruning), or None.
        self.whole_bound = lambda: None
        self._lock = threading.Lock()

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    # ------------------------------------------------------------------ progress

    def progress(self, current: Run | None = None, value=None, bound=None) -> None:
        """Progress over all parts: the warm start's objective, less what each part has
        gained on it so far; the bound once every part has one."""
        with self._lock:
            if current is not None:
                self.solutions += 1
            if self.on_progress is None:
                return
            total, lower = self.start_objective, self.constant
            for run in self.runs:
                v = value if run is current else run.value
                b = bound if run is current else run.bound
                if v is not None and run.hint_value is not None:
                    total += v - run.hint_value
                lower = None if lower is None or b is None else lower + b
            if lower is not None:
                lower = max(lower, objective_floor(self.ix))
            if not self.report_bound:
                lower = None
            self.on_progress(_progress(total, lower, time.monotonic() - self.t0, self.solutions))

    def estimate(self) -> float:
        """The objective of the best rosters so far: the warm start's, less the parts' gains."""
        return self.start_objective + sum(r.value - r.hint_value for r in self.runs
                                          if r.value is not None and r.hint_value is not None)

    def within_gap(self) -> bool:
        """Whether the whole problem is proven within `gap` of the best rosters so far."""
        if self.gap <= 0:
            return False
        lower = self.whole_bound()
        if lower is None and self.report_bound and all(r.bound is not None for r in self.runs):
            lower = self.constant + sum(r.bound for r in self.runs)
        objective = self.estimate()
        return lower is not None and objective - lower <= self.gap * max(abs(objective), 1e-9)

    def report_roster(self, roster: Roster) -> None:
        """Progress from a whole roster (the polish): its exact objective, no bound."""
        if self.on_progress is None:
            return
        value = sum(terms_of(self.ix, list(roster.assignments())).values())
        with self._lock:
            self.solutions += 1
            self.on_progress(_progress(value, None, time.monotonic() - self.t0, self.solutions))

    # ------------------------------------------------------------------ one run

    def solve_run(self, run: Run, seconds: float) -> None:
        if self.stopped() or seconds <= 0:
            return
        if run.model is None:
            # Building a large part takes seconds of its own (a scarce city week solved whole:
            # 127,000 variables): they come out of its time, or the solve overruns its limit.
            started = time.monotonic()
            run.model = build_part(self.ix, run.part.slots, run.part.triples, run.pins)
            run.hint_value = run.model.value_of(run.hint)
            seconds -= time.monotonic() - started
        run.model.hint(run.roster())
        solver, status = self.cp_solve(run, run.model.model, seconds, self.seed + run.solves,
                                       _Reporter(self, run))
        self._record(run, solver, status)
        self.progress()

    def cp_solve(self, run: Run, model: cp_model.CpModel, seconds: float, seed: int,
                 callback: cp_model.CpSolverSolutionCallback | None = None):
        """One CP-SAT solve of `model` (for `run`, whose time and solves it counts), which a
        stop request ends early. Returns (solver, status)."""
        solver = cp_model.CpSolver()
        # Each part within the gap puts the sum within it (every term is non-negative).
        cp_parameters(solver, seconds, seed, self.gap if self.report_bound else 0.0)
        done = threading.Event()
        if self.stop is not None:
            threading.Thread(target=self._watch, args=(solver, done), daemon=True).start()
        started = time.monotonic()
        try:
            status = solver.solve(model, callback)
        finally:
            done.set()
        run.seconds += time.monotonic() - started
        run.solves += 1
        return solver, status

    def _watch(self, solver: cp_model.CpSolver, done: threading.Event) -> None:
        # A stop request made before CP-SAT has started its search is lost, so once the
        # event is set it is repeated until the solve is over.
        while not done.is_set():
            if self.stop.wait(0.05):
                solver.stop_search()
                done.wait(0.05)

    @staticmethod
    def _record(run: Run, solver: cp_model.CpSolver, status) -> None:
        if status == cp_model.INFEASIBLE:
            run.infeasible = True
            return
        pm = run.model
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value = pm.unscale(solver.objective_value)
            if run.value is None or value <= run.value:
                run.value = value
                run.best = {key for key, var in pm.v.x.items() if solver.boolean_value(var)}
            # With a relative gap limit CP-SAT says OPTIMAL once within it: proven only
            # when the bound meets the objective (integers, so within 0.5).
            run.optimal = run.optimal or (
                status == cp_model.OPTIMAL
                and solver.objective_value - solver.best_objective_bound < 0.5)
            bound = pm.unscale(solver.best_objective_bound)
            run.bound = bound if run.bound is None else max(run.bound, bound)
        if run.optimal:
            run.bound = run.value

    # ------------------------------------------------------------------ phases

    def phase_one(self, deadline: float) -> None:
        """Every part once, largest first, `workers` at a time."""
        order = sorted(self.runs, key=lambda r: -r.part.size)
        left = max(0.0, deadline - time.monotonic())
        total = sum(max(1, r.part.size) for r in order) or 1

        def task(run: Run) -> None:
            share = min(left, self.workers * left * max(1, run.part.size) / total)
            self.solve_run(run, min(share, deadline - time.monotonic()))

        self.in_pool(task, order)

    def phase_two(self, deadline: float) -> None:
        """The rest of the time to the parts with the largest gaps."""
        while not self.stopped() and not self.within_gap():
            left = deadline - time.monotonic()
            open_runs = [r for r in self.runs if not r.optimal and not r.infeasible
                         and r.part.size and r.model is not None]
            if left < 0.5 or not open_runs:
                return
            open_runs.sort(key=lambda r: -r.gap)
            chosen = open_runs[:self.workers]
            finite = sum(r.gap for r in open_runs if r.gap != float("inf"))

            def task(run: Run, finite: float = finite, left: float = left) -> None:
                share = 1.0 if run.gap == float("inf") or finite <= 0 else run.gap / finite
                self.solve_run(run, min(deadline - time.monotonic(), max(1.0, left * share)))

            self.in_pool(task, chosen)
            if any(r.infeasible for r in chosen):
                return

    def in_pool(self, task, runs: list) -> None:
        if self.workers == 1 or len(runs) <= 1:
            for run in runs:
                task(run)
                if getattr(run, "infeasible", False):
                    return
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for future in [pool.submit(task, run) for run in runs]:
                future.result()


def objective_floor(ix: ProblemIndex) -> float:
    """0 when no term can be negative (the usual weights), so a bound below it says
    nothing; else -inf."""
    w = ix.weights
    if min(w.unfilled, w.unpaired, w.km, w.fairness, w.undesired, w.change) >= 0 and \
            all(s.choice_cost >= 0 for s in ix.slots):
        return 0.0
    return float("-inf")


def _progress(objective, bound, elapsed, solutions) -> Progress:
    return Progress(objective=objective, bound=bound, elapsed_s=elapsed, solutions=solutions)
