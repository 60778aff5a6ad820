"""Who may hold which demand line, decided before any CP-SAT variable exists.

Rules 2, 3, 4 and 12, and the parts of 6 and 7 that one assignment can break on its own
(a slot longer than `max_hours`, `max_slots_per_day` of 0), depend on one (person, slot,
line) alone, so they are enforced here by never making a variable for a pair that breaks
them. The model then only needs the rules that tie assignments together.

At city scale there are far too many eligible people per line for a variable each, so
with `k` set each line keeps only its `k` cheapest eligible people plus every person in
`keep`: the site's standing advisers, the `previous` and `pinned` people and the warm
start's choices. "Cheapest" is by km, as the issue asks, but net of the fairness saving
a person under target brings (`optimistic_cost`): in real weeks fairness outweighs a
few km, and a pure km cut dropped exactly the people the objective wanted. People are
found ring by ring in a spatial grid, never by scanning the city. Whether that
dropped anyone is recorded, because then the CP-SAT bound holds only for the smaller
problem.
"""
from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

from solver.geo import GridIndex, km
from solver.model.index import ProblemIndex
from solver.rules import RULES

# The search for a line's k cheapest stops after this many times k eligible people.
EXAMINE = 8

# The rules one person can break on one line alone, in the order they are tested (6 and 7
# only by a slot longer than max_hours, or max_slots_per_day 0).
STATIC_RULES = (2, 3, 12, 4, 6, 7)
STATIC_BLOCKERS = tuple(RULES[n].blocker for n in STATIC_RULES)


def static_blocker(ix: ProblemIndex, j: int, i: int, l: int) -> str | None:
    """The first rule that forbids person `j` on line `l` of slot `i` whatever else is
    assigned, as its blocker code (one of STATIC_BLOCKERS, see solver.rules), or None
    when the person is eligible."""
    return next(static_blockers(ix, j, i, l), None)


def static_blockers(ix: ProblemIndex, j: int, i: int, l: int):
    """Every such rule, in the order of STATIC_RULES (a coordinator is told them all)."""
    p, s = ix.people[j], ix.slots[i]
    d = s.demand[l]
    if p.roles.isdisjoint(d.roles):
        yield RULES[2].blocker
    if not d.skills <= p.skills:
        yield RULES[3].blocker
    if s.site in p.excluded_sites:
        yield RULES[12].blocker
    if not ix.available(j, i):
        yield RULES[4].blocker
    if ix.duration[i] > ix.max_seconds(j):
        yield RULES[6].blocker
    if p.max_slots_per_day is not None and p.max_slots_per_day < 1:
        yield RULES[7].blocker


def eligible_if_available(ix: ProblemIndex, j: int, i: int, l: int) -> bool:
    """static_blocker(...) is None, for someone known to be available then."""
    p, s = ix.people[j], ix.slots[i]
    d = s.demand[l]
    return (not p.roles.isdisjoint(d.roles) and d.skills <= p.skills
            and s.site not in p.excluded_sites and ix.duration[i] <= ix.max_seconds(j)
            and (p.max_slots_per_day is None or p.max_slots_per_day >= 1))


@dataclass
class Candidates:
    """Eligible people per (slot, line), each list nearest first."""

    by_line: dict[tuple[int, int], list[int]]
    k: int | None
    # Lines where eligible people may have been left out by `k`.
    pruned_lines: int = 0
    eligible_kept: int = 0

    @property
    def pruned(self) -> bool:
        return self.pruned_lines > 0

    def triples(self):
        for (i, l), people in self.by_line.items():
            for j in people:
                yield i, l, j


class RoleGrids:
    """One spatial grid of people per role, so a rare role is found without wading
    through everyone else; over everyone, or only over `people`."""

    def __init__(self, ix: ProblemIndex, people=None, cell_deg: float = 0.05) -> None:
        by_role: dict[str, list[int]] = defaultdict(list)
        for j in range(len(ix.people)) if people is None else people:
            for role in ix.people[j].roles:
                by_role[role].append(j)
        self.by_role = by_role
        self.grids = {role: GridIndex(((ix.people[j].lat, ix.people[j].lon, j) for j in people),
                                      cell_deg=cell_deg)
                      for role, people in by_role.items()}

    def rings(self, roles, lat: float, lon: float):
        """Rings of people holding any of `roles`, as (min_km, people); a person with two
        of the roles can appear twice."""
        iters = [self.grids[r].rings(lat, lon) for r in sorted(roles) if r in self.grids]
        for ring in itertools.zip_longest(*iters, fillvalue=(math.inf, [])):
            yield min(b for b, _ in ring), [j for _, people in ring for j in people]


class AvailableGrids:
    """RoleGrids over the people available (rule 4) for a slot's exact time, built once
    per distinct (start, end): a city week has a few dozen distinct times but thousands
    of slots, and most people are not available at any given one. People with a fairness
    target get grids of their own: they may be worth fetching from much farther away."""

    def __init__(self, ix: ProblemIndex) -> None:
        self.ix = ix
        self._grids: dict[tuple[float, float], tuple[RoleGrids, RoleGrids]] = {}
        self._free = self._available_by_window()

    def _available_by_window(self) -> dict[tuple[float, float], list[int]]:
        """Window (start, end) -> people available for it by rule 4, found per person
        from their own intervals (windows sorted by start) rather than by testing every
        person against every window."""
        ix = self.ix
        windows = sorted({(ix.start[i], ix.end[i]) for i in range(len(ix.slots))})
        starts = [w[0] for w in windows]
        out: dict[tuple[float, float], list[int]] = {w: [] for w in windows}
        for j in range(len(ix.people)):
            spans = ix.availability[j]
            if spans is None:
                fits = windows
            else:
                fits = set()
                for a, b in spans:
                    for w in windows[bisect.bisect_left(starts, a):]:
                        if w[0] >= b:
                            break
                        if w[1] <= b:
                            fits.add(w)
            blocked = ix.unavailability[j]
            for w in fits:
                if not any(max(u, w[0]) < min(v, w[1]) for u, v in blocked):
                    out[w].append(j)
        return out

    def for_slot(self, i: int) -> tuple[RoleGrids, RoleGrids]:
        """(grids of those without a target, grids of those with one)."""
        ix = self.ix
        key = (ix.start[i], ix.end[i])
        grids = self._grids.get(key)
        if grids is None:
            free = sorted(self._free[key])
            aimed = [j for j in free if ix.people[j].target_hours]
            plain = [j for j in free if not ix.people[j].target_hours]
            # Fine cells: the available are dense in town, and the search stops early.
            grids = self._grids[key] = (RoleGrids(ix, plain, cell_deg=0.01),
                                        RoleGrids(ix, aimed, cell_deg=0.01))
        return grids


def optimistic_cost(ix: ProblemIndex, j: int, i: int, l: int) -> float:
    """A lower estimate of what putting person j on line (i, l) adds to the objective:
    the fixed costs (km, unpaired, undesired) minus the most it could save on fairness
    (the slot's hours, up to the person's target). Filling the place saves the same
    whoever fills it, so it does not rank people."""
    w, s, p = ix.weights, ix.slots[i], ix.people[j]
    site = ix.sites[s.site]
    # Not ix.km: its cache would hold millions of pairs that are looked at only once.
    cost = km(p.lat, p.lon, site.lat, site.lon) * w.km
    if ix.unpaired(i, l, j):
        cost += w.unpaired
    if ix.undesired(j, i):
        cost += w.undesired
    target = p.target_hours
    if target is not None:
        cost -= w.fairness * min(ix.duration[i] / 3600.0, target)
    return cost


def cost_rings(ix: ProblemIndex, grids: AvailableGrids, i: int, l: int):
    """People available for slot `i` holding a role of line `l`, ring by ring outwards from
    its site, as (least cost, people): a ring's least km cost, less the largest fairness
    saving (the slot's hours at the fairness weight) for people with a target. The least
    costs never decrease, so a search can stop at the first ring that costs too much."""
    site = ix.sites[ix.slots[i].site]
    w = ix.weights
    roles = ix.slots[i].demand[l].roles
    rebate = w.fairness * ix.duration[i] / 3600.0
    plain, aimed = grids.for_slot(i)
    return heapq.merge(
        ((b * w.km, people) for b, people in plain.rings(roles, site.lat, site.lon)),
        ((b * w.km - rebate, people) for b, people in aimed.rings(roles, site.lat, site.lon)),
        key=lambda ring: ring[0])


def _cheapest_eligible(ix: ProblemIndex, grids: AvailableGrids, i: int, l: int, k: int):
    """Up to `k` eligible people for line (i, l) of least optimistic cost, and whether
    an eligible person may have been left out. People come ring by ring outwards, in the
    order of the least cost a ring can hold: its distance, less the largest fairness
    saving for the rings of people with a target."""
    rings = cost_rings(ix, grids, i, l)
    seen: set[int] = set()
    best: list[tuple[float, int]] = []  # a max-heap on cost, by negation
    eligible = 0
    for least, people in rings:
        if len(best) >= k and (least > -best[0][0] or eligible >= EXAMINE * k):
            # Everyone still to come costs more than all we hold (or we have looked at
            # enough: the order of the rings already favours the cheap); some may be
            # eligible.
            return [-j for _, j in sorted(best, reverse=True)], True
        for j in people:
            if j in seen or not eligible_if_available(ix, j, i, l):
                continue
            seen.add(j)
            eligible += 1
            item = (-optimistic_cost(ix, j, i, l), -j)
            if len(best) < k:
                heapq.heappush(best, item)
            elif item > best[0]:
                heapq.heapreplace(best, item)
    return [-j for _, j in sorted(best, reverse=True)], eligible > k


def _all_eligible(ix: ProblemIndex, grids: RoleGrids, i: int, l: int) -> list[int]:
    d = ix.slots[i].demand[l]
    pool = set().union(*(grids.by_role.get(r, ()) for r in d.roles)) if d.roles else set()
    return sorted((j for j in pool if static_blocker(ix, j, i, l) is None),
                  key=lambda j: (optimistic_cost(ix, j, i, l), j))


def build_candidates(ix: ProblemIndex, k: int | None = None, keep=(),
                     grids: RoleGrids | None = None) -> Candidates:
    """Eligible people per line; with `k`, the `k` cheapest (see optimistic_cost) plus
    the lines' advisers and every (slot, line, person) in `keep` that is eligible."""
    grids = grids or RoleGrids(ix)
    available = AvailableGrids(ix)
    must: dict[tuple[int, int], set[int]] = defaultdict(set)
    for i, l, j in keep:
        must[(i, l)].add(j)
    by_line: dict[tuple[int, int], list[int]] = {}
    pruned_lines = 0
    for i, s in enumerate(ix.slots):
        advisers = ix.paired_people.get(s.site, ())
        for l in range(len(s.demand)):
            if k is None:
                people = _all_eligible(ix, grids, i, l)
            else:
                people, dropped = _cheapest_eligible(ix, available, i, l, k)
                pruned_lines += dropped
                extra = (must.get((i, l), set()) | set(advisers)) - set(people)
                people += sorted(j for j in extra if static_blocker(ix, j, i, l) is None)
            if people:
                by_line[(i, l)] = people
    total = sum(len(v) for v in by_line.values())
    return Candidates(by_line=by_line, k=k, pruned_lines=pruned_lines, eligible_kept=total)
