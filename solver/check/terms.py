"""The spec's objective, term by term, for the independent checker (`solver.check`)."""
from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from solver.check.docs import Person, Slot, World, km, slot_hours, staffed_choices

TERMS = ("unfilled", "choice", "unpaired", "km", "fairness", "undesired", "change")

# ---------------------------------------------------------------- objective

def _counted_slots(world: World, good: list) -> list[Slot]:
    """The slots whose lines count as unfilled: all outside choice groups; in a group the
    staffed slot, or the group's first slot in the file if none is staffed."""
    staffed = staffed_choices(world, good)
    first: dict[str, str] = {}
    counted = []
    for sid in world.slot_order:
        slot = world.slots[sid]
        if slot.choice is None:
            counted.append(slot)
            continue
        first.setdefault(slot.choice, sid)
        if sid in staffed.get(slot.choice, ()) or (
                not staffed.get(slot.choice) and first[slot.choice] == sid):
            counted.append(slot)
    return counted


def _unfilled(world: World, good: list) -> float:
    on_line: dict[tuple[str, int], set[str]] = defaultdict(set)
    for slot, person, line in good:
        on_line[slot.id, line].add(person.id)
    total = 0.0
    for slot in _counted_slots(world, good):
        for index, (_, count, _) in enumerate(slot.lines):
            missing = max(0, count - len(on_line[slot.id, index]))
            total += missing * world.weights["unfilled"] * slot.priority
    return total


def places(world: World, good: list) -> tuple[int, int]:
    """(filled, demanded) places over the lines that count as unfilled, for fill rates."""
    on_line: dict[tuple[str, int], set[str]] = defaultdict(set)
    for slot, person, line in good:
        on_line[slot.id, line].add(person.id)
    filled = demanded = 0
    for slot in _counted_slots(world, good):
        for index, (_, count, _) in enumerate(slot.lines):
            demanded += count
            filled += min(count, len(on_line[slot.id, index]))
    return filled, demanded


def _choice(world: World, good: list) -> float:
    return sum(world.slots[sid].choice_cost
               for sids in staffed_choices(world, good).values() for sid in sids)


def _unpaired(world: World, good: list) -> float:
    paired: dict[str, list[Person]] = defaultdict(list)
    for person in world.people.values():
        for site in person.paired_sites:
            paired[site].append(person)

    def pairable(slot: Slot, line: int) -> bool:
        roles, _, skills = slot.lines[line]
        return any(roles & p.roles and skills <= p.skills for p in paired[slot.site])

    return sum(world.weights["unpaired"] for slot, person, line in good
               if slot.kind == "visit" and slot.site not in person.paired_sites
               and pairable(slot, line))


def _km(world: World, good: list) -> float:
    total = 0.0
    for slot, person, _ in good:
        site = world.sites[slot.site]
        total += km(person.lat, person.lon, site["lat"], site["lon"]) * world.weights["km"]
    return total


def _fairness(world: World, by_person: dict) -> float:
    total = 0.0
    for person in world.people.values():
        if person.target_hours is not None:
            hours = slot_hours(by_person.get(person.id, ()))
            total += abs(float(hours - Fraction(person.target_hours))) \
                * world.weights["fairness"]
    return total


def _undesired(world: World, good: list) -> float:
    return sum(world.weights["undesired"] for slot, person, _ in good
               if any(iv.overlaps(slot.span) for iv in person.undesired))


def _change(world: World, good: list) -> float:
    kept = {(slot.id, person.id) for slot, person, _ in good}
    return sum(world.weights["change"] for p in world.previous
               if (p.get("slot"), p.get("person")) not in kept)


def objective_terms(world: World, good: list, by_person: dict) -> dict[str, float]:
    """Each weighted term of the objective; `good` holds the resolvable assignments."""
    return {name: float(value) for name, value in (
        ("unfilled", _unfilled(world, good)), ("choice", _choice(world, good)),
        ("unpaired", _unpaired(world, good)), ("km", _km(world, good)),
        ("fairness", _fairness(world, by_person)), ("undesired", _undesired(world, good)),
        ("change", _change(world, good)))}
