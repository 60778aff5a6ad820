"""Pinned assignments checked against the hard rules before any model is built, so an
impossible pin is reported by name and rule instead of as a bare "infeasible"."""
from __future__ import annotations

from solver.candidates import static_blocker
from solver.model.index import ProblemIndex
from solver.model.roster import Roster
from solver.rules import rule_label, rule_of_blocker

# What a pin that breaks a rule on its own says about its person, by blocker code
# (`static_blocker`: hours and day_limit only when one slot alone is too much).
_STATIC_TEXT = {
    "role": "holds none of the line's roles",
    "skills": "lacks a skill the line needs",
    "excluded": "is excluded from this site (conflict of interest)",
    "unavailable": "is not available at that time",
    "hours": "has max_hours shorter than the slot",
    "day_limit": "has max_slots_per_day 0",
}


def pin_label(ix: ProblemIndex, i: int, l: int, j: int) -> str:
    return f"pin {ix.people[j].id} -> {ix.slots[i].id} line {l}"


def _others(ix: ProblemIndex, roster: Roster, b, i: int, j: int) -> list[str]:
    """The already accepted pins that the blocker `b` collides with."""
    mine = roster.slots_of.get(j, {})
    if b.rule in (5, 8):  # clash, one_line
        return [pin_label(ix, b.slot, mine[b.slot], j)]
    if b.rule == 9:  # capacity
        return [pin_label(ix, ii, ll, q) for ii, ll, q in roster.assignments()
                if ii == i and ll == _line_of(roster, i, q)]
    if b.rule == 6:  # hours
        return [pin_label(ix, ii, ll, j) for ii, ll in mine.items()]
    if b.rule == 7:  # per_day
        return [pin_label(ix, ii, ll, j) for ii, ll in mine.items() if ix.day[ii] == ix.day[i]]
    if b.rule == 13:  # choice
        return [pin_label(ix, ii, ll, q) for ii, ll, q in roster.assignments() if ii == b.slot]
    return []


def _line_of(roster: Roster, i: int, q: int) -> int:
    return roster.slots_of[q][i]


def check_pins(ix: ProblemIndex) -> tuple[list[tuple[int, int, int]], list[str]]:
    """The pins as (slot, line, person) and every conflict found, in plain words. Each pin
    is tested alone (rules 1-4, 6, 7, 12), then against the pins before it (5-9, 13);
    finally every pinned trainee must be supervisable (10)."""
    roster = Roster(ix)
    keys: list[tuple[int, int, int]] = []
    conflicts: list[str] = []
    for a in ix.problem.pinned:
        i, j = ix.slot_pos.get(a.slot), ix.person_pos.get(a.person)
        label = f"pin {a.person} -> {a.slot} line {a.line}"
        if i is None or j is None or not 0 <= a.line < len(ix.slots[i].demand):
            what = ("no such slot" if i is None else "no such person" if j is None
                    else "no such line")
            conflicts.append(f"{label} breaks {rule_label(1)}: {what}")
            continue
        code = static_blocker(ix, j, i, a.line)
        if code is not None:
            conflicts.append(f"{label} breaks {rule_label(rule_of_blocker(code).number)}: "
                             f"{ix.people[j].id} {_STATIC_TEXT[code]}")
            continue
        blockers = roster.blockers(i, a.line, j, supervision=False)
        for b in blockers:
            with_ = ", ".join(_others(ix, roster, b, i, j)) or "the other pins"
            conflicts.append(f"{label} breaks {rule_label(b.rule)} together with {with_}")
        if not blockers:
            roster.add(i, a.line, j)
            keys.append((i, a.line, j))
    conflicts += _supervision_conflicts(ix, roster)
    return keys, conflicts


def _supervision_conflicts(ix: ProblemIndex, roster: Roster) -> list[str]:
    out = []
    for i, l, j in roster.unsupervised():
        if not any(_can_supervise(ix, roster, i, q) for q in range(len(ix.people)) if q != j):
            out.append(f"{pin_label(ix, i, l, j)} breaks {rule_label(10)}: no supervisor "
                       f"({ix.rules.supervisor_role}) can join {ix.slots[i].id}")
    return out


def _can_supervise(ix: ProblemIndex, roster: Roster, i: int, q: int) -> bool:
    if not ix.is_supervisor(ix.people[q]):
        return False
    if i in roster.slots_of.get(q, {}):
        return True
    return any(static_blocker(ix, q, i, l) is None and not roster.blockers(i, l, q, supervision=False)
               for l in range(len(ix.slots[i].demand)))
