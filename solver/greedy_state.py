"""What a greedy roster holds so far, and the hard rules and prices of one more assignment.

`RosterState` keeps, per person, the hours, the slots per day and the slots held, and per
slot, who holds which line; `add`, `remove` and `undo_to` keep them in step, so strategies
can try a move and take it back. Times are epoch seconds, so arithmetic ignores wall-clock
quirks of the zone.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from solver.geo import TravelTable, km
from solver.problem import Assignment, Person, Problem, Slot
from solver.rules import is_trainee

EPS = 1e-6


class PersonState:
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


class SlotState:
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


class RosterState:
    """Pins and choices so far, with the rules to test the next one against."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.zone = ZoneInfo(problem.timezone)
        self.w = problem.weights
        self.rules = problem.rules
        sites = {s.id: s for s in problem.sites}
        self.travel = TravelTable(problem.sites, problem.rules)
        self.people = [PersonState(p, i) for i, p in enumerate(problem.people)]
        self.person_index = {p.id: i for i, p in enumerate(problem.people)}
        self.slots = [SlotState(s, i, sites[s.site].lat, sites[s.site].lon)
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
        # Insertion-ordered, so undo can pop the latest; values are each assignment's price.
        self.chosen: dict[Assignment, float] = {}
        self.total = 0.0

    # ----------------------------------------------------------------- facts and prices

    @staticmethod
    def holds_line(p: Person, roles: frozenset[str], skills: frozenset[str]) -> bool:
        return not p.roles.isdisjoint(roles) and skills <= p.skills

    def _mark_pairable(self, st: SlotState) -> None:
        if st.s.kind != "visit":
            return
        paired = [self.people[i].p for i in self.paired_at.get(st.s.site, ())]
        for k, line in enumerate(st.s.demand):
            st.pairable[k] = any(self.holds_line(p, line.roles, line.skills) for p in paired)

    def is_trainee(self, p: Person, roles: frozenset[str]) -> bool:
        """Rule 10: a trainee assignment on a line of `roles` (solver.rules.is_trainee)."""
        return is_trainee(p.roles, roles, self.rules.trainee_role)

    def price(self, ps: PersonState, st: SlotState, k: int) -> tuple[float, float]:
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

    def fits_alone(self, ps: PersonState, st: SlotState, k: int) -> bool:
        """Rules 2, 3, 4 and 12, and a slot longer than max_hours: nothing else held matters."""
        p, line = ps.p, st.s.demand[k]
        if not self.holds_line(p, line.roles, line.skills) or st.s.site in p.excluded_sites:
            return False
        return st.secs <= ps.max_s + EPS and ps.is_free(st.start, st.end)

    def fits_with_held(self, ps: PersonState, st: SlotState, k: int, trainees: bool) -> bool:
        """Rules 5 to 8 and 10 against what is held so far."""
        if ps.index in st.held:
            return False
        if self.is_trainee(ps.p, st.s.demand[k].roles) and not (trainees and st.supervisors):
            return False
        if ps.used_s + st.secs > ps.max_s + EPS:
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

    def may_take(self, ps: PersonState, st: SlotState, k: int, trainees: bool) -> bool:
        return self.fits_with_held(ps, st, k, trainees) and self.fits_alone(ps, st, k)

    def supervised(self, st: SlotState) -> bool:
        """Rule 10 on one slot as it stands."""
        role = self.rules.supervisor_role
        supervisors = [i for i in st.held if role in self.people[i].p.roles]
        return all(not self.is_trainee(self.people[i].p, st.s.demand[k].roles)
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
