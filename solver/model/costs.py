"""The spec's objective as one CP-SAT objective, one function per term.

Integer scaling. CP-SAT needs integer coefficients; the spec's costs are reals (km,
fractional weights). Every cost is multiplied by SCALE and rounded DOWN, and all
constants (places no one can fill, previous assignments no one can keep...) stay outside
the model as exact floats. So for every roster the model's value is at most
SCALE x (spec objective - constant): the CP-SAT bound, divided by SCALE plus the constant,
is a valid lower bound on the spec objective of the problem that was modelled. The
objective written to a solution is never this approximation: `solver.objective`
recomputes it from the assignments.

Time is counted in units of the largest whole number of seconds dividing every slot
duration and target in the part (30 minutes in real weeks): small coefficients keep the
LP relaxation well conditioned. SCALE is at least 100 and chosen so that a whole
fairness weight per hour is a whole number per time unit (with 30-minute units, 100:
fairness 10/hour -> 500 per unit, a kilometre resolved to 1/100 km).

Penalty variables are named after what they mean, so a solved model reads like a report:
`open[slot,line]` (places left open), `staffed[slot]`, `none_staffed[choice]`,
`off_target[person]` (fairness deviation in time units).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.model.chords import load_chord
from solver.model.index import ProblemIndex
from solver.model.vars import Vars


def time_unit(ix: ProblemIndex, slots, people, fixed_seconds=()) -> int:
    """The largest whole number of seconds that divides every slot duration and every
    target of these slots and people, and the fixed hours held outside (1 if some are
    not whole seconds)."""
    values = [ix.duration[i] for i in slots] + list(fixed_seconds)
    values += [ix.people[j].target_hours * 3600.0 for j in people
               if ix.people[j].target_hours is not None]
    if any(x != int(x) for x in values):
        return 1
    return math.gcd(*(int(x) for x in values)) or 1 if values else 1


def scale_for(unit: int) -> int:
    """At least 100, and a multiple of 3600/gcd(unit, 3600) so that a whole fairness
    weight per hour is a whole number per time unit."""
    base = 3600 // math.gcd(unit, 3600)
    return base * -(-100 // base)


@dataclass
class CostSum:
    """The objective under construction: real coefficients per variable, and a constant."""

    scale: int
    unit: int
    coef: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    var: dict[int, cp_model.IntVar] = field(default_factory=dict)
    constant: float = 0.0
    # Auxiliary variables and how to compute each from a set of (slot, line, person), so
    # a warm start can hint every variable, not only the assignments.
    derived: list = field(default_factory=list)

    def add(self, var, c: float) -> None:
        self.coef[var.index] += c
        self.var[var.index] = var

    def expression(self):
        """Scaled, floored integer objective (see the module docstring)."""
        terms = [(self.var[k], math.floor(c * self.scale)) for k, c in self.coef.items()]
        return cp_model.LinearExpr.weighted_sum([v for v, c in terms if c],
                                                [c for v, c in terms if c])


def unfilled_cost(model, ix: ProblemIndex, v: Vars, slots, acc: CostSum) -> None:
    """unfilled: (count - assigned) x unfilled x priority per counted line. Outside choice
    groups through `open[slot,line]`; inside, through `staffed` (see choice_unfilled)."""
    w = ix.weights.unfilled
    for i in slots:
        s = ix.slots[i]
        if s.choice is not None:
            continue
        for l, d in enumerate(s.demand):
            people = v.line.get((i, l))
            if not people:
                acc.constant += d.count * w * s.priority
                continue
            # The domain leaves rule 9 to rules.add_line_capacity: the cost only counts.
            gap = model.new_int_var(min(0, d.count - len(people)), d.count, f"open[{s.id},{l}]")
            model.add(gap + sum(var for _, var in people) == d.count)
            acc.add(gap, w * s.priority)
            keys = [(i, l, j) for j, _ in people]
            acc.derived.append((gap, lambda on, keys=keys, n=d.count: n - sum(k in on for k in keys)))
    choice_unfilled(model, ix, v, slots, acc)


def choice_unfilled(model, ix: ProblemIndex, v: Vars, slots, acc: CostSum) -> None:
    """In a choice group only the staffed slot's lines count, or the first slot's when
    none is staffed: sum over slots of prio*(count*staffed - assigned), plus the first
    slot's full demand times (1 - sum staffed)."""
    w = ix.weights.unfilled
    here = set(slots)
    for choice, group in ix.choice_groups.items():
        if group[0] not in here:
            continue
        first = ix.slots[group[0]]
        first_cost = w * first.priority * sum(d.count for d in first.demand)
        acc.constant += first_cost
        staffed = [i for i in group if i in v.staffed]
        if not staffed:
            continue
        none = model.new_bool_var(f"none_staffed[{choice}]")
        # none = no slot staffed; "at most one" is rule 13's (rules.add_choice), not ours.
        model.add(none + sum(v.staffed[i] for i in staffed) >= 1)
        for i in staffed:
            model.add_implication(v.staffed[i], ~none)
        slot_keys = {i: [(i, l, j) for l in range(len(ix.slots[i].demand))
                         for j, _ in v.line.get((i, l), ())] for i in staffed}
        acc.derived.append((none, lambda on, ks=slot_keys: int(not any(
            k in on for keys in ks.values() for k in keys))))
        for i, keys in slot_keys.items():
            acc.derived.append((v.staffed[i], lambda on, keys=keys: int(any(k in on for k in keys))))
        acc.constant -= first_cost
        acc.add(none, first_cost)
        for i in staffed:
            s = ix.slots[i]
            acc.add(v.staffed[i], w * s.priority * sum(d.count for d in s.demand))
            for l in range(len(s.demand)):
                for _, var in v.line.get((i, l), ()):
                    acc.add(var, -w * s.priority)


def choice_cost(model, ix: ProblemIndex, v: Vars, slots, acc: CostSum) -> None:
    """choice: the staffed slot of a group costs its choice_cost."""
    for i, z in v.staffed.items():
        if ix.slots[i].choice_cost:
            acc.add(z, ix.slots[i].choice_cost)


def assignment_costs(model, ix: ProblemIndex, v: Vars, slots, acc: CostSum) -> None:
    """unpaired, km and undesired: fixed costs of each single assignment."""
    w = ix.weights
    for (i, l, j), var in v.x.items():
        c = ix.km(j, ix.slots[i].site) * w.km
        if ix.unpaired(i, l, j):
            c += w.unpaired
        if ix.undesired(j, i):
            c += w.undesired
        acc.add(var, c)


def fairness_cost(model, ix: ProblemIndex, v: Vars, slots, acc: CostSum) -> None:
    """fairness: |assigned hours - target_hours| x fairness per person with a target.

    The deviation is measured in whole time units against the target rounded outward
    (below: floor, above: ceil), which never exceeds the exact deviation. Hours held
    outside the part (fixed, see solver.model.polish) count too."""
    w = ix.weights.fairness
    unit = acc.unit
    for j, my_slots in v.slots_of.items():
        target = ix.people[j].target_hours
        if target is None:
            continue
        t = target * 3600.0 / unit
        lo, hi = math.floor(t + 1e-9), math.ceil(t - 1e-9)
        outside = round(v.fixed_seconds.get(j, 0.0) / unit)
        load = sum(int(ix.duration[i] // unit) * var for i in my_slots for var in v.held[(i, j)])
        top = max(hi, outside + int(sum(ix.duration[i] for i in my_slots) // unit))
        dev = model.new_int_var(0, top, f"off_target[{ix.people[j].id}]")
        model.add(dev >= load + outside - hi)
        model.add(dev >= lo - outside - load)
        spans = [(ix.start[i], ix.end[i], int(ix.duration[i] // unit)) for i in my_slots]
        chord = load_chord(spans, lo - outside, hi - outside)
        if chord is not None:
            (a, fa), (b, fb) = chord
            model.add((b - a) * dev >= (b - a) * fa + (fb - fa) * (load - a))
        acc.add(dev, w * unit / 3600.0)
        mine = [((i, l, j), int(ix.duration[i] // unit)) for i in my_slots
                for (ii, l, jj) in _keys_of(v, i, j)]
        acc.derived.append((dev, lambda on, mine=mine, lo=lo - outside, hi=hi - outside: _dev(
            sum(d for k, d in mine if k in on), lo, hi)))


def _keys_of(v: Vars, i: int, j: int):
    return [(i, l, j) for l in v.lines_of.get((i, j), ())]


def _dev(load: int, lo: int, hi: int) -> int:
    return max(0, load - hi, lo - load)


def change_cost(model, ix: ProblemIndex, v: Vars, slots, acc: CostSum) -> None:
    """change: every previous (slot, person) not held in the solution costs `change`.
    Previous entries whose person cannot hold the slot any more are constants here;
    those naming a slot or person missing from the problem are the caller's."""
    w = ix.weights.change
    for i in slots:
        for j, n in ix.previous_by_slot.get(i, ()):
            acc.constant += n * w
            for var in v.held.get((i, j), ()) if j is not None else ():
                acc.add(var, -n * w)


COST_TERMS = (unfilled_cost, choice_cost, assignment_costs, fairness_cost, change_cost)
