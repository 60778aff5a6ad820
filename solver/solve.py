"""The weekly solver: pins checked, a warm start, candidates, parts, CP-SAT, fill-in,
explanations.

1. Pins are checked against the hard rules first; any conflict makes the answer
   "infeasible" with every offending pin named (`Solution.conflicts`).
2. Warm start: the still-valid `previous` assignments (so a re-solve keeps what it can),
   completed by `solver.greedy.greedy`, checked assignment by assignment.
3. Candidates (`solver.candidates`): eligible people per line, optionally only the `k`
   nearest plus advisers, previous, pinned and warm-start people.
4. Parts that share no people (`solver.decompose`), each a CP-SAT model
   (`solver.model.build`) hinted with the warm start. Each part first gets time in
   proportion to its size; what is left goes to the part with the largest gap.
5. A fill-in pass offers open places to everyone eligible (`solver.model.fill`), then the
   objective is recomputed exactly (`solver.objective`) and every open place explained
   (`solver.explain`).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.candidates import Candidates, RoleGrids, build_candidates, static_blocker
from solver.decompose import Part, decompose
from solver.explain import explain_roster
from solver.model.build import PartModel, build_part
from solver.model.fill import fill
from solver.model.index import ProblemIndex
from solver.model.pins import check_pins, pin_label, rule_label
from solver.model.roster import Roster
from solver.objective import objective_terms, terms_of
from solver.problem import Assignment, Problem, Solution

# Lines times people above which candidates are pruned to the k nearest by default.
FULL_MODEL_LIMIT = 400_000
DEFAULT_K = 40


@dataclass(frozen=True)
class Progress:
    objective: float
    bound: float | None
    elapsed_s: float
    solutions: int


@dataclass
class _Run:
    """What is known about one part so far."""

    part: Part
    model: PartModel | None = None
    best: set = field(default_factory=set)
    value: float | None = None  # unscaled model objective of `best`
    bound: float | None = None
    optimal: bool = False
    infeasible: bool = False
    solves: int = 0

    @property
    def gap(self) -> float:
        if self.optimal:
            return 0.0
        if self.value is None or self.bound is None:
            return float("inf")
        return max(0.0, self.value - self.bound)


def cp_parameters(solver: cp_model.CpSolver, time_limit: float, workers: int, seed: int,
                  size: int) -> None:
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, time_limit)
    p.num_workers = max(1, workers)
    p.random_seed = seed
    p.log_search_progress = False


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, solve_state, run: _Run) -> None:
        super().__init__()
        self.state, self.run = solve_state, run

    def on_solution_callback(self) -> None:
        self.state.solutions += 1
        self.state.report(self.run, self.run.model.unscale(self.objective_value),
                          self.run.model.unscale(self.best_objective_bound))


class _SolveState:
    def __init__(self, runs, t0, on_progress, constant) -> None:
        self.runs, self.t0, self.on_progress, self.constant = runs, t0, on_progress, constant
        self.solutions = 0

    def report(self, current: _Run | None = None, value=None, bound=None) -> None:
        if self.on_progress is None:
            return
        total, lower = self.constant, self.constant
        for run in self.runs:
            v = value if run is current else run.value
            b = bound if run is current else run.bound
            total += v if v is not None else 0.0
            lower = None if lower is None or b is None else lower + b
        self.on_progress(Progress(objective=total, bound=lower,
                                  elapsed_s=time.monotonic() - self.t0, solutions=self.solutions))


def _solve_run(run: _Run, ix: ProblemIndex, seconds: float, workers: int, seed: int,
               state: _SolveState, stop: threading.Event | None) -> None:
    if run.model is None:
        return
    if run.best:
        run.model.hint(run.best)
    solver = cp_model.CpSolver()
    cp_parameters(solver, seconds, workers, seed + run.solves, run.part.size)
    done = threading.Event()
    watcher = None
    if stop is not None:
        def watch():
            while not done.is_set():
                if stop.wait(0.05):
                    solver.stop_search()
                    return
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        status = solver.solve(run.model.model, _Reporter(state, run))
    finally:
        done.set()
    run.solves += 1
    if status == cp_model.INFEASIBLE:
        run.infeasible = True
        return
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = run.model.unscale(solver.objective_value)
        if run.value is None or value <= run.value:
            run.value = value
            run.best = {key for key, var in run.model.v.x.items() if solver.boolean_value(var)}
        run.optimal = status == cp_model.OPTIMAL
    bound = run.model.unscale(solver.best_objective_bound)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.num_branches:
        run.bound = bound if run.bound is None else max(run.bound, bound)
    if run.optimal:
        run.bound = run.value


def _warm_start(ix: ProblemIndex, pins: list, grids: RoleGrids) -> tuple[Roster, dict]:
    """Pins, then every previous assignment that is still valid, then the greedy's
    choices that still fit, then a fill-in: a valid roster to hint CP-SAT with."""
    roster = Roster(ix)
    for key in pins:
        roster.add(*key)
    info: dict = {}
    previous = []
    for a in ix.problem.previous:
        i, j = ix.slot_pos.get(a.slot), ix.person_pos.get(a.person)
        if i is not None and j is not None and 0 <= a.line < len(ix.slots[i].demand):
            previous.append((i, a.line, j))
    # Supervisors first so that kept trainees find theirs.
    previous.sort(key=lambda k: ix.is_trainee(ix.people[k[2]], ix.slots[k[0]].demand[k[1]]))
    for i, l, j in previous:
        if static_blocker(ix, j, i, l) is None and not roster.blockers(i, l, j):
            roster.add(i, l, j)
    info["previous_kept"] = sum(1 for _ in roster.assignments()) - len(pins)
    for i, l, j in _greedy(ix, roster, info):
        if static_blocker(ix, j, i, l) is None and not roster.blockers(i, l, j):
            roster.add(i, l, j)
    info["warm_fill_added"] = fill(ix, roster, grids, look=60)
    return roster, info


def _greedy(ix: ProblemIndex, roster: Roster, info: dict) -> list[tuple[int, int, int]]:
    """solver.greedy's roster, told to keep what the warm start holds so far."""
    try:
        from solver.greedy import greedy
    except ImportError:
        info["greedy"] = "absent"
        return []
    from dataclasses import replace
    held = [Assignment(ix.slots[i].id, ix.people[j].id, l) for i, l, j in roster.assignments()]
    started = time.monotonic()
    try:
        plain = greedy(ix.problem) if not held else None
        out = greedy(replace(ix.problem, pinned=tuple(held))) if held else plain
    except Exception as exc:  # the warm start is optional; its failure must not be
        info["greedy"] = f"failed: {type(exc).__name__}: {exc}"
        return []
    info["greedy_s"] = round(time.monotonic() - started, 3)
    if plain is not None:
        info["greedy_objective"] = round(sum(objective_terms(ix.problem, plain, ix).values()), 3)
    return [(ix.slot_pos[a.slot], a.line, ix.person_pos[a.person]) for a in out
            if a.slot in ix.slot_pos and a.person in ix.person_pos]


def _conflicts_by_assumptions(ix: ProblemIndex, run: _Run, pins, workers: int) -> list[str]:
    """CP-SAT's own account of which pins cannot all hold (what the pre-check missed)."""
    mine = [key for key in pins if key in set(run.part.triples)]
    pm = build_part(ix, run.part.slots, run.part.triples, mine, pins_as_assumptions=True)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    solver.solve(pm.model)
    core = set(solver.sufficient_assumptions_for_infeasibility())
    named = [pin_label(ix, *key) for key, lit in zip(mine, pm.pins) if lit.index in core]
    return [f"pins {', '.join(named or map(lambda k: pin_label(ix, *k), mine))} cannot all hold "
            f"together: they break {rule_label(10)} or another rule tying assignments together"]


def _infeasible(ix, conflicts, t0, extra=()) -> Solution:
    return Solution(status="infeasible", objective=sum(terms_of(ix, []).values()),
                    assignments=(), conflicts=tuple(conflicts),
                    stats=(("wall_s", round(time.monotonic() - t0, 3)), *extra))


def choose_k(ix: ProblemIndex, k: int | None) -> int | None:
    if k is not None:
        return None if k <= 0 else k
    lines = sum(len(s.demand) for s in ix.slots)
    return None if lines * len(ix.people) <= FULL_MODEL_LIMIT else DEFAULT_K


def solve(problem: Problem, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0,
          on_progress=None, stop: threading.Event | None = None, k: int | None = None,
          pack_size: int = 3000) -> Solution:
    """Solve one week. `k`: candidates kept per line (None: automatic, 0: keep all)."""
    t0 = time.monotonic()
    deadline = t0 + time_limit
    ix = ProblemIndex(problem)
    pins, conflicts = check_pins(ix)
    if conflicts:
        return _infeasible(ix, conflicts, t0)
    grids = RoleGrids(ix)
    warm, info = _warm_start(ix, pins, grids)
    hint = set(warm.assignments())
    kk = choose_k(ix, k)
    cands = build_candidates(ix, kk, keep=hint, grids=grids)
    runs = [_Run(part) for part in decompose(ix, cands, pack_size)]
    constant = ix.previous_outside * ix.weights.change + _idle_fairness(ix, cands)
    state = _SolveState(runs, t0, on_progress, constant)
    prep_s = time.monotonic() - t0
    # Explanations and the fill-in need a moment at the end.
    reserve = min(0.1 * time_limit, 0.5 + 0.002 * len(ix.slots))
    _phase_one(ix, runs, pins, hint, deadline - reserve, workers, seed, state, stop)
    infeasible = [run for run in runs if run.infeasible]
    if infeasible:
        conflicts = [c for run in infeasible for c in _conflicts_by_assumptions(ix, run, pins, workers)]
        return _infeasible(ix, conflicts, t0)
    _phase_two(ix, runs, deadline - reserve, workers, seed, state, stop)
    solve_s = time.monotonic() - t0 - prep_s
    roster = Roster(ix)
    for run in runs:
        for key in run.best:
            roster.add(*key)
    added = fill(ix, roster, grids) if not (stop is not None and stop.is_set()) else 0
    triples = sorted(roster.assignments())
    objective = sum(terms_of(ix, triples).values())
    unfilled = explain_roster(ix, roster, grids)
    bound = None
    if all(run.bound is not None for run in runs):
        bound = min(objective, constant + sum(run.bound for run in runs))
    optimal = all(run.optimal for run in runs) and not cands.pruned and added == 0
    stats = {
        "wall_s": round(time.monotonic() - t0, 3), "prep_s": round(prep_s, 3),
        "solve_s": round(solve_s, 3), "parts": len(runs),
        "largest_part": max((r.part.size for r in runs), default=0),
        "variables": cands.eligible_kept, "pruned": int(cands.pruned),
        "k": kk if kk is not None else 0, "pruned_lines": cands.pruned_lines,
        "bound_scope": "pruned problem" if cands.pruned else "full problem",
        "workers": workers, "seed": seed, "solutions": state.solutions,
        "parts_optimal": sum(r.optimal for r in runs), "fill_added": added,
        "warm_start_objective": round(sum(terms_of(ix, sorted(hint)).values()), 3),
        "stopped": int(stop is not None and stop.is_set()), **info,
    }
    return Solution(
        status="optimal" if optimal else "feasible", objective=objective,
        assignments=tuple(Assignment(ix.slots[i].id, ix.people[j].id, l) for i, l, j in triples),
        unfilled=unfilled, bound=bound, stats=tuple(stats.items()))


def _idle_fairness(ix: ProblemIndex, cands: Candidates) -> float:
    """Fairness of people with a target and no candidate anywhere: they work 0 hours."""
    busy = {j for _, _, j in cands.triples()}
    return sum(p.target_hours * ix.weights.fairness for j, p in enumerate(ix.people)
               if p.target_hours is not None and j not in busy)


def _phase_one(ix, runs, pins, hint, deadline, workers, seed, state, stop) -> None:
    """Each part, smallest first, gets the time left in proportion to its size."""
    left = sum(max(1, r.part.size) for r in runs)
    pinset = set(pins)
    for run in runs:
        share = max(1, run.part.size)
        run.model = build_part(ix, run.part.slots, run.part.triples,
                               [key for key in run.part.triples if key in pinset])
        run.best = {key for key in run.part.triples if key in hint}
        if stop is not None and stop.is_set():
            left -= share
            continue
        seconds = (deadline - time.monotonic()) * share / left
        left -= share
        _solve_run(run, ix, seconds, workers, seed, state, stop)
        if run.infeasible:
            return
        state.report()


def _phase_two(ix, runs, deadline, workers, seed, state, stop) -> None:
    """What time is left goes, slice by slice, to the part with the largest gap."""
    while not (stop is not None and stop.is_set()):
        left = deadline - time.monotonic()
        open_runs = [r for r in runs if not r.optimal and r.model is not None and r.part.size]
        if left < 0.3 or not open_runs:
            return
        gaps = [r.gap for r in open_runs]
        worst = max(range(len(open_runs)), key=lambda n: gaps[n])
        finite = sum(g for g in gaps if g != float("inf"))
        share = 1.0 if gaps[worst] == float("inf") or finite <= 0 else gaps[worst] / finite
        seconds = max(min(left, 1.0), left * share)
        _solve_run(open_runs[worst], ix, seconds, workers, seed, state, stop)
        state.report()
