"""Greedy fill-in of open places from everyone eligible, not only the model's candidates.

After CP-SAT has solved the (possibly pruned) model, a place can stay open although
somebody outside the `k` nearest could take it at a profit. This pass offers each open
place to the nearest people (all of them, ring by ring) and adds the one that lowers the
spec objective most, as long as some addition lowers it. It never breaks a hard rule
and never removes anything, so it can only improve a roster.
"""
from __future__ import annotations

from solver.candidates import RoleGrids, static_blocker
from solver.model.index import ProblemIndex
from solver.model.roster import Roster
from solver.objective import add_delta


def open_lines(ix: ProblemIndex, roster: Roster) -> list[tuple[int, int]]:
    """Lines with fewer holders than places, most urgent first."""
    out = [(i, l) for i, s in enumerate(ix.slots) for l, d in enumerate(s.demand)
           if len(roster.holders.get((i, l), ())) < d.count]
    out.sort(key=lambda key: (-ix.slots[key[0]].priority, ix.start[key[0]], key))
    return out


def best_addition(ix: ProblemIndex, roster: Roster, grids: RoleGrids, i: int, l: int,
                  look: int) -> tuple[float, int] | None:
    """(objective change, person) of the best rule-abiding addition to line (i, l) among
    the `look` nearest holders of its roles, or None."""
    site = ix.sites[ix.slots[i].site]
    best = None
    seen: set[int] = set()
    for _, people in grids.rings(ix.slots[i].demand[l].roles, site.lat, site.lon):
        for j in people:
            if j in seen:
                continue
            seen.add(j)
            if static_blocker(ix, j, i, l) is None and not roster.blockers(i, l, j):
                delta = add_delta(ix, roster, i, l, j)
                if best is None or delta < best[0]:
                    best = (delta, j)
        if len(seen) >= look:
            break
    return best


def fill(ix: ProblemIndex, roster: Roster, grids: RoleGrids | None = None,
         look: int = 300) -> int:
    """Add profitable assignments to open places; returns how many were added."""
    grids = grids or RoleGrids(ix)
    added = 0
    for i, l in open_lines(ix, roster):
        while len(roster.holders.get((i, l), ())) < ix.slots[i].demand[l].count:
            best = best_addition(ix, roster, grids, i, l, look)
            if best is None or best[0] >= 0:
                break
            roster.add(i, l, best[1])
            added += 1
    return added
