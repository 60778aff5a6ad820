"""The independent checker's judgement: every hard rule, then the report (`solver.check`).

It reads the raw problem and solution documents (plain JSON dicts) and judges the
solution's `assignments` by the spec alone: every hard rule, then the objective term by
term. It deliberately shares no code with the parser or the CP-SAT model, so a bug there
cannot hide itself here; standard library only. The one thing it reads from elsewhere is
the catalogue of rule names (`solver.rules`, a plain table), so that its report calls each
rule what the rest of the system calls it.

    python3 -m solver.check problem.json solution.json
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from solver.check.docs import (
    CheckError,
    Person,
    Slot,
    World,
    read_world,
    slot_hours,
    slots_by_person,
    staffed_choices,
    travel,
)
from solver.check.terms import TERMS, objective_terms, places
from solver.rules import rule_label

__all__ = ["CheckError", "CheckReport", "check", "main"]


@dataclass(frozen=True)
class CheckReport:
    violations: list[tuple[int, str]]
    terms: dict[str, float]
    objective: float
    # The figure the solution claims for itself, if any (not judged, only reported).
    claimed_objective: float | None = None
    # Places filled and demanded, over the lines the `unfilled` term counts.
    filled: int = 0
    demanded: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules_broken(self) -> set[int]:
        return {rule for rule, _ in self.violations}

    def summary(self) -> str:
        lines = ["valid" if self.ok else f"INVALID: {len(self.violations)} violation(s)"]
        lines += [f"  {rule_label(rule)}: {text}" for rule, text in self.violations]
        lines.append(f"filled {self.filled} of {self.demanded} places")
        lines.append(f"objective {self.objective:,.3f}")
        lines += [f"  {name:<10}{self.terms[name]:>14,.3f}" for name in TERMS]
        if self.claimed_objective is not None:
            lines.append(f"claimed   {self.claimed_objective:,.3f}")
        return "\n".join(lines)


# ---------------------------------------------------------------- hard rules

def _local(world: World, moment: datetime) -> str:
    return moment.astimezone(world.zone).strftime("%Y-%m-%d %H:%M")


def _rule1_valid(world: World, assignments: list) -> tuple[list, list]:
    """Splits the assignments into resolvable ones (slot, person, line) and violations."""
    good, bad = [], []
    for i, a in enumerate(assignments):
        if not isinstance(a, dict):
            bad.append((1, f"assignment #{i} is not an object: {a!r}"))
            continue
        slot, person, line = a.get("slot"), a.get("person"), a.get("line")
        if not isinstance(slot, str) or slot not in world.slots:
            bad.append((1, f"assignment #{i} names unknown slot {slot!r}"))
        elif not isinstance(person, str) or person not in world.people:
            bad.append((1, f"assignment #{i} names unknown person {person!r} (slot {slot})"))
        elif (isinstance(line, bool) or not isinstance(line, int)
              or not 0 <= line < len(world.slots[slot].lines)):
            bad.append((1, f"assignment #{i}: {line!r} is not a line of slot {slot} "
                           f"(it has {len(world.slots[slot].lines)})"))
        else:
            good.append((world.slots[slot], world.people[person], line))
    return good, bad


def _rules_2_3_12(world: World, good: list) -> list:
    out = []
    for slot, person, line in good:
        roles, _, skills = slot.lines[line]
        if not roles & person.roles:
            out.append((2, f"{person.id} holds none of the roles {sorted(roles)} of "
                           f"{slot.id} line {line}"))
        missing = skills - person.skills
        if missing:
            out.append((3, f"{person.id} lacks skills {sorted(missing)} for {slot.id} "
                           f"line {line}"))
        if slot.site in person.excluded_sites:
            out.append((12, f"{person.id} is excluded from site {slot.site} ({slot.id})"))
    return out


def _rule4(world: World, good: list) -> list:
    out = []
    for slot, person, _ in good:
        when = f"{_local(world, slot.span.start)}..{_local(world, slot.span.end)}"
        if person.available is not None and not any(
                iv.contains(slot.span) for iv in person.available):
            out.append((4, f"{person.id} is not available for the whole of {slot.id} ({when})"))
        if any(iv.overlaps(slot.span) for iv in person.unavailable):
            out.append((4, f"{person.id} is unavailable during {slot.id} ({when})"))
    return out


def _rule5(world: World, by_person: dict) -> list:
    out = []
    for pid, slots in by_person.items():
        for i, a in enumerate(slots):
            for b in slots[i + 1:]:
                gap = travel(world, a.site, b.site)
                ok = b.span.start >= a.span.end + gap
                if a.span.start == b.span.start:
                    ok = ok and a.span.start >= b.span.end + gap
                if not ok:
                    out.append((5, f"{pid} cannot make both {a.id} and {b.id} "
                                   f"(needs {int(gap.total_seconds() // 60)} min travel)"))
    return out


def _rules_6_7(world: World, by_person: dict) -> list:
    out = []
    for pid, slots in by_person.items():
        person = world.people[pid]
        hours = slot_hours(slots)
        if hours > Fraction(person.max_hours):
            out.append((6, f"{pid} has {float(hours):g} h of slots, over max_hours "
                           f"{person.max_hours}"))
        if person.max_slots_per_day is not None:
            per_day: dict[date, list[str]] = defaultdict(list)
            for slot in slots:
                per_day[slot.local_day].append(slot.id)
            for day, ids in sorted(per_day.items()):
                if len(ids) > person.max_slots_per_day:
                    out.append((7, f"{pid} has {len(ids)} slots starting on {day} "
                                   f"({', '.join(ids)}), over {person.max_slots_per_day}"))
    return out


def _rules_8_9(good: list) -> list:
    out = []
    held: dict[tuple[str, str], list[int]] = defaultdict(list)
    on_line: dict[tuple[str, int], set[str]] = defaultdict(set)
    for slot, person, line in good:
        held[slot.id, person.id].append(line)
        on_line[slot.id, line].add(person.id)
    for (sid, pid), lines in held.items():
        if len(lines) > 1:
            out.append((8, f"{pid} holds {len(lines)} places in {sid} (lines {lines})"))
    for slot, _, line in good:
        key = (slot.id, line)
        if key in on_line and len(on_line[key]) > slot.lines[line][1]:
            out.append((9, f"{slot.id} line {line} has {len(on_line[key])} people for "
                           f"{slot.lines[line][1]} places"))
            del on_line[key]
    return out


def _is_trainee(world: World, slot: Slot, person: Person, line: int) -> bool:
    trainee = world.rules["trainee_role"]
    others = slot.lines[line][0] - {trainee}
    return trainee in person.roles and not others & person.roles


def _rule10(world: World, good: list) -> list:
    out = []
    supervisor = world.rules["supervisor_role"]
    in_slot: dict[str, list[int]] = defaultdict(list)
    for i, (slot, _, _) in enumerate(good):
        in_slot[slot.id].append(i)
    for i, (slot, person, line) in enumerate(good):
        if not _is_trainee(world, slot, person, line):
            continue
        if not any(j != i and supervisor in good[j][1].roles
                   for j in in_slot[slot.id]):
            out.append((10, f"trainee {person.id} in {slot.id} has no {supervisor} "
                            f"assigned to the slot"))
    return out


def _rule11(world: World, assignments: list) -> list:
    present = {(a.get("slot"), a.get("person"), a.get("line"))
               for a in assignments if isinstance(a, dict)}
    return [(11, f"pinned {p.get('person')} in {p.get('slot')} line {p.get('line')} "
                 f"is missing")
            for p in world.pinned
            if (p.get("slot"), p.get("person"), p.get("line")) not in present]


def _rule13(world: World, good: list) -> list:
    return [(13, f"choice {choice!r} has {len(sids)} staffed slots: {', '.join(sids)}")
            for choice, sids in staffed_choices(world, good).items() if len(sids) > 1]


# ---------------------------------------------------------------- entry points

def check(problem_doc: dict, solution_doc: dict) -> CheckReport:
    """Judges `solution_doc` against `problem_doc` by the spec's hard rules and objective."""
    world = read_world(problem_doc)
    if not isinstance(solution_doc, dict) or solution_doc.get("format") != "roster-solution/1":
        raise CheckError("the solution is not a roster-solution/1 document")
    assignments = solution_doc.get("assignments")
    if not isinstance(assignments, list):
        raise CheckError("the solution's assignments must be a list")
    good, violations = _rule1_valid(world, assignments)
    by_person = slots_by_person(good)
    violations += _rules_2_3_12(world, good)
    violations += _rule4(world, good)
    violations += _rule5(world, by_person)
    violations += _rules_6_7(world, by_person)
    violations += _rules_8_9(good)
    violations += _rule10(world, good)
    violations += _rule11(world, assignments)
    violations += _rule13(world, good)
    violations.sort(key=lambda v: v[0])
    terms = objective_terms(world, good, by_person)
    filled, demanded = places(world, good)
    claimed = solution_doc.get("objective")
    return CheckReport(violations=violations, terms=terms, objective=sum(terms.values()),
                       claimed_objective=float(claimed) if isinstance(
                           claimed, (int, float)) and not isinstance(claimed, bool) else None,
                       filled=filled, demanded=demanded)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python3 -m solver.check PROBLEM.json SOLUTION.json", file=sys.stderr)
        return 2
    docs = []
    for path in args:
        with open(path, encoding="utf-8") as fh:
            docs.append(json.load(fh))
    try:
        report = check(*docs)
    except CheckError as exc:
        print(f"cannot check: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0 if report.ok else 1
