"""A lower bound of the whole problem when the full model is far too big to build (a city
week): a Lagrangian bound of an LP relaxation, priced over every eligible column.

The relaxation R. Variables in [0, ub]: x per (slot, line, person) column, `gap` per line
outside choice groups (places left open), `z` per slot of a choice group (staffed) and
`none` per group, `dev` per person with a target (hours off target). Rows: a line's gap and
assignments add up to its count; a choice slot's line holds at most count x z; a group has
a staffed slot or none, and at most one staffed slot; a person holds at most one column
covering any slot start (rules 5 and 8 without travel); their hours stay within max_hours
(rule 6); dev is at least the load above and below the target. Costs are the spec's, exact.
Every roster is a point of R with the same cost (rules 7, 10, 11 and travel are left out,
which only relaxes), so any lower bound of R is one of the problem.

The bound. For any multipliers y of R's rows (y >= 0 where a row's lower end binds, <= 0 at
its upper end, 0 where that end is infinite), Lagrangian duality gives

    L(y) = sum over rows of (y+ x lo + y- x hi) + sum over variables of ub x min(0, rc),
    rc = cost - sum over rows of y x coefficient,

a lower bound of R. y comes from GLOP's optimum of R restricted to the columns at hand; L is
then computed exactly over every variable, including every eligible column that is not in
the LP, so the bound holds whatever GLOP's tolerances. Eligible columns are not listed one by
one: a missing column's reduced cost is at least km x w_km - y(line)+ - w_fairness x hours
- change credit of its slot, so people are visited ring by ring outwards from the site
(`solver.candidates.cost_rings`, the same order as pruning) and the search stops once a ring
cannot hold a negative reduced cost. Columns with negative reduced cost are added and the LP
solved again (column generation), while time lasts; the best L so far is the bound.
"""
from __future__ import annotations

import bisect
import itertools
import math
import time

from ortools.linear_solver import pywraplp

from solver.candidates import AvailableGrids, cost_rings, eligible_if_available, static_blocker
from solver.geo import km
from solver.model.chords import person_chords
from solver.model.costs import time_unit
from solver.model.index import ProblemIndex

ADD_PER_ROUND = 100_000
# The first round only gathers columns (its bound, from the k cheapest alone, is far too
# weak to use): each line stops after this many with a negative reduced cost, cheapest
# rings first. Later rounds price every column, so their bounds hold.
FIRST_ROUND_PER_LINE = 40
EPS = 1e-9
# Column generation stops once a round raises the bound by less than this share: the cores
# are worth more to CP-SAT then (on a city week the last four rounds added 0.06%).
SETTLED = 1e-4


class RelaxedWeek:
    """R for one problem (see the module docstring): row bounds, the variables other than
    the columns, and the rows and cost of any column."""

    def __init__(self, ix: ProblemIndex, chords: bool = True) -> None:
        self.ix = ix
        self.with_chords = chords
        w = ix.weights
        self.starts = sorted({ix.start[i] for i in range(len(ix.slots))})
        self.rows: dict[tuple, tuple[float, float]] = {}
        self.constant = (ix.previous_outside + sum(n for pairs in ix.previous_by_slot.values()
                                                    for _, n in pairs)) * w.change
        self.prev = {(i, j): n for i, pairs in ix.previous_by_slot.items() for j, n in pairs if j is not None}
        self.prev_max = {i: max(n for _, n in pairs) * w.change for i, pairs in ix.previous_by_slot.items()}
        # Other variables: (cost, upper bound, [(row, coefficient)]).
        self.others: list[tuple[float, float, list]] = []
        for i, s in enumerate(ix.slots):
            if s.choice is None:
                for l, d in enumerate(s.demand):
                    self.rows[("line", i, l)] = (d.count, d.count)
                    self.others.append((w.unfilled * s.priority, d.count, [(("line", i, l), 1.0)]))
        for g, group in ix.choice_groups.items():
            first = ix.slots[group[0]]
            self.rows[("any", g)] = (1.0, math.inf)
            self.rows[("one", g)] = (-math.inf, 1.0)
            self.others.append((w.unfilled * first.priority * sum(d.count for d in first.demand), 1.0,
                                [(("any", g), 1.0)]))
            for i in group:
                s = ix.slots[i]
                rows = [(("any", g), 1.0), (("one", g), 1.0)]
                for l, d in enumerate(s.demand):
                    self.rows[("cap", i, l)] = (-math.inf, 0.0)
                    rows.append((("cap", i, l), -float(d.count)))
                cost = w.unfilled * s.priority * sum(d.count for d in s.demand) + s.choice_cost
                self.others.append((cost, 1.0, rows))
        # The fairness chord as dev - slope x load >= constant (hours; see solver.model.chords).
        self.chords: dict[int, float] = {}
        unit = time_unit(ix, range(len(ix.slots)), range(len(ix.people)))
        for j, ((a, fa), (b, fb)) in (person_chords(ix, unit) if chords else {}).items():
            slope = (fb - fa) / (b - a)
            self.chords[j] = slope
            self.rows[("chord", j)] = ((fa - slope * a) * unit / 3600.0, math.inf)
        for j, p in enumerate(ix.people):
            if p.target_hours is not None:
                t = p.target_hours
                self.rows[("above", j)] = (-t, math.inf)
                self.rows[("below", j)] = (t, math.inf)
                top = max(t, p.max_hours - t) if math.isfinite(p.max_hours) else math.inf
                rows = [(("above", j), 1.0), (("below", j), 1.0)]
                if j in self.chords:
                    rows.append((("chord", j), 1.0))
                self.others.append((w.fairness, top, rows))

    def column(self, i: int, l: int, j: int) -> tuple[float, list]:
        """The cost and the (row, coefficient) list of column (slot i, line l, person j)."""
        ix, w = self.ix, self.ix.weights
        s, p = ix.slots[i], ix.people[j]
        cost = ix.km(j, s.site) * w.km - self.prev.get((i, j), 0) * w.change
        if ix.unpaired(i, l, j):
            cost += w.unpaired
        if ix.undesired(j, i):
            cost += w.undesired
        rows = []
        if s.choice is None:
            rows.append((("line", i, l), 1.0))
        else:
            cost -= w.unfilled * s.priority
            rows.append((("cap", i, l), 1.0))
        hours = ix.duration[i] / 3600.0
        if ix.duration[i] > 0:
            lo = bisect.bisect_left(self.starts, ix.start[i])
            hi = bisect.bisect_left(self.starts, ix.end[i])
            for k in range(lo, hi):
                rows.append((("at", j, k), 1.0))
                self.rows.setdefault(("at", j, k), (-math.inf, 1.0))
        if math.isfinite(p.max_hours):
            rows.append((("hours", j), hours))
            self.rows.setdefault(("hours", j), (-math.inf, p.max_hours))
        if p.target_hours is not None:
            rows += [(("above", j), -hours), (("below", j), hours)]
        if j in self.chords:
            rows.append((("chord", j), -self.chords[j] * hours))
        return cost, rows


class RestrictedLp:
    """R over the columns added so far (and every other variable), kept in one GLOP
    solver: columns added between solves extend the model, so GLOP can start again from its
    last basis instead of from nothing."""

    def __init__(self, week: RelaxedWeek) -> None:
        self.week = week
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.rows: dict[tuple, object] = {}
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        for cost, ub, coefs in week.others:
            self._var(cost, ub, coefs)

    def _var(self, cost: float, ub: float, coefs) -> None:
        lp = self.lp
        var = lp.NumVar(0.0, ub if ub < math.inf else lp.infinity(), "")
        self.objective.SetCoefficient(var, cost)
        for key, a in coefs:
            c = self.rows.get(key)
            if c is None:
                lo, hi = self.week.rows[key]
                c = self.rows[key] = lp.Constraint(lo if lo > -math.inf else -lp.infinity(),
                                                   hi if hi < math.inf else lp.infinity())
            c.SetCoefficient(var, c.GetCoefficient(var) + a)

    def add(self, columns) -> None:
        for key in columns:
            cost, coefs = self.week.column(*key)
            self._var(cost, 1.0, coefs)

    def solve(self, time_limit: float) -> dict | None:
        """The row duals at GLOP's optimum, clipped to the signs the Lagrangian needs, or
        None if not proven in time."""
        self.lp.SetTimeLimit(max(1, int(time_limit * 1000)))
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        week = self.week
        fairness = week.ix.weights.fairness
        duals = {}
        for key, c in self.rows.items():
            lo, hi = week.rows[key]
            y = c.dual_value()
            y = max(0.0, y) if hi == math.inf else min(0.0, y) if lo == -math.inf else y
            if key[0] == "below":
                y = min(y, fairness)  # keeps the ring search's stopping rule valid
            duals[key] = y
        # dev's reduced cost stays >= 0, so an unbounded dev never sends L to -infinity.
        for key in [k for k in duals if k[0] == "above"]:
            duals[key] = min(duals[key], max(0.0, fairness - duals.get(("below", key[1]), 0.0)))
        # The chord's too, and then a column's credit from the fairness rows is at most
        # fairness x hours (its slope is within [-1, 1]), as the ring search assumes.
        for key in [k for k in duals if k[0] == "chord"]:
            used = duals.get(("below", key[1]), 0.0) + duals.get(("above", key[1]), 0.0)
            duals[key] = min(duals[key], max(0.0, fairness - used))
        return duals


def lagrangian(week: RelaxedWeek, duals: dict, columns, missing) -> float:
    """L(y) over R's rows, the other variables, `columns` and `missing` (every eligible
    column not in `columns` whose reduced cost may be negative; see `price`)."""
    total = week.constant
    for key, y in duals.items():
        lo, hi = week.rows[key]
        total += y * (lo if y > 0 else hi) if y else 0.0
    for cost, ub, coefs in week.others:
        rc = cost - sum(duals.get(k, 0.0) * a for k, a in coefs)
        if rc < 0:
            total += rc * ub  # ub is finite for every variable with a cost that can go negative
    for key in columns:
        total += min(0.0, reduced_cost(week, duals, *key))
    total += sum(min(0.0, rc) for rc, _ in missing)
    return total


def reduced_cost(week: RelaxedWeek, duals: dict, i: int, l: int, j: int) -> float:
    cost, coefs = week.column(i, l, j)
    return cost - sum(duals.get(k, 0.0) * a for k, a in coefs)


def price(week: RelaxedWeek, grids: AvailableGrids, duals: dict, columns: set,
          deadline: float, per_line: int | None = None) -> list[tuple[float, tuple]] | None:
    """Every eligible column outside `columns` with a negative reduced cost, as (rc, key);
    None if the deadline came first (then nothing can be said of the rest). `per_line`:
    at most this many per line, the first found (then the list is not complete)."""
    ix = week.ix
    out = []
    for i, s in enumerate(ix.slots):
        if time.monotonic() > deadline:
            return None
        for l in range(len(s.demand)):
            found = _price_line(week, grids, duals, columns, i, l)
            out.extend(found if per_line is None else itertools.islice(found, per_line))
    return sorted(out)


def _price_line(week: RelaxedWeek, grids: AvailableGrids, duals: dict, columns: set, i: int, l: int):
    """`price` for one line: people ring by ring until none can have a negative reduced
    cost. Cheap tests first (km, then eligibility), the exact reduced cost last."""
    ix, w = week.ix, week.ix.weights
    s = ix.slots[i]
    site = ix.sites[s.site]
    hours = ix.duration[i] / 3600.0
    if s.choice is None:  # the line row's y, subtracted from every column of the line
        line_part = -duals.get(("line", i, l), 0.0)
    else:  # the column's cost has -unfilled x priority; the cap row's y is <= 0
        line_part = -w.unfilled * s.priority - duals.get(("cap", i, l), 0.0)
    if (i, l) in ix.pairable:
        # The site's advisers are columns already (priced_bound adds them), so whoever is
        # missing pays `unpaired` here.
        line_part += w.unpaired
    credit = week.prev_max.get(i, 0.0)
    reach = max(0.0, -line_part) + credit + EPS
    rebate = w.fairness * hours
    instants = (range(bisect.bisect_left(week.starts, ix.start[i]), bisect.bisect_left(week.starts, ix.end[i]))
                if ix.duration[i] > 0 else range(0))
    seen: set[int] = set()
    for least, people in cost_rings(ix, grids, i, l):
        if least > reach:
            break
        for j in people:
            if j in seen or (i, l, j) in columns:
                continue
            seen.add(j)
            p = ix.people[j]
            distance = km(p.lat, p.lon, site.lat, site.lon) * w.km
            aimed = p.target_hours is not None
            if distance + line_part - credit - (rebate if aimed else 0.0) >= -EPS:
                continue  # even the largest savings leave its reduced cost >= 0
            if not eligible_if_available(ix, j, i, l):
                continue
            rc = distance + line_part - week.prev.get((i, j), 0) * w.change
            if ix.undesired(j, i):
                rc += w.undesired
            rc -= sum(duals.get(("at", j, k), 0.0) for k in instants)
            rc -= duals.get(("hours", j), 0.0) * hours
            if aimed:
                rc += (duals.get(("above", j), 0.0) - duals.get(("below", j), 0.0)) * hours
                rc += duals.get(("chord", j), 0.0) * week.chords.get(j, 0.0) * hours
            if rc < -EPS:
                yield rc, (i, l, j)


def priced_bound(ix: ProblemIndex, columns, deadline: float, stats: dict | None = None,
                 on_round=None) -> float | None:
    """The best Lagrangian bound found before `deadline` (see the module docstring), from
    R restricted to `columns` and grown by column generation; None if none was complete.

    R with the fairness chords first. On one generated scarce city week (seed 2, with the
    warm start's columns) its clipped multipliers settled on a bound below zero, where R
    without chords reaches 539,000: then, time permitting, R without chords is solved too,
    and the better bound kept (both are valid)."""
    columns = list(columns)
    best = _priced_bound(RelaxedWeek(ix), columns, deadline, stats, on_round)
    if (best is None or best <= 0.0) and time.monotonic() < deadline:
        plain = _priced_bound(RelaxedWeek(ix, chords=False), columns, deadline, stats, on_round)
        if plain is not None and (best is None or plain > best):
            best = plain
        if stats is not None:
            stats["priced_without_chords"] = 1
    return best


def _priced_bound(week: RelaxedWeek, columns, deadline: float, stats: dict | None, on_round) -> float | None:
    ix = week.ix
    grids = AvailableGrids(ix)
    columns = set(columns) | _advisers(ix)
    lp = RestrictedLp(week)
    lp.add(sorted(columns))
    best = None
    rounds = 0
    while time.monotonic() < deadline:
        duals = lp.solve(deadline - time.monotonic())
        if duals is None:
            break
        first = rounds == 0
        missing = price(week, grids, duals, columns, deadline, FIRST_ROUND_PER_LINE if first else None)
        if missing is None:
            break
        rounds += 1
        if first and missing:  # capped per line: not every negative column is listed
            _grow(lp, columns, missing)
            continue
        # Sums of many floats: keep a margin for their rounding.
        value = lagrangian(week, duals, columns, missing)
        value -= 1e-9 * max(1.0, abs(value))
        # A bound still below zero (columns missing in bulk) says nothing yet: never settled.
        settled = best is not None and best > 0 and value - best <= SETTLED * max(1.0, abs(best))
        best = value if best is None else max(best, value)
        if on_round is not None:
            on_round(best)
        if not missing or settled:
            break
        _grow(lp, columns, missing)
    if stats is not None:
        stats.update(priced_rounds=rounds, priced_columns=len(columns))
    return best


def _advisers(ix: ProblemIndex) -> set[tuple[int, int, int]]:
    """Every eligible (slot, line, adviser of the slot's site): the pricing counts on them
    being columns (see _price_line)."""
    return {(i, l, j) for i, s in enumerate(ix.slots) for j in ix.paired_people.get(s.site, ())
            for l in range(len(s.demand)) if static_blocker(ix, j, i, l) is None}


def _grow(lp: RestrictedLp, columns: set, missing) -> None:
    new = [key for _, key in missing[:ADD_PER_ROUND]]
    columns.update(new)
    lp.add(new)
