"""The model's decision variables.

`x[i, l, j]` is 1 when person `j` holds line `l` of slot `i`; it exists only for the
candidates of `solver.candidates`. `staffed[i]` exists for slots of a choice group and is 1
exactly when the slot has any assignment. Names carry the spec's ids so a model dump (or
an explanation) reads as `x[slot,line,person]`, `staffed[slot]`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.model.index import ProblemIndex


@dataclass
class Vars:
    x: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    # (slot, person) -> that person's variables on the slot's lines
    held: dict[tuple[int, int], list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    # (slot, line) -> [(person, var)]
    line: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = field(
        default_factory=lambda: defaultdict(list))
    # person -> slots they may hold, in no particular order
    slots_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    staffed: dict[int, cp_model.IntVar] = field(default_factory=dict)
    # Seconds per time unit of durations in this model (see solver.model.costs).
    unit: int = 1
    # (slot, person) -> lines the person may hold there
    lines_of: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    # What people hold outside this part when the rest of the roster is fixed
    # (seconds, and slots per local day; see solver.model.polish).
    fixed_seconds: dict[int, float] = field(default_factory=dict)
    fixed_days: dict[tuple[int, int], int] = field(default_factory=dict)


def make_assignment_vars(model: cp_model.CpModel, ix: ProblemIndex, triples,
                         unit: int = 1) -> Vars:
    v = Vars(unit=unit)
    for i, l, j in triples:
        var = model.new_bool_var(f"x[{ix.slots[i].id},{l},{ix.people[j].id}]")
        v.x[(i, l, j)] = var
        v.held[(i, j)].append(var)
        v.line[(i, l)].append((j, var))
        v.slots_of[j].add(i)
        v.lines_of[(i, j)].append(l)
    return v


def make_staffed_vars(model: cp_model.CpModel, ix: ProblemIndex, v: Vars, slots) -> None:
    """staffed[i] for every slot of a choice group, tied both ways to its assignments."""
    by_slot: dict[int, list] = defaultdict(list)
    for (i, _), people in v.line.items():
        by_slot[i].extend(var for _, var in people)
    for i in slots:
        if ix.slots[i].choice is None:
            continue
        z = v.staffed[i] = model.new_bool_var(f"staffed[{ix.slots[i].id}]")
        here = by_slot.get(i, [])
        for var in here:
            model.add_implication(var, z)
        # Staffed only when someone is there, so the unfilled count follows the spec.
        model.add(sum(here) >= z)
