"""The hard rules that tie assignments together, one function per rule family.

Rules 1-4 and 12 never reach the model: `solver.candidates` makes no variable that would
break them. Everything here is posted only where it can bind (a line with more candidates
than places, a person whose candidate hours exceed the limit...), which keeps city-size
models small.
"""
from __future__ import annotations

import bisect
import math
from collections import defaultdict

from ortools.sat.python import cp_model

from solver.geo import km, minutes_for_km
from solver.model.index import ProblemIndex
from solver.model.vars import Vars


def add_one_line_per_slot(model: cp_model.CpModel, ix: ProblemIndex, v: Vars) -> None:
    """Rule 8: a person holds at most one line of one slot."""
    for held in v.held.values():
        if len(held) > 1:
            model.add_at_most_one(held)


def add_line_capacity(model: cp_model.CpModel, ix: ProblemIndex, v: Vars) -> None:
    """Rule 9: a line gets at most `count` people. On a slot of a choice group the places
    exist only if the slot is the one staffed: `count x staffed` is the same rule for
    whole numbers but far tighter in the LP relaxation, which otherwise staffs every
    time of a request by a fraction and fills them all."""
    for (i, l), people in v.line.items():
        count = ix.slots[i].demand[l].count
        z = v.staffed.get(i)
        if z is not None:
            model.add(sum(var for _, var in people) <= count * z)
        elif len(people) > count:
            model.add(sum(var for _, var in people) <= count)


def _max_travel_seconds(ix: ProblemIndex, slots: list[int]) -> float:
    """An upper bound on the travel between any two of these slots' sites: by the
    triangle inequality no two sites are farther apart than twice the farthest one from
    the first."""
    first = ix.sites[ix.slots[slots[0]].site]
    far = 0.0
    for site_id in {ix.slots[i].site for i in slots}:
        s = ix.sites[site_id]
        far = max(far, km(first.lat, first.lon, s.lat, s.lon))
    return 60.0 * (minutes_for_km(2.0 * far, ix.rules) + 1)


def overlap_cliques(ix: ProblemIndex, slots: list[int]) -> list[list[int]]:
    """The maximal sets of these slots that share an instant, by one sweep over start and
    end times (an end sorts before a start at the same instant: intervals are half-open)."""
    events = []
    for i in slots:
        if ix.end[i] > ix.start[i]:
            events.append((ix.start[i], 1, i))
            events.append((ix.end[i], 0, i))
    events.sort()
    active: set[int] = set()
    grown = False
    cliques = []
    for _, is_start, i in events:
        if is_start:
            active.add(i)
            grown = True
        else:
            if grown and len(active) > 1:
                cliques.append(sorted(active))
            grown = False
            active.discard(i)
    return cliques


def travel_pairs(ix: ProblemIndex, slots: list[int]) -> list[tuple[int, int]]:
    """Pairs of these slots that share no instant yet clash by rule 5 (not enough time to
    travel between them, or two empty slots starting together), found by scanning forward
    from each slot's end only as far as the longest possible trip."""
    order = sorted(slots, key=lambda i: ix.start[i])
    starts = [ix.start[i] for i in order]
    reach = _max_travel_seconds(ix, order)
    pairs = []
    for a in order:
        lo = bisect.bisect_left(starts, ix.end[a])
        for b in order[lo:]:
            if ix.start[b] >= ix.end[a] + reach:
                break
            if b != a and not _overlap(ix, a, b) and ix.clash(a, b):
                pairs.append((a, b))
    # Empty slots are skipped by the sweep above when they sit inside another slot.
    for z in (i for i in order if ix.end[i] == ix.start[i]):
        for o in order:
            if o != z and not (ix.start[o] >= ix.end[z]) and ix.clash(z, o):
                pairs.append((min(z, o), max(z, o)))
    return sorted(set((min(a, b), max(a, b)) for a, b in pairs))


def _overlap(ix: ProblemIndex, a: int, b: int) -> bool:
    return max(ix.start[a], ix.start[b]) < min(ix.end[a], ix.end[b])


def add_no_clash(model: cp_model.CpModel, ix: ProblemIndex, v: Vars) -> None:
    """Rule 5: one place at a time, travel included. Overlapping slots form cliques (one
    at-most-one each); pairs apart in time but too close for the trip get one each."""
    for j, slots in v.slots_of.items():
        if len(slots) < 2:
            continue
        slots = sorted(slots)
        for clique in overlap_cliques(ix, slots):
            model.add_at_most_one([var for i in clique for var in v.held[(i, j)]])
        for a, b in travel_pairs(ix, slots):
            model.add_at_most_one(v.held[(a, j)] + v.held[(b, j)])


def add_hours(model: cp_model.CpModel, ix: ProblemIndex, v: Vars) -> None:
    """Rule 6: assigned slot durations add up to at most `max_hours`, counted in the
    part's time unit (it divides every duration, so flooring the limit is exact)."""
    unit = v.unit
    for j, slots in v.slots_of.items():
        limit = math.floor((ix.max_seconds(j) - v.fixed_seconds.get(j, 0.0)) / unit)
        if sum(ix.duration[i] for i in slots) / unit <= limit:
            continue
        model.add(sum(int(ix.duration[i] // unit) * var
                      for i in slots for var in v.held[(i, j)]) <= limit)


def add_per_day(model: cp_model.CpModel, ix: ProblemIndex, v: Vars) -> None:
    """Rule 7: at most `max_slots_per_day` slots starting on one local date."""
    for j, slots in v.slots_of.items():
        cap = ix.people[j].max_slots_per_day
        if cap is None:
            continue
        days: dict[int, list] = defaultdict(list)
        for i in slots:
            days[ix.day[i]].extend(v.held[(i, j)])
        for day, held in days.items():
            left = cap - v.fixed_days.get((j, day), 0)
            if len(held) > left:
                model.add(sum(held) <= left)


def add_supervision(model: cp_model.CpModel, ix: ProblemIndex, v: Vars) -> None:
    """Rule 10: a trainee assignment needs another assignment of a supervisor in the slot."""
    supervisors: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    trainees = []
    for (i, l, j), var in v.x.items():
        p = ix.people[j]
        if ix.is_supervisor(p):
            supervisors[i].append((j, var))
        if ix.is_trainee(p, ix.slots[i].demand[l]):
            trainees.append((i, j, var))
    for i, j, var in trainees:
        others = [sv for q, sv in supervisors.get(i, ()) if q != j]
        if others:
            model.add(sum(others) >= var)
        else:
            model.add(var == 0)


def add_choice(model: cp_model.CpModel, ix: ProblemIndex, v: Vars) -> None:
    """Rule 13: among the slots of one choice group, at most one has any assignment."""
    groups: dict[str, list] = defaultdict(list)
    for i, z in v.staffed.items():
        groups[ix.slots[i].choice].append(z)
    for zs in groups.values():
        if len(zs) > 1:
            model.add_at_most_one(zs)


def add_pins(model: cp_model.CpModel, ix: ProblemIndex, v: Vars, pins, *,
             as_assumptions: bool = False) -> list:
    """Rule 11: every pinned (slot, line, person) is in. As assumptions instead of
    constraints, CP-SAT can say which pins cannot stand together. Returns the literals."""
    literals = []
    for key in pins:
        var = v.x.get(key)
        if var is None:
            raise ValueError(f"pinned assignment {key} has no variable: check pins first")
        literals.append(var)
    if as_assumptions:
        model.add_assumptions(literals)
    else:
        for var in literals:
            model.add(var == 1)
    return literals
