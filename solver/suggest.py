"""Who could take one place of a roster, ranked by what it costs: the recommendation a
coordinator reads when filling a place by hand.

Every person holding the line's role and skills is checked against the hard rules with the
solver's own rule code (`solver.candidates.static_blocker`, `solver.model.roster.Roster`),
and priced with the solver's own incremental objective (`solver.objective.add_terms`), so a
suggestion's figure is exactly the change of the spec's objective (the tests compare it with
the independent checker). When nobody can take the place, one-move repairs are searched: a
person busy elsewhere takes this place and someone else takes theirs, priced as both moves.

Places held by a locked (pinned) assignment are never moved by a repair: a lock says keep it.
"""
from __future__ import annotations

from dataclasses import dataclass

from solver.candidates import static_blocker, static_blockers
from solver.model.index import ProblemIndex
from solver.model.roster import Roster
from solver.objective import TERMS, add_terms
from solver.problem import Assignment, Problem
from solver.rules import rule_of_blocker


@dataclass(frozen=True, slots=True)
class Block:
    """A hard rule that keeps a person out of the place, and what it collides with."""

    rule: int
    slot: str | None = None  # the other slot (rules 5, 8, 13)
    person: str | None = None  # who holds the full line (rule 9)


@dataclass(frozen=True, slots=True)
class Option:
    """One person for the place: the change of the objective if they take it (with the
    holder's leaving, when replacing), term by term, or the rules that forbid it."""

    person: str
    delta: float
    terms: tuple[tuple[str, float], ...]  # the nonzero terms, in the order of TERMS
    blocks: tuple[Block, ...] = ()

    @property
    def feasible(self) -> bool:
        return not self.blocks


@dataclass(frozen=True, slots=True)
class Repair:
    """`person` leaves (`from_slot`, `from_line`) for the place and `replacement` takes
    theirs: two moves, one change of the objective."""

    person: str
    from_slot: str
    from_line: int
    replacement: str
    delta: float
    terms: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Suggestions:
    slot: str
    line: int
    replacing: str | None
    feasible: tuple[Option, ...]  # cheapest first, at most `limit`
    feasible_count: int  # how many could take it in all
    infeasible: tuple[Option, ...]  # qualified people a rule keeps out, nearest to allowed first
    repairs: tuple[Repair, ...]  # only when nobody feasible remains


class SuggestError(ValueError):
    """The place asked about is not in the problem (unknown slot or line, or `replacing`
    does not hold it)."""


def _sum(*parts: dict[str, float]) -> dict[str, float]:
    return {t: sum(p[t] for p in parts) for t in TERMS}


def _nonzero(terms: dict[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple((t, round(terms[t], 9)) for t in TERMS if abs(terms[t]) > 1e-9)


def remove_terms(ix: ProblemIndex, roster: Roster, i: int, l: int, j: int) -> dict[str, float]:
    """The change of the objective when `j` leaves line `l` of slot `i` (which they hold):
    the opposite of adding them back to the roster without them."""
    roster.remove(i, l, j)
    try:
        added = add_terms(ix, roster, i, l, j)
    finally:
        roster.add(i, l, j)
    return {t: -v for t, v in added.items()}


def _unsupervised_without(ix: ProblemIndex, roster: Roster, i: int) -> bool:
    """Slot `i` holds a trainee assignment and no supervisor (after a removal)."""
    if roster.supervisors.get(i, 0) > 0:
        return False
    return any(ix.is_trainee(ix.people[j], ix.slots[i].demand[l])
               for l in range(len(ix.slots[i].demand)) for j in roster.holders.get((i, l), ()))


def _blocks(ix: ProblemIndex, roster: Roster, i: int, l: int, j: int) -> tuple[Block, ...]:
    """Every hard rule adding `j` to (i, l) would break, static ones first. A slot left
    with an unsupervised trainee (a supervisor was taken out) needs `j` to supervise."""
    if i in roster.slots_of.get(j, {}):
        # Already in the slot: that is the reason; counting the slot twice would add more.
        return (Block(8, slot=ix.slots[i].id),)
    out = [Block(rule_of_blocker(code).number) for code in static_blockers(ix, j, i, l)]
    for b in roster.blockers(i, l, j):
        out.append(Block(b.rule, slot=ix.slots[b.slot].id if b.slot is not None else None,
                         person=ix.people[b.person].id if b.person is not None else None))
    if not ix.is_supervisor(ix.people[j]) and _unsupervised_without(ix, roster, i) \
            and not any(b.rule == 10 for b in out):
        out.append(Block(10))
    return tuple(dict.fromkeys(out))  # a slot too long for max_hours is rule 6 both ways


def _qualified(ix: ProblemIndex, i: int, l: int) -> list[int]:
    """Rules 2 and 3 (role and skills) only: the rest are named by `_blocks`, which would
    otherwise test availability a second time for everyone."""
    line = ix.slots[i].demand[l]
    return [j for j, p in enumerate(ix.people) if ix.qualified(p, line)]


def build_roster(ix: ProblemIndex, assignments) -> Roster:
    roster = Roster(ix)
    for a in assignments:
        if a.slot not in ix.slot_pos or a.person not in ix.person_pos:
            raise SuggestError(f"assignment {a.slot}/{a.person} names an unknown slot or person")
        roster.add(ix.slot_pos[a.slot], a.line, ix.person_pos[a.person])
    return roster


def suggest(problem: Problem, assignments: tuple[Assignment, ...], slot: str, line: int, *,
            replacing: str | None = None, limit: int = 10, repair_limit: int = 5,
            ix: ProblemIndex | None = None) -> Suggestions:
    """Suggestions for line `line` of `slot` given the roster `assignments`; with
    `replacing`, for the place that person holds there (their leaving is priced in)."""
    ix = ix or ProblemIndex(problem)
    i = ix.slot_pos.get(slot)
    if i is None or not 0 <= line < len(ix.slots[i].demand):
        raise SuggestError(f"no line {line} in slot {slot}")
    roster = build_roster(ix, assignments)
    base = dict.fromkeys(TERMS, 0.0)
    holder = None
    if replacing is not None:
        holder = ix.person_pos.get(replacing)
        if holder is None or roster.slots_of.get(holder, {}).get(i) != line:
            raise SuggestError(f"{replacing} does not hold line {line} of {slot}")
        base = remove_terms(ix, roster, i, line, holder)
        roster.remove(i, line, holder)
    feasible, infeasible = [], []
    for j in _qualified(ix, i, line):
        if j == holder or roster.slots_of.get(j, {}).get(i) == line:
            continue  # the holder being replaced, or someone who already has this place
        terms = _sum(base, add_terms(ix, roster, i, line, j))
        option = Option(ix.people[j].id, sum(terms.values()), _nonzero(terms), _blocks(ix, roster, i, line, j))
        (feasible if option.feasible else infeasible).append(option)
    feasible.sort(key=lambda o: (o.delta, o.person))
    infeasible.sort(key=lambda o: (len(o.blocks), o.delta, o.person))
    repairs = () if feasible else _repairs(problem, ix, roster, i, line, base, repair_limit)
    return Suggestions(slot, line, replacing, tuple(feasible[:limit]), len(feasible), tuple(infeasible), repairs)


def _repairs(problem: Problem, ix: ProblemIndex, roster: Roster, i: int, l: int, base: dict[str, float],
             limit: int) -> tuple[Repair, ...]:
    """One-move repairs: a qualified person j held elsewhere (slot o, line lo, not locked)
    who could take (i, l) once free of o, with the cheapest q that can then take (o, lo)."""
    pinned = {(a.slot, a.person) for a in problem.pinned}
    found: list[Repair] = []
    for j in _qualified(ix, i, l):
        if static_blocker(ix, j, i, l) is not None:
            continue
        for o, lo in list(roster.slots_of.get(j, {}).items()):
            if o == i or (ix.slots[o].id, ix.people[j].id) in pinned:
                continue
            leave = remove_terms(ix, roster, o, lo, j)
            roster.remove(o, lo, j)
            try:
                if _blocks(ix, roster, i, l, j):
                    continue
                take = add_terms(ix, roster, i, l, j)
                roster.add(i, l, j)
                try:
                    best = _cheapest(ix, roster, o, lo, exclude=j)
                finally:
                    roster.remove(i, l, j)
            finally:
                roster.add(o, lo, j)
            if best is not None:
                q, fill = best
                terms = _sum(base, leave, take, fill)
                found.append(Repair(ix.people[j].id, ix.slots[o].id, lo, ix.people[q].id,
                                    sum(terms.values()), _nonzero(terms)))
    found.sort(key=lambda r: (r.delta, r.person, r.replacement))
    return tuple(found[:limit])


def _cheapest(ix: ProblemIndex, roster: Roster, i: int, l: int, exclude: int) -> tuple[int, dict] | None:
    best: tuple[float, str, int, dict] | None = None
    for q in range(len(ix.people)):
        if q == exclude or static_blocker(ix, q, i, l) is not None or _blocks(ix, roster, i, l, q):
            continue
        terms = add_terms(ix, roster, i, l, q)
        key = (sum(terms.values()), ix.people[q].id)
        if best is None or key < best[:2]:
            best = (*key, q, terms)
    return None if best is None else (best[2], best[3])
