"""Everything the model, the objective and the explanations look up, computed once.

Slots and people are referred to by their position in `problem.slots` / `problem.people`
(ints are cheaper than ids in the hot loops). Times are POSIX seconds (floats, exact for
whole seconds), so comparisons follow the spec's exact times.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import cached_property
from zoneinfo import ZoneInfo

from solver.geo import TravelTable, km
from solver.problem import DemandLine, Person, Problem, Slot
from solver.rules import is_trainee


class ProblemIndex:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.zone = ZoneInfo(problem.timezone)
        self.rules = problem.rules
        self.weights = problem.weights
        self.slots: tuple[Slot, ...] = problem.slots
        self.people: tuple[Person, ...] = problem.people
        self.sites = {s.id: s for s in problem.sites}
        self.slot_pos = {s.id: i for i, s in enumerate(self.slots)}
        self.person_pos = {p.id: j for j, p in enumerate(self.people)}
        self.start = [s.start.timestamp() for s in self.slots]
        self.end = [s.end.timestamp() for s in self.slots]
        self.duration = [e - b for b, e in zip(self.start, self.end)]
        # Rule 7: a slot belongs to the local date on which it starts.
        self.day = [s.start.astimezone(self.zone).date().toordinal() for s in self.slots]
        self.travel = TravelTable(problem.sites, problem.rules)
        self._km: dict[tuple[int, str], float] = {}

    # ------------------------------------------------------------------ people

    def km(self, j: int, site_id: str) -> float:
        key = (j, site_id)
        value = self._km.get(key)
        if value is None:
            p, s = self.people[j], self.sites[site_id]
            value = self._km[key] = km(p.lat, p.lon, s.lat, s.lon)
        return value

    def max_seconds(self, j: int) -> float:
        return self.people[j].max_hours * 3600.0

    @cached_property
    def availability(self) -> list[tuple[tuple[float, float], ...] | None]:
        return [None if p.available is None else
                tuple((iv.start.timestamp(), iv.end.timestamp()) for iv in p.available)
                for p in self.people]

    @cached_property
    def unavailability(self) -> list[tuple[tuple[float, float], ...]]:
        return [tuple((iv.start.timestamp(), iv.end.timestamp()) for iv in p.unavailable)
                for p in self.people]

    def available(self, j: int, i: int) -> bool:
        """Rule 4: inside one single `available` interval and overlapping no `unavailable`."""
        b, e = self.start[i], self.end[i]
        spans = self.availability[j]
        if spans is not None and not any(s <= b and e <= t for s, t in spans):
            return False
        return not any(max(s, b) < min(t, e) for s, t in self.unavailability[j])

    def undesired(self, j: int, i: int) -> bool:
        s = self.slots[i]
        return any(iv.overlaps(s.start, s.end) for iv in self.people[j].undesired)

    # ------------------------------------------------------------------ lines

    @staticmethod
    def qualified(p: Person, d: DemandLine) -> bool:
        """Rules 2 and 3: one of the line's roles and all of its skills."""
        return not p.roles.isdisjoint(d.roles) and d.skills <= p.skills

    def is_trainee(self, p: Person, d: DemandLine) -> bool:
        """Rule 10: a trainee assignment (solver.rules.is_trainee)."""
        return is_trainee(p.roles, d.roles, self.rules.trainee_role)

    def is_supervisor(self, p: Person) -> bool:
        return self.rules.supervisor_role in p.roles

    @cached_property
    def paired_people(self) -> dict[str, list[int]]:
        """Site id -> people who are its standing adviser."""
        out: dict[str, list[int]] = defaultdict(list)
        for j, p in enumerate(self.people):
            for site_id in p.paired_sites:
                out[site_id].append(j)
        return out

    @cached_property
    def pairable(self) -> set[tuple[int, int]]:
        """(slot, line) of visit lines that a person paired with the site could hold by rules
        2 and 3: there, an assignment of anyone not paired with the site costs `unpaired`."""
        out = set()
        for i, s in enumerate(self.slots):
            if s.kind != "visit":
                continue
            advisers = [self.people[j] for j in self.paired_people.get(s.site, ())]
            for l, d in enumerate(s.demand):
                if any(self.qualified(p, d) for p in advisers):
                    out.add((i, l))
        return out

    def unpaired(self, i: int, l: int, j: int) -> bool:
        return (i, l) in self.pairable and self.slots[i].site not in self.people[j].paired_sites

    # ------------------------------------------------------------------ groups

    @cached_property
    def choice_groups(self) -> dict[str, list[int]]:
        """Choice id -> its slots in file order (the first one counts when none is staffed)."""
        out: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.slots):
            if s.choice is not None:
                out[s.choice].append(i)
        return dict(out)

    @cached_property
    def previous_count(self) -> Counter:
        """(slot id, person id) -> how many `previous` entries name that pair."""
        return Counter((a.slot, a.person) for a in self.problem.previous)

    @cached_property
    def previous_by_slot(self) -> dict[int, list[tuple[int | None, int]]]:
        """Slot -> [(person or None when the person is gone, how many entries)]."""
        out: dict[int, list] = defaultdict(list)
        for (slot_id, person_id), n in self.previous_count.items():
            i = self.slot_pos.get(slot_id)
            if i is not None:
                out[i].append((self.person_pos.get(person_id), n))
        return dict(out)

    @cached_property
    def previous_outside(self) -> int:
        """`previous` entries naming a slot that is not in the problem (always a change)."""
        return sum(n for (slot_id, _), n in self.previous_count.items()
                   if slot_id not in self.slot_pos)

    # ------------------------------------------------------------------ rule 5

    def travel_seconds(self, a: int, b: int) -> float:
        return 60.0 * self.travel.minutes(self.slots[a].site, self.slots[b].site)

    def clash(self, a: int, b: int) -> bool:
        """Rule 5 for two distinct slots: True when one person cannot hold both."""
        if self.start[b] < self.start[a]:
            a, b = b, a
        if self.start[b] < self.end[a] + self.travel_seconds(a, b):
            return True
        # Both directions when they start together.
        return self.start[a] == self.start[b] and self.start[a] < self.end[b] + self.travel_seconds(b, a)
