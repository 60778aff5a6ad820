"""The warm start: a valid roster to hint CP-SAT with.

Pins first, then every `previous` assignment that is still valid (so a re-solve after a
disruption starts from the published week and only has to mend it), then what
`solver.greedy.greedy` proposes when told to keep those, then a fill-in pass.
"""
from __future__ import annotations

import time
from dataclasses import replace

from solver.candidates import RoleGrids, static_blocker
from solver.greedy import greedy
from solver.model.fill import fill
from solver.model.index import ProblemIndex
from solver.model.roster import Roster
from solver.objective import terms_of
from solver.problem import Assignment


def _add_if_valid(ix: ProblemIndex, roster: Roster, keys) -> int:
    added = 0
    # Supervisors before trainees, so that a kept trainee finds theirs.
    for i, l, j in sorted(keys, key=lambda k: ix.is_trainee(ix.people[k[2]], ix.slots[k[0]].demand[k[1]])):
        if static_blocker(ix, j, i, l) is None and not roster.blockers(i, l, j):
            roster.add(i, l, j)
            added += 1
    return added


def _keys(ix: ProblemIndex, assignments) -> list[tuple[int, int, int]]:
    out = []
    for a in assignments:
        i, j = ix.slot_pos.get(a.slot), ix.person_pos.get(a.person)
        if i is not None and j is not None and 0 <= a.line < len(ix.slots[i].demand):
            out.append((i, a.line, j))
    return out


def warm_start(ix: ProblemIndex, pins, grids: RoleGrids) -> tuple[Roster, dict]:
    roster = Roster(ix)
    for key in pins:
        roster.add(*key)
    info: dict = {"previous_kept": _add_if_valid(ix, roster, _keys(ix, ix.problem.previous))}
    info["greedy_added"] = _add_if_valid(ix, roster, _greedy(ix, roster, info))
    info["warm_fill_added"] = fill(ix, roster, grids, look=60)
    return roster, info


def _greedy(ix: ProblemIndex, roster: Roster, info: dict) -> list[tuple[int, int, int]]:
    """solver.greedy's roster, told (as pins) to keep what the warm start holds so far."""
    held = tuple(Assignment(ix.slots[i].id, ix.people[j].id, l) for i, l, j in roster.assignments())
    problem = replace(ix.problem, pinned=held) if held else ix.problem
    started = time.monotonic()
    try:
        out = greedy(problem)
    except Exception as exc:  # the warm start is optional, its failure not fatal
        info["greedy"] = f"failed: {type(exc).__name__}: {exc}"
        return []
    info["greedy_s"] = round(time.monotonic() - started, 3)
    keys = _keys(ix, out)
    if not held:
        info["greedy_objective"] = round(sum(terms_of(ix, keys).values()), 3)
    return keys


def valid_subset(ix: ProblemIndex, keys) -> set:
    """The part of a valid roster that survives losing some assignments: trainees whose
    supervisors went are dropped too (every other rule only gets easier)."""
    roster = Roster(ix)
    for key in keys:
        roster.add(*key)
    for key in roster.unsupervised():
        roster.remove(*key)
    return set(roster.assignments())
