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
from zoneinfo import ZoneInfo

from solver.geo import GridIndex, TravelTable, km
from solver.problem import Assignment, Person, Problem, Slot

_EPS = 1e-6
# How many busy people the repair asks per open place before it gives up on it, and how
# many people it looks at in all (in a scarce week most nearby people are simply away).
_REPAIR_ASKS = 12
_REPAIR_LOOKS = 300
# How many people it looks at to refill the place a moved person leaves.
_REFILL_LOOKS = 1000
# Grid cells of about 2 km: dense towns are searched a few streets at a time.
_CELL_DEG = 0.02


class _PersonState:
    """One person's fixed facts in epoch seconds, and what they hold so far."""

    __slots__ = ("p", "index", "avail", "unavail", "undesired", "max_s", "used_s", "per_day",
                 "holds", "free")

    def __init__(self, p: Person, index: int) -> None:
        self.p = p
        self.index = index
        self.avail = None if p.available is None else [
            (i.start.timestamp(), i.end.timestamp()) for i in p.available]
        self.unavail = [(i.start.timestamp(), i.end.timestamp()) for i in p.unavailable]
        self.undesired = [(i.start.timestamp(), i.end.timestamp()) for i in p.undesired]
        self.max_s = p.max_hours * 3600.0
        self.used_s = 0.0
        self.per_day: dict[date, int] = defaultdict(int)
        self.holds: list[tuple[int, int]] = []  # (slot index, line)
        # Rule 4 by (start, end): many slots share their times, and scans ask again and again.
        self.free: dict[tuple[float, float], bool] = {}

    def is_free(self, start: float, end: float) -> bool:
        known = self.free.get((start, end))
        if known is None:
            known = ((self.avail is None or any(a <= start and end <= b for a, b in self.avail))
                     and not any(a < end and start < b for a, b in self.unavail))
            self.free[(start, end)] = known
        return known


class _SlotState:
    __slots__ = ("s", "index", "start", "end", "secs", "day", "lat", "lon", "pairable",
                 "filled", "held", "supervisors")

    def __init__(self, s: Slot, index: int, lat: float, lon: float) -> None:
        self.s = s
        self.index = index
        self.start, self.end = s.start.timestamp(), s.end.timestamp()
        self.secs = self.end - self.start
        self.day = s.start.date()
        self.lat, self.lon = lat, lon
        self.pairable = [False] * len(s.demand)
        self.filled = [0] * len(s.demand)
        self.held: dict[int, int] = {}  # person index -> line
        self.supervisors = 0


class _Greedy:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.zone = ZoneInfo(problem.timezone)
        self.w = problem.weights
        self.rules = problem.rules
        sites = {s.id: s for s in problem.sites}
        self.travel = TravelTable(problem.sites, problem.rules)
        self.people = [_PersonState(p, i) for i, p in enumerate(problem.people)]
        self.person_index = {p.id: i for i, p in enumerate(problem.people)}
        self.slots = [_SlotState(s, i, sites[s.site].lat, sites[s.site].lon)
                      for i, s in enumerate(problem.slots)]
        self.slot_index = {s.id: i for i, s in enumerate(problem.slots)}
        self.by_role: dict[str, list[int]] = defaultdict(list)
        self.paired_at: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(problem.people):
            for role in p.roles:
                self.by_role[role].append(i)
            for site_id in p.paired_sites:
                self.paired_at[site_id].append(i)
        self.previous: dict[tuple[str, str], int] = defaultdict(int)
        self.previous_at: dict[str, set[int]] = defaultdict(set)
        for a in problem.previous:
            self.previous[(a.slot, a.person)] += 1
            if a.person in self.person_index:
                self.previous_at[a.slot].add(self.person_index[a.person])
        for st in self.slots:
            self._mark_pairable(st)
        self.pinned = set(problem.pinned)
        self._grids: dict[tuple[str, date, frozenset[str]], GridIndex[int]] = {}
        # Insertion-ordered, so undo can pop the latest; values are each assignment's price.
        self.chosen: dict[Assignment, float] = {}
        self.total = 0.0
        self._holder_counts: dict[tuple[frozenset[str], frozenset[str]], int] = {}
        # Places the repair found nobody to refill, until a move changes who is free.
        self._no_refill: set[tuple[int, int]] = set()

    # ----------------------------------------------------------------- facts and prices

    @staticmethod
    def _holds(p: Person, roles: frozenset[str], skills: frozenset[str]) -> bool:
        return not p.roles.isdisjoint(roles) and skills <= p.skills

    def _mark_pairable(self, st: _SlotState) -> None:
        if st.s.kind != "visit":
            return
        paired = [self.people[i].p for i in self.paired_at.get(st.s.site, ())]
        for k, line in enumerate(st.s.demand):
            st.pairable[k] = any(self._holds(p, line.roles, line.skills) for p in paired)

    def _is_trainee(self, p: Person, roles: frozenset[str]) -> bool:
        trainee = self.rules.trainee_role
        return trainee in p.roles and p.roles.isdisjoint(roles - {trainee})

    def _price(self, ps: _PersonState, st: _SlotState, k: int) -> tuple[float, float]:
        """(what this one assignment adds to the objective, km). The search bound ignores
        the fairness part, so a far person short of target hours is not sought out."""
        dist = km(ps.p.lat, ps.p.lon, st.lat, st.lon)
        cost = self.w.km * dist
        if st.pairable[k] and st.s.site not in ps.p.paired_sites:
            cost += self.w.unpaired
        if any(a < st.end and st.start < b for a, b in ps.undesired):
            cost += self.w.undesired
        cost -= self.w.change * self.previous.get((st.s.id, ps.p.id), 0)
        target = ps.p.target_hours
        if target is not None:
            before = ps.used_s / 3600.0
            after = before + st.secs / 3600.0
            cost += self.w.fairness * (abs(after - target) - abs(before - target))
        return cost, dist

    def _fits_alone(self, ps: _PersonState, st: _SlotState, k: int) -> bool:
        """Rules 2, 3, 4 and 12, and a slot longer than max_hours: nothing else held matters."""
        p, line = ps.p, st.s.demand[k]
        if not self._holds(p, line.roles, line.skills) or st.s.site in p.excluded_sites:
            return False
        return st.secs <= ps.max_s + _EPS and ps.is_free(st.start, st.end)

    def _fits_with_held(self, ps: _PersonState, st: _SlotState, k: int, trainees: bool) -> bool:
        """Rules 5 to 8 and 10 against what is held so far."""
        if ps.index in st.held:
            return False
        if self._is_trainee(ps.p, st.s.demand[k].roles) and not (trainees and st.supervisors):
            return False
        if ps.used_s + st.secs > ps.max_s + _EPS:
            return False
        limit = ps.p.max_slots_per_day
        if limit is not None and ps.per_day[st.day] >= limit:
            return False
        for i, _ in ps.holds:
            other = self.slots[i]
            gap = self.travel.minutes(other.s.site, st.s.site) * 60.0
            if other.start <= st.start < other.end + gap or st.start <= other.start < st.end + gap:
                return False
        return True

    def _may_take(self, ps: _PersonState, st: _SlotState, k: int, trainees: bool) -> bool:
        return self._fits_with_held(ps, st, k, trainees) and self._fits_alone(ps, st, k)

    def _supervised(self, st: _SlotState) -> bool:
        """Rule 10 on one slot as it stands."""
        role = self.rules.supervisor_role
        supervisors = [i for i in st.held if role in self.people[i].p.roles]
        return all(not self._is_trainee(self.people[i].p, st.s.demand[k].roles)
                   or any(j != i for j in supervisors) for i, k in st.held.items())

    # ---------------------------------------------------------------- holding and undoing

    def add(self, a: Assignment, cost: float = 0.0) -> None:
        ps = self.people[self.person_index[a.person]]
        st = self.slots[self.slot_index[a.slot]]
        ps.used_s += st.secs
        ps.per_day[st.day] += 1
        ps.holds.append((st.index, a.line))
        st.filled[a.line] += 1
        st.held[ps.index] = a.line
        if self.rules.supervisor_role in ps.p.roles:
            st.supervisors += 1
        self.chosen[a] = cost
        self.total += cost

    def remove(self, a: Assignment) -> float:
        ps = self.people[self.person_index[a.person]]
        st = self.slots[self.slot_index[a.slot]]
        ps.used_s -= st.secs
        ps.per_day[st.day] -= 1
        ps.holds.remove((st.index, a.line))
        st.filled[a.line] -= 1
        del st.held[ps.index]
        if self.rules.supervisor_role in ps.p.roles:
            st.supervisors -= 1
        cost = self.chosen.pop(a)
        self.total -= cost
        return cost

    def undo_to(self, mark: int) -> None:
        while len(self.chosen) > mark:
            self.remove(next(reversed(self.chosen)))

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

    def _rings(self, st: _SlotState, k: int, trainees: bool,
               supervisors_only: bool = False) -> Iterator[tuple[float, list[int]]]:
        """(bound km, people) ring by ring over the roles of line k, nearest first. Without a
        supervisor on the slot, people who hold only the trainee role cannot come in."""
        line = st.s.demand[k]
        roles = line.roles
        if not (trainees and st.supervisors):
            roles = roles - {self.rules.trainee_role}
        if supervisors_only:
            # Everyone holding the supervisor role; _fits_alone keeps those with a line role.
            roles = frozenset([self.rules.supervisor_role])
        # Sorted roles: set order changes with the string hash seed, and so would the result.
        iters = [self._grid(role, st.day, line.skills).rings(st.lat, st.lon)
                 for role in sorted(roles)]
        # Merged by bound, so the bounds stay non-decreasing and each holds for its people.
        return heapq.merge(*iters, key=lambda ring: ring[0])

    def _best(self, st: _SlotState, k: int, need: int, trainees: bool,
              look: int | None = None, supervisors_only: bool = False) -> list[tuple]:
        """The `need` cheapest people who may take line k now, cheapest first, as
        (cost, km, load, person index); with `look`, among about that many nearest only."""
        worst_first: list[tuple] = []  # negated keys: a min-heap whose top is the worst kept
        seen: set[int] = set(st.held)

        def consider(i: int) -> None:
            ps = self.people[i]
            if ps.used_s + st.secs > ps.max_s + _EPS or not ps.is_free(st.start, st.end):
                return
            if supervisors_only and self.rules.supervisor_role not in ps.p.roles:
                return
            if len(worst_first) < need:
                if self._may_take(ps, st, k, trainees):
                    cost, dist = self._price(ps, st, k)
                    heapq.heappush(worst_first, _negate((cost, dist, ps.used_s, i)))
                return
            # Full: the price may rule a person out before the dearer checks.
            cost, dist = self._price(ps, st, k)
            key = (cost, dist, ps.used_s, i)
            if key < _negate(worst_first[0]) and self._may_take(ps, st, k, trainees):
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

    def fill(self, st: _SlotState) -> None:
        s = st.s
        order = self._line_order(s)
        if not self._supervised(st):
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

    def open_cost(self, st: _SlotState) -> float:
        return sum((line.count - st.filled[k]) * self.w.unfilled * st.s.priority
                   for k, line in enumerate(st.s.demand))

    def fill_choice(self, members: list[_SlotState]) -> None:
        """Staff at most one slot of a choice group: the one whose result costs least."""
        first_in_file = min(members, key=lambda m: m.index)
        best_cost, best = self.open_cost(first_in_file), None
        for m in sorted(members, key=lambda m: (m.s.choice_cost, m.start, m.index)):
            mark, before = len(self.chosen), self.total
            self.fill(m)
            if len(self.chosen) > mark:
                cost = self.open_cost(m) + m.s.choice_cost + self.total - before
                if cost < best_cost - _EPS:
                    best_cost, best = cost, m
            self.undo_to(mark)
        if best is not None:
            self.fill(best)

    # -------------------------------------------------------------------------- repair

    def repair(self, order: list[_SlotState]) -> None:
        for st in order:
            if st.s.choice is not None and not st.held:
                continue  # an alternative time that was not chosen
            for k in self._line_order(st.s):
                while st.filled[k] < st.s.demand[k].count and self._move_one(st, k):
                    pass

    def _move_one(self, st: _SlotState, k: int) -> bool:
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
                if not self._fits_alone(ps, st, k):
                    continue
                if self._fits_with_held(ps, st, k, True):
                    self.add(Assignment(st.s.id, ps.p.id, k), self._price(ps, st, k)[0])
                    return True
                if any(self._swap(ps, self.slots[j], line, st, k) for j, line in list(ps.holds)):
                    return True
                asked += 1
                if asked >= _REPAIR_ASKS:
                    return False
        return False

    def _swap(self, ps: _PersonState, st2: _SlotState, k2: int, st: _SlotState, k: int) -> bool:
        """Move `ps` from line k2 of st2 to line k of st, refilling st2 if anyone can."""
        old = Assignment(st2.s.id, ps.p.id, k2)
        if old in self.pinned or st2 is st:
            return False
        if (st2.index, k2) in self._no_refill and st.s.priority <= st2.s.priority:
            return False
        filled_before = st2.filled[k2]
        old_cost = self.remove(old)
        mark = len(self.chosen)
        if self._fits_with_held(ps, st, k, True):
            self.add(Assignment(st.s.id, ps.p.id, k), self._price(ps, st, k)[0])
            for cost, _, _, j in self._best(st2, k2, 1, True, look=_REFILL_LOOKS):
                self.add(Assignment(st2.s.id, self.people[j].p.id, k2), cost)
            if st2.filled[k2] < filled_before:
                self._no_refill.add((st2.index, k2))
            gained = st2.filled[k2] == filled_before or st.s.priority > st2.s.priority
            # Emptying a chosen alternative would change which slot of the group counts.
            still_chosen = st2.s.choice is None or bool(st2.held)
            if gained and still_chosen and self._supervised(st2):
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
        groups: dict[str, list[_SlotState]] = defaultdict(list)
        for st in self.slots:
            if st.s.choice is not None:
                groups[st.s.choice].append(st)
        pinned_slots = {a.slot for a in self.problem.pinned}
        order = sorted(self.slots, key=lambda st: (
            self._supervised(st), -st.s.priority, st.start, st.index))
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
