"""A greedy roster: the benchmark baseline and the CP-SAT warm start.

It works like a careful coordinator with a spreadsheet. Pinned assignments go in first.
Then slots are taken by priority (high first) and start time; within a slot the lines whose
roles are rarest go first, and each place goes to the cheapest person who may take it under
every hard rule. Cheapest is the objective's own price of that one assignment: the site's
paired adviser first (no `unpaired` cost), keeping last week's person (no `change` cost),
then the nearest (`km`), avoiding undesired times and preferring people still short of their
target hours (`fairness`); ties go to the least loaded. Trainees are placed only once a
supervisor is on the slot. Of a `choice` group it staffs at most one
slot: it tries each in order of `choice_cost` then start and keeps the cheapest result.

Then, like the coordinator who phones round ("could you take Tuesday so Li can do
Wednesday?"), it tries for each open place to move a nearby busy person there and refill
the place they leave with someone free.

People are bucketed by role and day on a grid and searched outwards from the site, so a
city of 25,000 people does not mean scanning 25,000 rows per place.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from solver.geo import GridIndex
from solver.greedy_state import EPS, PersonState, RosterState, SlotState
from solver.problem import Assignment, Problem, Slot

# How many busy people the repair asks per open place before it gives up on it, and how
# many people it looks at in all (in a scarce week most nearby people are simply away).
_REPAIR_ASKS = 12
_REPAIR_LOOKS = 300
# How many people it looks at to refill the place a moved person leaves.
_REFILL_LOOKS = 1000
# Grid cells of about 2 km: dense towns are searched a few streets at a time.
_CELL_DEG = 0.02


class _Greedy(RosterState):
    """The search, the filling order, the choice groups and the repair."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self._grids: dict[tuple[str, date, frozenset[str]], GridIndex[int]] = {}
        self._holder_counts: dict[tuple[frozenset[str], frozenset[str]], int] = {}
        # Places the repair found nobody to refill, until a move changes who is free.
        self._no_refill: set[tuple[int, int]] = set()

    # ------------------------------------------------------------------------ searching

    def _day_span(self, day: date) -> tuple[float, float]:
        """Epoch seconds of the local calendar day in the problem's zone."""
        begin = datetime.combine(day, time(), self.zone)
        end = datetime.combine(day + timedelta(days=1), time(), self.zone)
        return begin.timestamp(), end.timestamp()

    def _grid(self, role: str, day: date, skills: frozenset[str]) -> GridIndex[int]:
        """Holders of `role` and `skills` who may be available on `day`, by place."""
        key = (role, day, skills)
        grid = self._grids.get(key)
        if grid is None:
            day_start, day_end = self._day_span(day)
            points = []
            for i in self.by_role.get(role, ()):
                ps = self.people[i]
                if not skills <= ps.p.skills:
                    continue
                if ps.avail is None or any(a < day_end and day_start < b for a, b in ps.avail):
                    points.append((ps.p.lat, ps.p.lon, i))
            grid = self._grids[key] = GridIndex(points, _CELL_DEG)
        return grid

    def _rings(self, st: SlotState, k: int, trainees: bool,
               supervisors_only: bool = False) -> Iterator[tuple[float, list[int]]]:
        """(bound km, people) ring by ring over the roles of line k, nearest first. Without a
        supervisor on the slot, people who hold only the trainee role cannot come in."""
        line = st.s.demand[k]
        roles = line.roles
        if not (trainees and st.supervisors):
            roles = roles - {self.rules.trainee_role}
        if supervisors_only:
            # Everyone holding the supervisor role; fits_alone keeps those with a line role.
            roles = frozenset([self.rules.supervisor_role])
        # Sorted roles: set order changes with the string hash seed, and so would the result.
        iters = [self._grid(role, st.day, line.skills).rings(st.lat, st.lon)
                 for role in sorted(roles)]
        # Merged by bound, so the bounds stay non-decreasing and each holds for its people.
        return heapq.merge(*iters, key=lambda ring: ring[0])

    def _best(self, st: SlotState, k: int, need: int, trainees: bool,
              look: int | None = None, supervisors_only: bool = False) -> list[tuple]:
        """The `need` cheapest people who may take line k now, cheapest first, as
        (cost, km, load, person index); with `look`, among about that many nearest only."""
        worst_first: list[tuple] = []  # negated keys: a min-heap whose top is the worst kept
        seen: set[int] = set(st.held)

        def consider(i: int) -> None:
            ps = self.people[i]
            if ps.used_s + st.secs > ps.max_s + EPS or not ps.is_free(st.start, st.end):
                return
            if supervisors_only and self.rules.supervisor_role not in ps.p.roles:
                return
            if len(worst_first) < need:
                if self.may_take(ps, st, k, trainees):
                    cost, dist = self.price(ps, st, k)
                    heapq.heappush(worst_first, _negate((cost, dist, ps.used_s, i)))
                return
            # Full: the price may rule a person out before the dearer checks.
            cost, dist = self.price(ps, st, k)
            key = (cost, dist, ps.used_s, i)
            if key < _negate(worst_first[0]) and self.may_take(ps, st, k, trainees):
                heapq.heapreplace(worst_first, _negate(key))

        # Paired advisers and last week's people can be priced below the ring bound.
        for i in (*self.paired_at.get(st.s.site, ()), *self.previous_at.get(st.s.id, ())):
            if i not in seen:
                seen.add(i)
                consider(i)
        floor = self.w.unpaired if st.pairable[k] else 0.0
        for bound, found in self._rings(st, k, trainees, supervisors_only):
            if len(worst_first) == need and (
                    _negate(worst_first[0])[:2] <= (self.w.km * bound + floor, bound)):
                break
            if look is not None and len(seen) > look:
                break
            for i in found:
                if i not in seen:
                    seen.add(i)
                    consider(i)
        return sorted(_negate(item) for item in worst_first)

    # ------------------------------------------------------------------------- filling

    def _holders(self, roles: frozenset[str], skills: frozenset[str]) -> int:
        key = (roles, skills)
        count = self._holder_counts.get(key)
        if count is None:
            people = {i for r in roles for i in self.by_role.get(r, ())}
            count = sum(1 for i in people if skills <= self.people[i].p.skills)
            self._holder_counts[key] = count
        return count

    def _line_order(self, s: Slot) -> list[int]:
        """Lines that fewest people could hold first, so a versatile person is not spent on
        a line that anyone could take."""
        return sorted(range(len(s.demand)), key=lambda k: (
            self._holders(s.demand[k].roles, s.demand[k].skills), k))

    def fill(self, st: SlotState) -> None:
        s = st.s
        order = self._line_order(s)
        if not self.supervised(st):
            # A pinned trainee waits for a supervisor: find one before anyone else comes in.
            for k in order:
                if st.filled[k] < s.demand[k].count:
                    found = self._best(st, k, 1, False, supervisors_only=True)
                    for cost, _, _, i in found:
                        self.add(Assignment(slot=s.id, person=self.people[i].p.id, line=k), cost)
                    if found:
                        break
        for trainees in (False, True):
            for k in order:
                need = s.demand[k].count - st.filled[k]
                if need > 0:
                    for cost, _, _, i in self._best(st, k, need, trainees):
                        self.add(Assignment(slot=s.id, person=self.people[i].p.id, line=k), cost)

    def open_cost(self, st: SlotState) -> float:
        return sum((line.count - st.filled[k]) * self.w.unfilled * st.s.priority
                   for k, line in enumerate(st.s.demand))

    def fill_choice(self, members: list[SlotState]) -> None:
        """Staff at most one slot of a choice group: the one whose result costs least."""
        first_in_file = min(members, key=lambda m: m.index)
        best_cost, best = self.open_cost(first_in_file), None
        for m in sorted(members, key=lambda m: (m.s.choice_cost, m.start, m.index)):
            mark, before = len(self.chosen), self.total
            self.fill(m)
            if len(self.chosen) > mark:
                cost = self.open_cost(m) + m.s.choice_cost + self.total - before
                if cost < best_cost - EPS:
                    best_cost, best = cost, m
            self.undo_to(mark)
        if best is not None:
            self.fill(best)

    # -------------------------------------------------------------------------- repair

    def repair(self, order: list[SlotState]) -> None:
        for st in order:
            if st.s.choice is not None and not st.held:
                continue  # an alternative time that was not chosen
            for k in self._line_order(st.s):
                while st.filled[k] < st.s.demand[k].count and self._move_one(st, k):
                    pass

    def _move_one(self, st: SlotState, k: int) -> bool:
        """Fill one open place of line k by moving a nearby busy person here and refilling
        the place they leave (or leaving it open when it matters less)."""
        asked = 0
        seen = set(st.held)
        for _, found in self._rings(st, k, True):
            for i in found:
                if i in seen:
                    continue
                seen.add(i)
                if len(seen) > _REPAIR_LOOKS:
                    return False
                ps = self.people[i]
                if not self.fits_alone(ps, st, k):
                    continue
                if self.fits_with_held(ps, st, k, True):
                    self.add(Assignment(st.s.id, ps.p.id, k), self.price(ps, st, k)[0])
                    return True
                if any(self._swap(ps, self.slots[j], line, st, k) for j, line in list(ps.holds)):
                    return True
                asked += 1
                if asked >= _REPAIR_ASKS:
                    return False
        return False

    def _swap(self, ps: PersonState, st2: SlotState, k2: int, st: SlotState, k: int) -> bool:
        """Move `ps` from line k2 of st2 to line k of st, refilling st2 if anyone can."""
        old = Assignment(st2.s.id, ps.p.id, k2)
        if old in self.pinned or st2 is st:
            return False
        if (st2.index, k2) in self._no_refill and st.s.priority <= st2.s.priority:
            return False
        filled_before = st2.filled[k2]
        old_cost = self.remove(old)
        mark = len(self.chosen)
        if self.fits_with_held(ps, st, k, True):
            self.add(Assignment(st.s.id, ps.p.id, k), self.price(ps, st, k)[0])
            for cost, _, _, j in self._best(st2, k2, 1, True, look=_REFILL_LOOKS):
                self.add(Assignment(st2.s.id, self.people[j].p.id, k2), cost)
            if st2.filled[k2] < filled_before:
                self._no_refill.add((st2.index, k2))
            gained = st2.filled[k2] == filled_before or st.s.priority > st2.s.priority
            # Emptying a chosen alternative would change which slot of the group counts.
            still_chosen = st2.s.choice is None or bool(st2.held)
            if gained and still_chosen and self.supervised(st2):
                # Two people moved: places that nobody could refill before might be refillable.
                self._no_refill.clear()
                return True
            self.undo_to(mark)
        self.add(old, old_cost)
        return False

    # ----------------------------------------------------------------------------- run

    def run(self) -> tuple[Assignment, ...]:
        for a in self.problem.pinned:
            self.add(a)
        groups: dict[str, list[SlotState]] = defaultdict(list)
        for st in self.slots:
            if st.s.choice is not None:
                groups[st.s.choice].append(st)
        pinned_slots = {a.slot for a in self.problem.pinned}
        order = sorted(self.slots, key=lambda st: (
            self.supervised(st), -st.s.priority, st.start, st.index))
        done: set[str] = set()
        for st in order:
            choice = st.s.choice
            if choice is None:
                self.fill(st)
            elif choice not in done:
                done.add(choice)
                fixed = [m for m in groups[choice] if m.s.id in pinned_slots]
                for m in fixed:
                    self.fill(m)
                if not fixed:
                    self.fill_choice(groups[choice])
        self.repair(order)
        return tuple(self.chosen)


def _negate(key: tuple) -> tuple:
    return tuple(-x for x in key)


def greedy(problem: Problem) -> tuple[Assignment, ...]:
    """Pinned assignments first, then a feasible greedy fill (see the module docstring)."""
    return _Greedy(problem).run()
