"""The LP relaxation of the uncut or unpruned problem, computed by GLOP in a background
thread while CP-SAT works: a valid lower bound, and the columns it says to keep.

Bound. The LP relaxation of a model is a lower bound of every roster of that model; of the
full (unpruned, uncut) model it is a lower bound of the problem in the file.

Guide (`LpThread.guide`). With candidates pruned to the k cheapest, the pruned model also
keeps every column the LP optimum uses (value > 0). Then the pruned model's LP relaxation
equals the full one: the full optimum x* is feasible in it (its rows are the full rows with
the dropped columns removed), so its LP optimum is at most the full one, and at least, having
fewer columns. Equivalently, no dropped column has a negative reduced cost at that optimum,
which is column generation's own stopping rule (as `solver.pairing` prices its arcs).
Columns of reduced cost zero that the optimum does not use (degenerate duals) are not
added: measured on a generated district week they doubled the added columns (1,182 against
489) and changed the objective by 0.001%. Nothing the relaxation wants is pruned; what the integer
optimum may still need beyond it cannot be proven from the LP alone: reduced-cost fixing
(a column whose reduced cost exceeds incumbent minus LP bound is in no better roster) is
counted in `fixable`, and on generated district weeks it fixes nothing (stats
`lp_fixable`; docs/solver.md).
"""
from __future__ import annotations

import threading
import time

from solver.decompose import components
from solver.model.build import build_part
from solver.model.index import ProblemIndex
from solver.model.lp_bound import lp_relaxation

# A column is "used" by the LP optimum above this value.
USED = 1e-6


def idle_fairness(ix: ProblemIndex, parts) -> float:
    """Fairness of people with a target and no candidacy left: they work 0 hours."""
    busy = {j for part in parts for _, _, j in part.triples}
    return sum(p.target_hours * ix.weights.fairness for j, p in enumerate(ix.people)
               if p.target_hours is not None and j not in busy)


class LpThread:
    """The LP bound of the components that were cut by district (`parts` given), or of the
    whole problem (`parts` None: then `value` includes the constants outside the models).
    With `guide`, also the columns to keep when pruning (see the module docstring) and the
    reduced costs (spec units), for reduced-cost fixing."""

    def __init__(self, ix: ProblemIndex, cands, parts, time_limit: float, *, guide: bool = False) -> None:
        self.value: float | None = None
        self.seconds = 0.0
        self.guide: set[tuple[int, int, int]] | None = None
        self.reduced: dict[tuple[int, int, int], float] = {}
        self._want_guide = guide
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ix, cands, parts, time_limit),
                                        daemon=True)
        self._thread.start()

    def _run(self, ix, cands, parts, time_limit) -> None:
        try:
            self._solve(ix, cands, parts, time_limit)
        finally:
            self._done.set()

    def _solve(self, ix, cands, parts, time_limit) -> None:
        started = time.monotonic()
        wholes = components(ix, cands)
        if parts is None:
            total = ix.previous_outside * ix.weights.change + idle_fairness(ix, wholes)
        else:
            cut_slots = {i for part in parts if part.linked for i in part.slots}
            wholes = [w for w in wholes if w.slots[0] in cut_slots]
            total = 0.0
        guide: set[tuple[int, int, int]] = set()
        reduced: dict[tuple[int, int, int], float] = {}
        for whole in wholes:
            pm = build_part(ix, whole.slots, whole.triples)
            relaxed = lp_relaxation(pm.model.proto, time_limit - (time.monotonic() - started),
                                    with_columns=self._want_guide)
            if relaxed is None:
                return
            total += pm.unscale(relaxed.value)
            if self._want_guide:
                scale = pm.costs.scale
                for key, var in pm.v.x.items():
                    r = relaxed.reduced_costs[var.index] / scale
                    reduced[key] = r
                    if relaxed.values[var.index] > USED:
                        guide.add(key)
        self.seconds = time.monotonic() - started
        if self._want_guide:
            self.guide, self.reduced = guide, reduced
        self.value = total

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def result(self, wait: float) -> float | None:
        self._done.wait(timeout=max(0.0, wait))
        return self.value

    def fixable(self, incumbent: float) -> int:
        """How many columns reduced-cost fixing rules out of any roster better than
        `incumbent`: reduced cost above incumbent minus the LP bound."""
        if self.value is None:
            return 0
        room = incumbent - self.value
        return sum(1 for r in self.reduced.values() if r > room)
