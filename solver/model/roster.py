"""A roster being built one assignment at a time, with the hard rules that tie
assignments together checked incrementally.

Used where CP-SAT is not: checking pins against each other before modelling, turning
`previous` into a warm start, the final fill-in pass and the explanations of open places.
Static rules (2, 3, 4, 12 and a slot longer than max_hours) live in `solver.candidates`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from solver.model.index import ProblemIndex
from solver.rules import RULES


@dataclass(frozen=True)
class Blocker:
    """One hard rule that adding an assignment would break, and what it collides with."""

    rule: int
    slot: int | None = None  # the other slot involved (rules 5, 8, 13)
    person: int | None = None  # the other person involved (rule 9: one holder)

    @property
    def code(self) -> str:
        """The rule's blocker code in solver.rules: busy, same_slot, line_full, hours,
        day_limit, choice or supervision."""
        return RULES[self.rule].blocker


class Roster:
    def __init__(self, ix: ProblemIndex) -> None:
        self.ix = ix
        self.slots_of: dict[int, dict[int, int]] = defaultdict(dict)  # person -> slot -> line
        self.holders: dict[tuple[int, int], list[int]] = defaultdict(list)  # (slot, line) -> people
        self.seconds: dict[int, float] = defaultdict(float)
        self.per_day: dict[tuple[int, int], int] = defaultdict(int)
        self.staffed: dict[int, int] = defaultdict(int)  # slot -> number of assignments
        self.supervisors: dict[int, int] = defaultdict(int)  # slot -> assigned supervisors

    # ------------------------------------------------------------------ changes

    def add(self, i: int, l: int, j: int) -> None:
        ix = self.ix
        self.slots_of[j][i] = l
        self.holders[(i, l)].append(j)
        self.seconds[j] += ix.duration[i]
        self.per_day[(j, ix.day[i])] += 1
        self.staffed[i] += 1
        if ix.is_supervisor(ix.people[j]):
            self.supervisors[i] += 1

    def remove(self, i: int, l: int, j: int) -> None:
        ix = self.ix
        del self.slots_of[j][i]
        self.holders[(i, l)].remove(j)
        self.seconds[j] -= ix.duration[i]
        self.per_day[(j, ix.day[i])] -= 1
        self.staffed[i] -= 1
        if ix.is_supervisor(ix.people[j]):
            self.supervisors[i] -= 1

    def people_at(self, i: int) -> set[int]:
        return {j for l in range(len(self.ix.slots[i].demand)) for j in self.holders.get((i, l), ())}

    def assignments(self):
        for j, slots in self.slots_of.items():
            for i, l in slots.items():
                yield i, l, j

    # ------------------------------------------------------------------ checks

    def blockers(self, i: int, l: int, j: int, *, supervision: bool = True) -> list[Blocker]:
        """Every rule that adding person `j` to line `l` of slot `i` would break, given what
        is already in. With `supervision`, a trainee without an assigned supervisor in the
        slot counts as blocked (rule 10), though adding a supervisor too would mend it."""
        ix = self.ix
        out: list[Blocker] = []
        mine = self.slots_of.get(j, {})
        if i in mine:
            out.append(Blocker(8, slot=i))
        for other in mine:
            if other != i and ix.clash(i, other):
                out.append(Blocker(5, slot=other))
        holders = self.holders.get((i, l), ())
        if len(holders) >= ix.slots[i].demand[l].count:
            out.append(Blocker(9, person=holders[0] if holders else None))
        p = ix.people[j]
        if self.seconds.get(j, 0.0) + ix.duration[i] > ix.max_seconds(j):
            out.append(Blocker(6))
        if p.max_slots_per_day is not None and \
                self.per_day.get((j, ix.day[i]), 0) + 1 > p.max_slots_per_day:
            out.append(Blocker(7))
        choice = ix.slots[i].choice
        if choice is not None:
            for other in ix.choice_groups[choice]:
                if other != i and self.staffed.get(other, 0) > 0:
                    out.append(Blocker(13, slot=other))
                    break
        if supervision and ix.is_trainee(p, ix.slots[i].demand[l]) \
                and self.supervisors.get(i, 0) == 0:
            out.append(Blocker(10))
        return out

    def unsupervised(self) -> list[tuple[int, int, int]]:
        """Trainee assignments in slots where no other assignment holds a supervisor."""
        ix = self.ix
        out = []
        for i, l, j in self.assignments():
            if ix.is_trainee(ix.people[j], ix.slots[i].demand[l]):
                others = self.supervisors.get(i, 0) - (1 if ix.is_supervisor(ix.people[j]) else 0)
                if others <= 0:
                    out.append((i, l, j))
        return out
