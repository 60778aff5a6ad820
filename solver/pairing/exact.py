"""The pairing when the flow optimum breaks the "no eligible person left" rule.

The min-cost flow may leave a village unpaired while an eligible person has room, when
that pair costs more than `unfilled`. The spec requires the pair anyway, so the answer
must be a *maximal* pairing: an unpaired village's eligible people are all full. The
cheapest maximal pairing is NP-hard in general (it contains minimum maximal matching), so
CP-SAT solves it, on every eligible arc, warm-started from the flow optimum completed
greedily. Above `MAX_EXACT_ARCS` arcs, or when time runs out, the best pairing found is
returned unproven. None of this runs with realistic weights (a pair over 1,000 km long
with the defaults).
"""
from __future__ import annotations

from collections import Counter

from ortools.sat.python import cp_model

from solver.pairing.flow import MAX_SCALE, Transport

MAX_EXACT_ARCS = 200_000
_OBJECTIVE_LIMIT = 2**53


def solve_maximal(t: Transport, adviser: list[int | None], *, time_limit: float,
                  workers: int) -> tuple[list[int | None], bool, str]:
    """A maximal pairing, whether it is proven the cheapest one, and how it was found."""
    start = complete_greedily(t, adviser)
    if sum(len(t.groups[g]) for g in t.group) > MAX_EXACT_ARCS:
        return start, False, "min_cost_flow+greedy (too large for cp_sat)"
    eligible = [t.eligible(v) for v in range(len(t.villages))]
    cost = _costs(t, eligible)

    model = cp_model.CpModel()
    unpaired = [model.new_bool_var(f"u{v}") for v in range(len(t.villages))]
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for v, people in enumerate(eligible):
        for p in people:
            x[v, p] = model.new_bool_var(f"x{v}_{p}")
        model.add_exactly_one([x[v, p] for p in people] + [unpaired[v]])
    held: dict[int, list[cp_model.IntVar]] = {}
    for (_, p), var in x.items():
        held.setdefault(p, []).append(var)
    full = {}
    for p, vars_ in held.items():
        model.add(sum(vars_) <= t.cap[p])
        full[p] = model.new_bool_var(f"full{p}")
        model.add(sum(vars_) >= t.cap[p]).only_enforce_if(full[p])
    for (v, p) in x:
        model.add_implication(unpaired[v], full[p])
    model.minimize(sum(cost[v, p] * var for (v, p), var in x.items())
                   + sum(cost[v, None] * u for v, u in enumerate(unpaired)))
    for (v, p), var in x.items():
        model.add_hint(var, start[v] == p)
    for v, u in enumerate(unpaired):
        model.add_hint(u, start[v] is None)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    solver.parameters.interleave_search = True  # the same answer on every run
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start, False, "min_cost_flow+greedy (cp_sat found nothing in time)"
    found: list[int | None] = [None] * len(t.villages)
    for (v, p), var in x.items():
        if solver.boolean_value(var):
            found[v] = p
    if status == cp_model.OPTIMAL:
        return found, True, "cp_sat"
    return found, False, "cp_sat (time limit)"


def complete_greedily(t: Transport, adviser: list[int | None]) -> list[int | None]:
    """Give each unpaired village (in order) its nearest eligible person with room.

    Pairs only ever use up room, so a village that finds no one now never could later:
    the result is maximal."""
    out = list(adviser)
    load = Counter(p for p in out if p is not None)
    for v, p in enumerate(out):
        if p is None:
            room = [(t.km(v, q), q) for q in t.eligible(v) if load[q] < t.cap[q]]
            if room:
                out[v] = min(room)[1]
                load[out[v]] += 1
    return out


def _costs(t: Transport, eligible: list[list[int]]) -> dict[tuple[int, int | None], int]:
    """Integer costs in the flow's offset form (see solver.pairing.flow), scaled so the
    whole objective stays within 2**53."""
    w = t.weights
    raw: dict[tuple[int, int | None], float] = {}
    for v, people in enumerate(eligible):
        raw[v, None] = w.unfilled + w.change
        for p in people:
            raw[v, p] = t.km(v, p) * w.km + (0.0 if (v, p) in t.current else w.change)
    top = max(raw.values(), default=0.0) * (len(eligible) + 1)
    scale = MAX_SCALE
    while scale > 1 and top * scale >= _OBJECTIVE_LIMIT:
        scale //= 10
    return {key: round(value * scale) for key, value in raw.items()}
