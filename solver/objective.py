"""The spec's objective, computed exactly (as floats) from a list of assignments.

This is the figure written as a solution's `objective`; the CP-SAT model only
approximates it in integers (see `solver.model.costs`). It assumes the assignments are
valid (every id exists, each person at most once per slot), as the solver's are.
"""
from __future__ import annotations

from collections import defaultdict

from solver.model.index import ProblemIndex
from solver.problem import Problem

TERMS = ("unfilled", "choice", "unpaired", "km", "fairness", "undesired", "change")


def _triples(ix: ProblemIndex, assignments) -> list[tuple[int, int, int]]:
    return [(ix.slot_pos[a.slot], a.line, ix.person_pos[a.person]) for a in assignments]


def counted_slots(ix: ProblemIndex, staffed: set[int]) -> list[int]:
    """Slots whose lines count as unfilled: every slot outside a choice group; in a group
    the staffed one, or the group's first slot in the file when none is staffed."""
    out = [i for i, s in enumerate(ix.slots) if s.choice is None]
    for group in ix.choice_groups.values():
        chosen = [i for i in group if i in staffed]
        out.extend(chosen or group[:1])
    return out


def terms_of(ix: ProblemIndex, triples) -> dict[str, float]:
    w = ix.weights
    filled: dict[tuple[int, int], int] = defaultdict(int)
    seconds: dict[int, float] = defaultdict(float)
    held: set[tuple[int, int]] = set()
    out = dict.fromkeys(TERMS, 0.0)
    for i, l, j in triples:
        filled[(i, l)] += 1
        seconds[j] += ix.duration[i]
        held.add((i, j))
        if ix.unpaired(i, l, j):
            out["unpaired"] += w.unpaired
        out["km"] += ix.km(j, ix.slots[i].site) * w.km
        if ix.undesired(j, i):
            out["undesired"] += w.undesired
    staffed = {i for i, _ in held}
    for i in counted_slots(ix, staffed):
        s = ix.slots[i]
        for l, d in enumerate(s.demand):
            out["unfilled"] += (d.count - filled.get((i, l), 0)) * w.unfilled * s.priority
    out["choice"] = sum(ix.slots[i].choice_cost for i in staffed if ix.slots[i].choice is not None)
    for j, p in enumerate(ix.people):
        if p.target_hours is not None:
            out["fairness"] += abs(seconds.get(j, 0.0) / 3600.0 - p.target_hours) * w.fairness
    for (slot_id, person_id), n in ix.previous_count.items():
        i, j = ix.slot_pos.get(slot_id), ix.person_pos.get(person_id)
        if i is None or j is None or (i, j) not in held:
            out["change"] += n * w.change
    return out


def objective_terms(problem: Problem, assignments, ix: ProblemIndex | None = None) -> dict[str, float]:
    ix = ix or ProblemIndex(problem)
    return terms_of(ix, _triples(ix, assignments))


def objective(problem: Problem, assignments, ix: ProblemIndex | None = None) -> float:
    return sum(objective_terms(problem, assignments, ix).values())


def add_delta(ix: ProblemIndex, roster, i: int, l: int, j: int) -> float:
    """How much the objective changes when (slot i, line l, person j) joins `roster`
    (a `solver.model.roster.Roster` that does not yet hold j in slot i)."""
    return sum(add_terms(ix, roster, i, l, j).values())


def add_terms(ix: ProblemIndex, roster, i: int, l: int, j: int) -> dict[str, float]:
    """`add_delta` term by term (the names of TERMS): what a coordinator is shown when
    choosing someone for a place (`solver.suggest`)."""
    w, s, p = ix.weights, ix.slots[i], ix.people[j]
    out = dict.fromkeys(TERMS, 0.0)
    out["km"] = ix.km(j, s.site) * w.km
    if ix.unpaired(i, l, j):
        out["unpaired"] = w.unpaired
    if ix.undesired(j, i):
        out["undesired"] = w.undesired
    if p.target_hours is not None:
        before = roster.seconds.get(j, 0.0)
        after = before + ix.duration[i]
        out["fairness"] = (abs(after / 3600.0 - p.target_hours)
                           - abs(before / 3600.0 - p.target_hours)) * w.fairness
    out["change"] = -ix.previous_count.get((s.id, p.id), 0) * w.change
    out["unfilled"] = -w.unfilled * s.priority
    if s.choice is not None and roster.staffed.get(i, 0) == 0:
        # Staffing a group's slot: its lines now count instead of the first slot's.
        # (Rule 13 keeps the group's other slots unstaffed: the caller checks it.)
        first = ix.slots[ix.choice_groups[s.choice][0]]
        out["choice"] = s.choice_cost
        out["unfilled"] += w.unfilled * s.priority * sum(d.count for d in s.demand)
        out["unfilled"] -= w.unfilled * first.priority * sum(d.count for d in first.demand)
    return out
