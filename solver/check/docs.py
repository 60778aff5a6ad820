"""Reading roster documents for the independent checker (`solver.check`).

The checker must not share code with `solver.io` or the model, so it reads the raw JSON
itself: datetimes become UTC instants (local ones are read in the problem's zone), which
keeps every comparison and duration exact whatever the zone's offsets do.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EARTH_RADIUS_KM = 6371.0
DEFAULT_RULES = {"travel_kmh": 30, "road_factor": 1.3,
                 "trainee_role": "trainee_lawyer", "supervisor_role": "lawyer"}
DEFAULT_WEIGHTS = {"unfilled": 1000, "unpaired": 50, "km": 1, "fairness": 10,
                   "undesired": 30, "change": 100}


class CheckError(ValueError):
    """The documents are too malformed to be judged at all."""

# ---------------------------------------------------------------- reading the documents

@dataclass(frozen=True)
class Span:
    """A half-open [start, end) in UTC, so that arithmetic ignores wall-clock quirks."""

    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return max(self.start, other.start) < min(self.end, other.end)

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class Slot:
    id: str
    site: str
    kind: str
    span: Span
    local_day: date
    priority: int
    lines: tuple[tuple[frozenset, int, frozenset], ...]  # (roles, count, skills)
    choice: str | None
    choice_cost: float


@dataclass(frozen=True)
class Person:
    id: str
    roles: frozenset
    skills: frozenset
    lat: float
    lon: float
    max_hours: float
    target_hours: float | None
    max_slots_per_day: int | None
    available: tuple[Span, ...] | None
    unavailable: tuple[Span, ...]
    undesired: tuple[Span, ...]
    paired_sites: frozenset
    excluded_sites: frozenset


@dataclass
class World:
    zone: ZoneInfo
    sites: dict[str, dict]
    people: dict[str, Person]
    slots: dict[str, Slot]
    slot_order: list[str]
    rules: dict
    weights: dict
    pinned: list[dict] = field(default_factory=list)
    previous: list[dict] = field(default_factory=list)


def _instant(text, zone: ZoneInfo, where: str) -> datetime:
    if not isinstance(text, str):
        raise CheckError(f"{where}: expected an ISO datetime text, got {text!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CheckError(f"{where}: {exc}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _span(doc, zone: ZoneInfo, where: str) -> Span:
    if not isinstance(doc, dict):
        raise CheckError(f"{where}: expected an interval object")
    return Span(_instant(doc.get("start"), zone, f"{where}.start"),
                 _instant(doc.get("end"), zone, f"{where}.end"))


def _spans(docs, zone: ZoneInfo, where: str) -> tuple[Span, ...]:
    return tuple(_span(d, zone, f"{where}[{i}]") for i, d in enumerate(docs or ()))


def _person(doc: dict, zone: ZoneInfo, where: str) -> Person:
    available = doc.get("available")
    return Person(
        id=doc["id"], roles=frozenset(doc.get("roles") or ()),
        skills=frozenset(doc.get("skills") or ()),
        lat=float(doc["lat"]), lon=float(doc["lon"]), max_hours=doc["max_hours"],
        target_hours=doc.get("target_hours"), max_slots_per_day=doc.get("max_slots_per_day"),
        available=None if available is None else _spans(available, zone, f"{where}.available"),
        unavailable=_spans(doc.get("unavailable"), zone, f"{where}.unavailable"),
        undesired=_spans(doc.get("undesired"), zone, f"{where}.undesired"),
        paired_sites=frozenset(doc.get("paired_sites") or ()),
        excluded_sites=frozenset(doc.get("excluded_sites") or ()),
    )


def _slot(doc: dict, zone: ZoneInfo, where: str) -> Slot:
    span = Span(_instant(doc.get("start"), zone, f"{where}.start"),
                 _instant(doc.get("end"), zone, f"{where}.end"))
    lines = tuple((frozenset(line.get("roles") or ()), int(line["count"]),
                   frozenset(line.get("skills") or ())) for line in doc.get("demand") or ())
    priority = doc.get("priority")
    return Slot(id=doc["id"], site=doc["site"], kind=doc.get("kind", ""), span=span,
                 local_day=span.start.astimezone(zone).date(),
                 priority=3 if priority is None else int(priority), lines=lines,
                 choice=doc.get("choice"), choice_cost=float(doc.get("choice_cost") or 0))


def read_world(problem: dict) -> World:
    if not isinstance(problem, dict) or problem.get("format") != "roster-problem/1":
        raise CheckError("the problem is not a roster-problem/1 document")
    try:
        zone = ZoneInfo(problem.get("timezone") or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise CheckError(f"unknown timezone {problem.get('timezone')!r}") from None
    try:
        people = {}
        for i, doc in enumerate(problem.get("people") or ()):
            people[doc["id"]] = _person(doc, zone, f"$.people[{i}]")
        slots, order = {}, []
        for i, doc in enumerate(problem.get("slots") or ()):
            slots[doc["id"]] = _slot(doc, zone, f"$.slots[{i}]")
            order.append(doc["id"])
        sites = {doc["id"]: doc for doc in problem.get("sites") or ()}
    except (KeyError, TypeError) as exc:
        raise CheckError(f"the problem lacks a required field: {exc}") from None
    for i, sid in enumerate(order):
        if slots[sid].site not in sites:
            raise CheckError(f"$.slots[{i}].site: unknown site {slots[sid].site!r}")
    return World(zone=zone, sites=sites, people=people, slots=slots, slot_order=order,
                  rules={**DEFAULT_RULES, **(problem.get("rules") or {})},
                  weights={**DEFAULT_WEIGHTS, **(problem.get("weights") or {})},
                  pinned=list(problem.get("pinned") or ()),
                  previous=list(problem.get("previous") or ()))


# ---------------------------------------------------------------- geometry

def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def travel(world: World, site_a: str, site_b: str) -> timedelta:
    if site_a == site_b:
        return timedelta(0)
    a, b = world.sites[site_a], world.sites[site_b]
    dist = km(a["lat"], a["lon"], b["lat"], b["lon"])
    minutes = math.ceil(dist * world.rules["road_factor"] / world.rules["travel_kmh"] * 60)
    return timedelta(minutes=minutes)


def slot_hours(slots) -> Fraction:
    seconds = sum((s.span.end - s.span.start for s in slots), timedelta(0))
    return Fraction(seconds.days * 86400 + seconds.seconds) / 3600 + \
        Fraction(seconds.microseconds, 3600 * 10**6)


def slots_by_person(good: list) -> dict[str, list[Slot]]:
    """Each person's distinct slots, by start."""
    seen: dict[str, dict[str, Slot]] = defaultdict(dict)
    for slot, person, _ in good:
        seen[person.id][slot.id] = slot
    return {pid: sorted(slots.values(), key=lambda s: (s.span.start, s.id))
            for pid, slots in seen.items()}


def staffed_choices(world: World, good: list) -> dict[str, list[str]]:
    """choice id -> its staffed slots, in file order."""
    staffed = {slot.id for slot, _, _ in good}
    groups: dict[str, list[str]] = defaultdict(list)
    for sid in world.slot_order:
        slot = world.slots[sid]
        if slot.choice is not None and sid in staffed:
            groups[slot.choice].append(sid)
    return groups


