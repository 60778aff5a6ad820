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

After a district cut (solver.decompose) the parts' rosters only start the polish: each
district in turn is re-solved over ALL its candidates with the rest of the roster fixed
(what people hold elsewhere counts against their hours, day limits, travel and
fairness), `workers` districts side by side, a person shared by two of them movable in
one only; then pairs of neighbouring districts, so people can move across a border.
Every step keeps the roster valid and is kept only if the exact objective drops.
Measured on generated city weeks (120 s, 2 cores): normal week 211,500 -> 201,100,
scarce week 938,900 -> 694,800 (the greedy: 214,550 and 797,183).
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


def cp_parameters(solver: cp_model.CpSolver, seconds: float, seed: int) -> None:
    p = solver.parameters
    p.max_time_in_seconds = max(0.05, seconds)
    p.num_workers = 1
    p.linearization_level = 2
    p.random_seed = seed
    p.log_search_progress = False


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, search: "Search", run: Run) -> None:
        super().__init__()
        self.search, self.run = search, run

    def on_solution_callback(self) -> None:
        pm = self.run.model
        self.search.progress(self.run, pm.unscale(self.objective_value),
                             pm.unscale(self.best_objective_bound))


class Search:
    def __init__(self, ix: ProblemIndex, runs: list[Run], *, workers: int, seed: int,
                 stop: threading.Event | None, on_progress, constant: float, t0: float,
                 start_objective: float) -> None:
        self.ix, self.runs, self.workers, self.seed = ix, runs, max(1, workers), seed
        self.stop, self.on_progress, self.constant, self.t0 = stop, on_progress, constant, t0
        # The exact objective of the warm start: progress is told relative to it.
        self.start_objective = start_objective
        self.solutions = 0
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
            self.on_progress(_progress(total, lower, time.monotonic() - self.t0, self.solutions))

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
            run.model = build_part(self.ix, run.part.slots, run.part.triples, run.pins)
            run.hint_value = run.model.value_of(run.hint)
        run.model.hint(run.roster())
        solver = cp_model.CpSolver()
        cp_parameters(solver, seconds, self.seed + run.solves)
        done = threading.Event()
        if self.stop is not None:
            threading.Thread(target=self._watch, args=(solver, done), daemon=True).start()
        started = time.monotonic()
        try:
            status = solver.solve(run.model.model, _Reporter(self, run))
        finally:
            done.set()
        run.seconds += time.monotonic() - started
        run.solves += 1
        self._record(run, solver, status)
        self.progress()

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
            run.optimal = run.optimal or status == cp_model.OPTIMAL
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

        self._in_pool(task, order)

    def phase_two(self, deadline: float) -> None:
        """The rest of the time to the parts with the largest gaps."""
        while not self.stopped():
            left = deadline - time.monotonic()
            open_runs = [r for r in self.runs if not r.optimal and not r.infeasible
                         and r.part.size and r.model is not None]
            if left < 0.5 or not open_runs:
                return
            open_runs.sort(key=lambda r: -r.gap)
            chosen = open_runs[:self.workers]
            finite = sum(r.gap for r in open_runs if r.gap != float("inf"))

            def task(run: Run) -> None:
                share = 1.0 if run.gap == float("inf") or finite <= 0 else run.gap / finite
                self.solve_run(run, min(deadline - time.monotonic(), max(1.0, left * share)))

            self._in_pool(task, chosen)
            if any(r.infeasible for r in chosen):
                return

    def polish(self, roster: Roster, deadline: float) -> int:
        """Improve the merged roster one linked part (district) at a time, everything
        outside the part fixed, so each step keeps the roster valid and never makes it
        worse; then, with time left, pairs of districts that share people, so that moves
        across a border are possible too. Returns how many steps improved the roster."""
        linked = [r for r in self.runs if r.part.linked and not r.infeasible]
        if not linked:
            return 0
        improved = self._polish_round(roster, linked, deadline)
        if deadline - time.monotonic() > 1.0 and not self.stopped():
            improved += self._polish_round(roster, self._pairs(linked, roster), deadline)
        return improved

    def _people(self, run: Run, roster: Roster) -> set[int]:
        return (run.part.people | {j for _, _, j in run.part.extra}
                | {j for i in run.part.slots for j in roster.people_at(i)})

    def _pairs(self, linked: list[Run], roster: Roster) -> list[Run]:
        """Neighbourhoods of two districts, most shared people first."""
        people = [self._people(r, roster) for r in linked]
        scored = []
        for a in range(len(linked)):
            for b in range(a + 1, len(linked)):
                shared = len(people[a] & people[b])
                if shared:
                    scored.append((-shared, a, b))
        out = []
        for _, a, b in sorted(scored):
            ra, rb = linked[a], linked[b]
            part = Part(slots=ra.part.slots + rb.part.slots, triples=ra.part.triples + rb.part.triples,
                        linked=True, extra=ra.part.extra + rb.part.extra)
            out.append(Run(part, pins=ra.pins + rb.pins))
        return out

    def _polish_round(self, roster: Roster, hoods: list[Run], deadline: float) -> int:
        """Polish each neighbourhood until none improves (one that changed makes those
        sharing people with it worth another try), `workers` side by side, each shared
        person movable in only one of them; each gets time in proportion to its size."""
        people = {id(r): self._people(r, roster) for r in hoods}
        dirty = {id(r) for r in hoods}
        improved = 0
        while not self.stopped() and dirty and deadline - time.monotonic() > 0.5:
            queue = sorted((r for r in hoods if id(r) in dirty), key=lambda r: -r.part.size)
            total = sum(r.part.size for r in queue) or 1
            left = deadline - time.monotonic()
            while queue and deadline - time.monotonic() > 0.5 and not self.stopped():
                wave, taken = [], set()
                for r in list(queue):
                    # Side by side only on disjoint slots (pairs of districts overlap).
                    if len(wave) < self.workers and not (set(r.part.slots) & taken):
                        wave.append(r)
                        taken |= set(r.part.slots)
                        queue.remove(r)
                jobs, claimed = [], set()
                for r in wave:
                    jobs.append((r, *self._polish_model(r, roster, people[id(r)] & claimed)))
                    claimed |= people[id(r)]
                results = {}

                def task(job) -> None:
                    r, pm, hint = job
                    share = self.workers * left * r.part.size / total
                    results[id(r)] = self._solve_fixed(r, pm, hint, min(share, deadline - time.monotonic()))

                self._in_pool(task, jobs)
                for r, pm, hint in jobs:
                    dirty.discard(id(r))
                    new = results.get(id(r))
                    if new is None or new == hint or not self._swap(roster, hint, new):
                        continue
                    improved += 1
                    self.report_roster(roster)
                    people[id(r)] |= {j for _, _, j in new}
                    dirty |= {id(o) for o in hoods if o is not r and people[id(o)] & people[id(r)]}
        return improved

    def _swap(self, roster: Roster, old: set, new: set) -> bool:
        """Put `new` in place of `old` if that lowers the exact objective (CP-SAT's
        integers may call a different roster of equal cost better); else leave it."""
        before = sum(terms_of(self.ix, list(roster.assignments())).values())
        for key in old:
            roster.remove(*key)
        for key in new:
            roster.add(*key)
        if sum(terms_of(self.ix, list(roster.assignments())).values()) < before - 1e-6:
            return True
        for key in new:
            roster.remove(*key)
        for key in old:
            roster.add(*key)
        return False

    def _polish_model(self, run: Run, roster: Roster, frozen: set[int]):
        """The model of one neighbourhood with the rest of the roster fixed. `frozen`
        people belong to another neighbourhood solved at the same time: here they keep
        exactly what they hold (pinned) and get nothing new, so the two solves cannot
        collide."""
        inside = set(run.part.slots)
        hint = {(i, l, j) for i in run.part.slots
                for l in range(len(self.ix.slots[i].demand)) for j in roster.holders.get((i, l), ())}
        triples = {key for key in set(run.part.triples) | set(run.part.extra)
                   if key[2] not in frozen} | hint
        pins = set(run.pins) | {key for key in hint if key[2] in frozen}
        fixed = {}
        for j in {j for _, _, j in triples}:
            outside = [o for o in roster.slots_of.get(j, {}) if o not in inside]
            if outside:
                fixed[j] = outside
        pm = build_part(self.ix, run.part.slots, sorted(triples), sorted(pins), fixed=fixed)
        return pm, hint

    def _solve_fixed(self, run: Run, pm: PartModel, hint: set, seconds: float):
        """CP-SAT on one part with the rest fixed; the new roster of the part, or None."""
        if seconds <= 0.05 or self.stopped():
            return None
        pm.hint(hint)
        solver = cp_model.CpSolver()
        cp_parameters(solver, seconds, self.seed + 1000 + run.solves)
        done = threading.Event()
        if self.stop is not None:
            threading.Thread(target=self._watch, args=(solver, done), daemon=True).start()
        started = time.monotonic()
        try:
            status = solver.solve(pm.model)
        finally:
            done.set()
        run.seconds += time.monotonic() - started
        run.solves += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return {key for key, var in pm.v.x.items() if solver.boolean_value(var)}

    def _in_pool(self, task, runs: list) -> None:
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


def _progress(objective, bound, elapsed, solutions):
    from solver.solve import Progress
    return Progress(objective=objective, bound=bound, elapsed_s=elapsed, solutions=solutions)
