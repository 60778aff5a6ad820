"""The weekly solver: pins checked, a warm start, candidates, parts, CP-SAT, polish,
fill-in, explanations.

1. Pins are checked against the hard rules first; any conflict makes the answer
   "infeasible" with every offending pin named (`Solution.conflicts`).
2. Warm start (`solver.model.warm`): the still-valid `previous` assignments (so a
   re-solve keeps what it can), completed by `solver.greedy.greedy`, then a fill-in.
3. Candidates (`solver.candidates`): eligible people per line; above a size, only the
   `k` cheapest plus advisers, previous, pinned and warm-start people.
4. Parts that share no people (`solver.decompose`); a component too big for one model
   (a city) is cut by district. Each part is a CP-SAT model (`solver.model.build`) hinted
   with the warm start and solved by `solver.model.search`: time in proportion to size,
   then to the largest gaps; after a district cut, the polish (`solver.model.polish`)
   improves the roster district by district over all candidates, and the LP relaxation
   of the uncut problem (GLOP, `solver.model.lp_bound`) gives the bound.
5. A fill-in pass offers open places to everyone eligible (`solver.model.fill`), then the
   objective is recomputed exactly (`solver.objective`) and every open place explained
   (`solver.explain`).

`bound` is a proven lower bound of the problem in the file, or absent: CP-SAT's bound when
nothing is pruned (the LP relaxation of the uncut components across a district cut); with
candidates pruned (stats `pruned`, `k`), the LP relaxation of the full, unpruned model when
it fits (FULL_LP_VARS), else none. The pruned model's own bound, which may lie above the
true optimum, is `stats.pruned_bound`; `stats.bound_scope` says which bound was written.
`optimal` only when proven for the whole problem.
"""
from __future__ import annotations

import threading
import time

from ortools.sat.python import cp_model

from solver.candidates import RoleGrids, build_candidates
from solver.decompose import decompose
from solver.explain import explain_roster
from solver.model.build import build_part
from solver.model.fill import fill
from solver.model.index import ProblemIndex
from solver.model.lp_guide import LpThread, idle_fairness
from solver.model.pins import check_pins, pin_label
from solver.model.polish import polish
from solver.model.priced_runner import PricedThread
from solver.model.roster import Roster
from solver.model.search import Run, Search, objective_floor
from solver.model.warm import valid_subset, warm_start
from solver.objective import terms_of
from solver.problem import Assignment, Problem, Solution
from solver.rules import rule_label

# Lines times people above which candidates are pruned to the k cheapest by default.
FULL_MODEL_LIMIT = 400_000
DEFAULT_K = 20
# Up to this many lines times people every eligible person is listed (a district week: 1.2
# million, a second or two), to decide whether the full model fits and for the bound.
FULL_CHECK_LIMIT = 2_000_000
# The full model is built whenever it has at most this many variables (one part).
FULL_VARS = 20_000
# When candidates are pruned, the LP relaxation of the full problem gives the bound if it
# has at most this many variables; beyond, no bound is written.
FULL_LP_VARS = 400_000
# With candidates pruned, the solve waits up to this share of its time for the full LP, whose
# columns guide the pruning (solver.model.lp_guide); later, the LP gives the bound only.
GUIDE_SHARE = 0.5
# Components above this many variables are cut along districts (solver.decompose).
MAX_PART = 20_000
# With a district cut, the share of the solving time for the cut parts; polish gets the rest.
CUT_SHARE = 0.3
# A scarce week: the warm start leaves more than this share of the places open. Then the k
# cheapest per line are too few (they are the ones every line wants) and a cut by district
# forbids the help across borders such a week lives on, so pruning keeps SCARCE_K and parts
# up to SCARCE_MAX_PART variables are solved whole. Measured on city scarce seeds 1 and 2
# (120 s, 2 workers): 691,229 -> 595,106 and 673,602 -> 565,774; on a normal city week the
# uncut model is worse than cut-and-polish (seed 3: 209,769 against 196,517), hence the switch.
SCARCE_OPEN = 0.02
SCARCE_K = 40
SCARCE_MAX_PART = 400_000


def choose_k(ix: ProblemIndex, k: int | None) -> int | None:
    if k is not None:
        return None if k <= 0 else k
    lines = sum(len(s.demand) for s in ix.slots)
    return None if lines * len(ix.people) <= FULL_MODEL_LIMIT else DEFAULT_K


def solve(problem: Problem, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0,
          on_progress=None, stop: threading.Event | None = None, k: int | None = None,
          pack_size: int = 3000, max_part: int = MAX_PART, gap: float = 0.0) -> Solution:
    """Solve one week. `k`: candidates kept per line (None: automatic, 0: keep all);
    `pack_size`, `max_part`: see solver.decompose; `gap`: stop once the whole problem is
    proven within this relative gap (0.05: 5%; 0: search to the end or proven optimum)."""
    t0 = time.monotonic()
    ix = ProblemIndex(problem)
    pins, conflicts = check_pins(ix)
    if conflicts:
        return _infeasible(ix, conflicts, t0)
    grids = RoleGrids(ix)
    warm, info = warm_start(ix, pins, grids)
    hint = set(warm.assignments())
    kk = choose_k(ix, k)
    # Places as the objective counts them: a choice group's alternatives are one set of places.
    places = sum(d.count for s in ix.slots if s.choice is None for d in s.demand) + sum(
        max(sum(d.count for d in ix.slots[i].demand) for i in group) for group in ix.choice_groups.values())
    info["warm_open_share"] = round(1.0 - len(hint) / places, 4) if places else 0.0
    if k is None and kk is not None and max_part == MAX_PART and info["warm_open_share"] > SCARCE_OPEN:
        kk, max_part = SCARCE_K, SCARCE_MAX_PART
        info["scarce"] = 1
    lines = sum(len(s.demand) for s in ix.slots)
    full = (build_candidates(ix, None, grids=grids)
            if kk is not None and lines * len(ix.people) <= FULL_CHECK_LIMIT else None)
    full_size = sum(len(v) for v in full.by_line.values()) if full is not None else None
    if k is None and full_size is not None and full_size <= FULL_VARS:
        kk = None  # the full model fits: nothing is pruned
    # The fill-in and the explanations need a moment at the end.
    end = t0 + time_limit - min(0.1 * time_limit, 0.5 + 0.002 * len(ix.slots))
    lp_limit = max(1.0, end - time.monotonic())
    # With candidates pruned, the LP relaxation of the full problem is the bound of the
    # problem in the file, and says which columns to keep (solver.model.lp_guide).
    full_lp = (LpThread(ix, full, None, time_limit=lp_limit, guide=True)
               if kk is not None and full_size is not None and full_size <= FULL_LP_VARS else None)
    guide = _await_guide(full_lp, t0 + GUIDE_SHARE * time_limit, stop)
    info["lp_guided"] = len(guide)
    cands = full if kk is None and full is not None else build_candidates(
        ix, kk, keep=hint | guide, grids=grids)
    parts = decompose(ix, cands, pack_size, max_part, pins=pins, keep=hint)
    pinset = set(pins)
    runs = [Run(part, hint=valid_subset(ix, hint & set(part.triples)),
                pins=[key for key in part.triples if key in pinset]) for part in parts]
    constant = ix.previous_outside * ix.weights.change + idle_fairness(ix, parts)
    warm_objective = sum(terms_of(ix, sorted(hint)).values())
    info["warm_start_objective"] = round(warm_objective, 3)
    search = Search(ix, runs, workers=workers, seed=seed, stop=stop, on_progress=on_progress,
                    constant=constant, t0=t0, start_objective=warm_objective, gap=gap)
    cut = any(r.part.linked for r in runs)
    # Progress bounds are CP-SAT's: of the whole problem only without pruning or a cut.
    search.report_bound = not cands.pruned and not cut
    info["prep_s"] = round(time.monotonic() - t0, 3)
    # With candidates pruned, the models' bounds hold for the pruned problem only.
    if full_lp is not None and not cands.pruned:
        full_lp = None  # nothing was left out after all: CP-SAT's bound is the problem's
    # Too big for the full LP (a city): a Lagrangian bound priced over every eligible
    # column (solver.model.priced_bound), when no cost can be negative.
    priced = (PricedThread(ix, cands.triples(), end)
              if cands.pruned and full_lp is None and objective_floor(ix) == 0.0 else None)
    # The LP of the cut components bounds the pruned problem only: not worth the core
    # while the priced bound of the whole problem needs it.
    lp = (LpThread(ix, cands, parts, time_limit=max(1.0, end - time.monotonic()))
          if cut and priced is None else None)
    # The bound of the whole problem, when pruning made CP-SAT's one of the pruned problem.
    whole = full_lp if full_lp is not None else priced
    if whole is not None:
        search.whole_bound = lambda: whole.result(wait=0.0)
    # After a district cut, CP-SAT's rosters of the cut problem are only the start of the
    # polish, which gets most of the time; otherwise the rest goes to the largest gaps.
    now = time.monotonic()
    search.phase_one(end if not cut else now + CUT_SHARE * (end - now))
    if any(run.infeasible for run in runs):
        return _infeasible(ix, [c for run in runs if run.infeasible
                                for c in _conflicts_by_assumptions(ix, run)], t0)
    search.phase_two(end if not cut else time.monotonic())
    roster = Roster(ix)
    for run in runs:
        for key in run.roster():
            roster.add(*key)
    added = 0 if search.stopped() else fill(ix, roster, grids)
    # The polish starts from the cut problem's rosters even when the warm start is
    # better (in a scarce week, where people are needed across borders): measured on a
    # generated scarce city week, 694,000 from there against 754,000 from the warm start.
    info["polish_steps"] = polish(search, roster, end)
    if info["polish_steps"] and not search.stopped():
        added += fill(ix, roster, grids)
    if cut and warm_objective < sum(terms_of(ix, list(roster.assignments())).values()):
        roster = Roster(ix)
        for key in hint:
            roster.add(*key)
        info["kept_warm_start"] = 1
    info["fill_added"] = added
    info["solve_s"] = round(time.monotonic() - t0 - info["prep_s"], 3)
    triples = sorted(roster.assignments())
    objective = sum(terms_of(ix, triples).values())
    started = time.monotonic()
    unfilled = explain_roster(ix, roster, grids)
    info["explain_s"] = round(time.monotonic() - started, 3)
    model_bound = _bound(runs, constant, lp)
    if model_bound is not None:
        model_bound = max(model_bound, objective_floor(ix))
    if cands.pruned:
        # The pruned model's bound may lie above the true optimum: a figure of its own.
        if model_bound is not None:
            info["pruned_bound"] = round(model_bound, 3)
        bound = None
        if whole is not None:
            value = whole.result(wait=0.0 if search.stopped() else t0 + time_limit - time.monotonic())
            if value is not None:
                bound = max(value, objective_floor(ix))
        if full_lp is not None:
            info["full_lp_s"] = round(full_lp.seconds, 3)
            info["lp_fixable"] = full_lp.fixable(objective)
        elif priced is not None:
            priced.close()
            info.update(priced_s=round(priced.seconds, 3), **dict(priced.stats))
    else:
        bound = model_bound
    if bound is not None:
        info["model_bound"] = round(bound, 3)
        # A valid bound is never above a roster's objective but for rounding.
        bound = min(bound, objective)
    if lp is not None:
        info["lp_bound_s"] = round(lp.seconds, 3)
    optimal = all(run.optimal for run in runs) and not cands.pruned and not cut and not added
    # Pruning proven harmless: the roster meets the full problem's bound.
    optimal = optimal or (bound is not None and objective - bound <= 1e-9 * max(1.0, abs(objective)))
    info["bound_scope"] = _scope(cands.pruned, cut, bound is not None, priced=priced is not None)
    return Solution(
        status="optimal" if optimal else "feasible", objective=objective,
        assignments=tuple(Assignment(ix.slots[i].id, ix.people[j].id, l) for i, l, j in triples),
        unfilled=unfilled, bound=bound,
        stats=_stats(t0, runs, cands, kk, cut, workers, seed, search, info))


def _stats(t0, runs, cands, k, cut, workers, seed, search, info) -> tuple:
    stats = {
        "wall_s": round(time.monotonic() - t0, 3), "parts": len(runs),
        "largest_part": max((r.part.size for r in runs), default=0),
        "variables": sum(r.part.size for r in runs), "pruned": int(cands.pruned),
        "k": k or 0, "pruned_lines": cands.pruned_lines,
        "district_cut": sum(len(r.part.extra) for r in runs),
        "workers": workers, "seed": seed, "solutions": search.solutions,
        "parts_optimal": sum(r.optimal for r in runs), "stopped": int(search.stopped()),
        **info,
        "part_sizes": " ".join(str(r.part.size) for r in runs),
        "part_seconds": " ".join(f"{r.seconds:.1f}" for r in runs),
        "part_gaps": " ".join("opt" if r.optimal else f"{r.gap:.1f}" for r in runs),
    }
    return tuple(stats.items())


def _scope(pruned: bool, cut: bool, has_bound: bool, priced: bool = False) -> str:
    """What the written `bound` is (`stats.bound_scope`)."""
    if not has_bound:
        return "none: pruned problem only (stats.pruned_bound)" if pruned else "none"
    if pruned and priced:
        return "full problem: Lagrangian bound of a relaxation priced over every eligible column"
    if pruned:
        return "full problem: LP relaxation of the unpruned model (GLOP)"
    return "full problem" + ("; LP relaxation across the district cut" if cut else "")


def _bound(runs: list[Run], constant: float, lp: LpThread | None) -> float | None:
    """CP-SAT's bounds of the parts, but for parts cut by district (whose bounds hold for
    the cut problem only) the LP bound of the uncut components."""
    total = constant
    if lp is None and any(run.part.linked for run in runs):
        return None
    for run in runs:
        if run.part.linked:
            continue
        if run.bound is None:
            return None
        total += run.bound
    if lp is not None:
        value = lp.result(wait=1.0)
        if value is None:
            return None
        total += value
    return total


def _await_guide(full_lp: LpThread | None, until: float, stop: threading.Event | None) -> set:
    """The full LP's columns to keep, waiting for them until `until` (or a stop)."""
    if full_lp is None:
        return set()
    while time.monotonic() < until and not (stop is not None and stop.is_set()):
        full_lp.result(wait=min(0.2, until - time.monotonic()))
        if full_lp.done:
            break
    return full_lp.guide or set()


def _conflicts_by_assumptions(ix: ProblemIndex, run: Run) -> list[str]:
    """CP-SAT's own account of which pins cannot all hold (what the pre-check missed)."""
    pm = build_part(ix, run.part.slots, run.part.triples, run.pins, pins_as_assumptions=True)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    solver.solve(pm.model)
    core = set(solver.sufficient_assumptions_for_infeasibility())
    named = [pin_label(ix, *key) for key, lit in zip(run.pins, pm.pins) if lit.index in core]
    named = named or [pin_label(ix, *key) for key in run.pins]
    return [f"{', '.join(named)} cannot all hold together: no roster keeping them obeys "
            f"rules 5-10 and 13 (most often {rule_label(10)}: no supervisor can join)"]


def _infeasible(ix: ProblemIndex, conflicts, t0: float) -> Solution:
    return Solution(status="infeasible", objective=sum(terms_of(ix, []).values()),
                    assignments=(), conflicts=tuple(conflicts),
                    stats=(("wall_s", round(time.monotonic() - t0, 3)),))
