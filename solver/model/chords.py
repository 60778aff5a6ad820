"""The fairness chord: a valid cut on a person's deviation from their target hours when no
set of slots they could hold meets it (docs/solver.md, "The fairness chord").

`load_chord` computes it from the slots a person may hold; the weekly model adds it per
person over their candidate slots (`costs.fairness_cost`), and the city's priced relaxation
per person over a superset of what they could hold, found without listing every eligible
column (`person_chords`): slots of one of their roles inside one of their `available`
intervals (rule 4; other rules only remove slots, so the loads stay a superset).
"""
from __future__ import annotations

import bisect
from collections import defaultdict

from solver.model.index import ProblemIndex


def load_chord(spans: list[tuple[float, float, int]], lo: int, hi: int):
    """The fairness cut of a person whose target no roster can meet exactly.

    `spans`: (start, end, duration in units) of the slots the person may hold. Rule 5 lets
    a person hold only slots that do not overlap, so their load lies in the set A of sums of
    durations over sets of pairwise disjoint spans (a superset of what all the rules allow:
    travel, rule 7 and the hours cap only remove sums). When no element of A is in
    [lo, hi], every roster has load <= a or >= b, a and b the nearest sums on either side,
    and the deviation f(load) = max(0, load - hi, lo - load) is at least the chord through
    (a, f(a)) and (b, f(b)): f is convex, so the chord's line lies below f outside (a, b),
    and no load lies inside. The LP relaxation, which can meet the target with a fraction of
    a slot, cannot pass under it. Returns ((a, f(a)), (b, f(b))), or None when the target
    can be met or no sum lies above it (then lo - load is already exact).

    A is found by the weighted-interval recursion over spans sorted by end, with the sums
    as bitsets: A(k) = A(k-1) | A(last span ending by k's start) << d(k)."""
    if hi < 0 or lo <= 0:
        return None
    order = sorted(spans, key=lambda s: s[1])
    ends = [e for _, e, _ in order]
    mask = (1 << (hi + max((d for _, _, d in order), default=0) + 1)) - 1
    reach = [1]  # reach[k]: bit n set when some disjoint set among the first k sums to n
    for b, _, d in order:
        before = reach[bisect.bisect_right(ends, b)] if d > 0 else 0
        reach.append(reach[-1] | ((before << d) & mask))
    sums = reach[-1]
    if (sums >> lo) & ((1 << (hi - lo + 1)) - 1):
        return None
    above = sums >> (hi + 1)
    if not above:
        return None
    a = (sums & ((1 << lo) - 1)).bit_length() - 1
    b = hi + 1 + ((above & -above).bit_length() - 1)
    return (a, lo - a), (b, b - hi)


def person_chords(ix: ProblemIndex, unit: int) -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """Per person with a target and an `available` list, their chord in time units of
    `unit` seconds (the target must be a whole number of units), when they have one. People
    without an `available` list may hold any slot of their roles: no chord is looked for."""
    by_role: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(ix.slots):
        for role in {r for d in s.demand for r in d.roles}:
            by_role[role].append(i)
    starts = {role: [ix.start[i] for i in slots] for role, slots in by_role.items()}
    for role, slots in by_role.items():
        order = sorted(range(len(slots)), key=lambda k: ix.start[slots[k]])
        by_role[role] = [slots[k] for k in order]
        starts[role] = [ix.start[i] for i in by_role[role]]
    out = {}
    for j, p in enumerate(ix.people):
        spans_available = ix.availability[j]
        if p.target_hours is None or spans_available is None:
            continue
        mine: set[int] = set()
        for role in p.roles:
            slots, begins = by_role.get(role, []), starts.get(role, [])
            for b, e in spans_available:
                for k in range(bisect.bisect_left(begins, b), bisect.bisect_right(begins, e)):
                    if ix.end[slots[k]] <= e:
                        mine.add(slots[k])
        target = round(p.target_hours * 3600.0 / unit)
        chord = load_chord([(ix.start[i], ix.end[i], int(ix.duration[i] // unit)) for i in mine], target, target)
        if chord is not None:
            out[j] = chord
    return out
