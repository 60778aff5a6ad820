"""The roster problem and solution as frozen dataclasses (roster-format version 1).

This module is the contract between `solver` and everything that feeds it. It is pure:
standard library only. Datetimes are timezone-aware, in the problem's zone; parsing and
validation of the JSON documents live in `solver.io`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PROBLEM_FORMAT = "roster-problem/1"
SOLUTION_FORMAT = "roster-solution/1"
PAIRING_FORMAT = "roster-pairing/1"

SITE_KINDS = ("village", "window", "square", "centre", "station")
SLOT_KINDS = ("visit", "event", "shift")


@dataclass(frozen=True, slots=True)
class Interval:
    """Half-open [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return max(self.start, start) < min(self.end, end)

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    kind: str
    district: str
    lat: float
    lon: float
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    roles: frozenset[str]
    skills: frozenset[str]
    district: str
    lat: float
    lon: float
    max_hours: float
    target_hours: float | None = None
    max_slots_per_day: int | None = None
    # None: always available; (): never available.
    available: tuple[Interval, ...] | None = None
    unavailable: tuple[Interval, ...] = ()
    undesired: tuple[Interval, ...] = ()
    paired_sites: frozenset[str] = frozenset()
    excluded_sites: frozenset[str] = frozenset()
    # None: the number of current paired_sites (see the spec's standing pairing).
    max_paired_sites: int | None = None


@dataclass(frozen=True, slots=True)
class DemandLine:
    roles: frozenset[str]
    count: int
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Slot:
    id: str
    site: str
    kind: str
    start: datetime
    end: datetime
    demand: tuple[DemandLine, ...]
    priority: int = 3
    choice: str | None = None
    choice_cost: float = 0.0

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class Assignment:
    slot: str
    person: str
    line: int


@dataclass(frozen=True, slots=True)
class Rules:
    travel_kmh: float = 30.0
    road_factor: float = 1.3
    trainee_role: str = "trainee_lawyer"
    supervisor_role: str = "lawyer"


@dataclass(frozen=True, slots=True)
class Weights:
    unfilled: float = 1000.0
    unpaired: float = 50.0
    km: float = 1.0
    fairness: float = 10.0
    undesired: float = 30.0
    change: float = 100.0


@dataclass(frozen=True, slots=True)
class Problem:
    timezone: str
    sites: tuple[Site, ...]
    people: tuple[Person, ...]
    slots: tuple[Slot, ...]
    pinned: tuple[Assignment, ...] = ()
    previous: tuple[Assignment, ...] = ()
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a place stayed open: a machine-readable code, its parameters, and the text in
    Simplified Chinese and English (the solution file carries both texts)."""

    code: str
    zh: str
    en: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class OpenPlace:
    slot: str
    line: int
    missing: int
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Solution:
    status: str  # optimal | feasible | infeasible | unknown
    objective: float
    assignments: tuple[Assignment, ...]
    unfilled: tuple[OpenPlace, ...] = ()
    bound: float | None = None
    stats: tuple[tuple[str, float | int | str], ...] = ()
    # For infeasible problems: which pins break which hard rule, in plain words.
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Progress:
    """What `solver.solve.solve` tells `on_progress` while it searches: the objective of
    the best roster so far, a proven lower bound once there is one, and how many rosters
    it has found."""

    objective: float
    bound: float | None
    elapsed_s: float
    solutions: int


@dataclass(frozen=True, slots=True)
class Pair:
    site: str
    person: str


@dataclass(frozen=True, slots=True)
class UnpairedSite:
    site: str
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Pairing:
    status: str  # optimal | feasible | infeasible
    objective: float
    pairs: tuple[Pair, ...]
    unpaired_sites: tuple[UnpairedSite, ...] = ()
    # For infeasible pairings: which hand-fixed pairs break which hard rule.
    conflicts: tuple[Reason, ...] = ()
    stats: tuple[tuple[str, float | int | str], ...] = ()
