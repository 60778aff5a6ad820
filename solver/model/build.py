"""One CP-SAT model for one part of the problem (a set of slots and the candidates who
may hold them; see `solver.decompose`)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.model import rules
from solver.model.costs import COST_TERMS, CostSum, scale_for, time_unit
from solver.model.index import ProblemIndex
from solver.model.vars import Vars, make_assignment_vars, make_staffed_vars

# Rules 1-4 and 12 are kept out by the candidates; 11 (pins) is posted by build_part.
RULES = (
    rules.add_one_line_per_slot,  # 8
    rules.add_line_capacity,  # 9
    rules.add_no_clash,  # 5
    rules.add_hours,  # 6
    rules.add_per_day,  # 7
    rules.add_supervision,  # 10
    rules.add_choice,  # 13
)


@dataclass
class PartModel:
    model: cp_model.CpModel
    v: Vars
    costs: CostSum
    pins: list = field(default_factory=list)

    def unscale(self, value: float) -> float:
        """A model objective value (or bound) in the spec's units."""
        return value / self.costs.scale + self.costs.constant

    def value_of(self, on: set[tuple[int, int, int]]) -> float:
        """The model's objective (unscaled) of a roster given as (slot, line, person)."""
        values = {var.index: 1 for key, var in self.v.x.items() if key in on}
        for var, value_of in self.costs.derived:
            values[var.index] = value_of(on)
        scale = self.costs.scale
        total = sum(math.floor(c * scale) * values.get(index, 0) for index, c in self.costs.coef.items())
        return self.unscale(total)

    def hint(self, on: set[tuple[int, int, int]]) -> None:
        """Hint every variable from a set of (slot, line, person) that must be valid."""
        self.model.clear_hints()
        for key, var in self.v.x.items():
            self.model.add_hint(var, key in on)
        for var, value_of in self.costs.derived:
            self.model.add_hint(var, value_of(on))


def build_part(ix: ProblemIndex, slots, triples, pins=(), *, rule_families=None,
               pins_as_assumptions: bool = False,
               fixed: dict[int, list[int]] | None = None) -> PartModel:
    """The model of `slots` with one variable per (slot, line, person) in `triples`.
    `pins` are (slot, line, person) keys that must hold (rule 11). `fixed`: what people
    hold outside the part, when the rest of the roster stays as it is."""
    fixed = fixed or {}
    if fixed:
        # Rule 5 against what the person holds elsewhere, before any variable exists.
        triples = [(i, l, j) for i, l, j in triples
                   if not any(ix.clash(i, o) for o in fixed.get(j, ()))]
    model = cp_model.CpModel()
    fixed_seconds = {j: sum(ix.duration[o] for o in held) for j, held in fixed.items()}
    unit = time_unit(ix, slots, {j for _, _, j in triples}, fixed_seconds.values())
    v = make_assignment_vars(model, ix, triples, unit)
    v.fixed_seconds = fixed_seconds
    for j, held in fixed.items():
        for o in held:
            v.fixed_days[(j, ix.day[o])] = v.fixed_days.get((j, ix.day[o]), 0) + 1
    make_staffed_vars(model, ix, v, slots)
    for add_rule in RULES if rule_families is None else rule_families:
        add_rule(model, ix, v)
    literals = rules.add_pins(model, ix, v, pins, as_assumptions=pins_as_assumptions)
    costs = CostSum(scale=scale_for(unit), unit=unit)
    for add_term in COST_TERMS:
        add_term(model, ix, v, slots, costs)
    model.minimize(costs.expression())
    return PartModel(model=model, v=v, costs=costs, pins=literals)
