"""Split a problem into parts that share no people, so each is solved on its own.

Two slots belong to one part when some person is a candidate for both (every hard rule
that ties assignments together goes through a person, except supervision, which stays
within a slot, and choice, which ties the slots of one group: those are joined too).
Tiny components are packed together into parts of about `pack_size` variables, since one
CP-SAT call per village would spend more time starting up than solving.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from solver.candidates import Candidates
from solver.model.index import ProblemIndex


@dataclass
class Part:
    slots: list[int] = field(default_factory=list)
    triples: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.triples)

    @property
    def people(self) -> set[int]:
        return {j for _, _, j in self.triples}


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:
            self.parent[a], a = root, self.parent[a]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def components(ix: ProblemIndex, cands: Candidates) -> list[Part]:
    """Connected components over slots; every slot is in exactly one, even one nobody
    can staff (its lines still cost)."""
    uf = _UnionFind(len(ix.slots))
    first_slot: dict[int, int] = {}
    for i, _, j in cands.triples():
        if j in first_slot:
            uf.union(first_slot[j], i)
        else:
            first_slot[j] = i
    for group in ix.choice_groups.values():
        for i in group[1:]:
            uf.union(group[0], i)
    parts: dict[int, Part] = defaultdict(Part)
    for i in range(len(ix.slots)):
        parts[uf.find(i)].slots.append(i)
    for i, l, j in cands.triples():
        parts[uf.find(i)].triples.append((i, l, j))
    return sorted(parts.values(), key=lambda p: (p.size, p.slots[0]))


def pack(parts: list[Part], pack_size: int) -> list[Part]:
    """Merge small parts (smallest first) into parts of at least `pack_size` variables;
    parts already that big stay alone. Smallest first in the result."""
    out: list[Part] = []
    bin_ = Part()
    for part in sorted(parts, key=lambda p: p.size):
        if part.size >= pack_size:
            out.append(part)
            continue
        bin_.slots += part.slots
        bin_.triples += part.triples
        if bin_.size >= pack_size:
            out.append(bin_)
            bin_ = Part()
    if bin_.slots:
        out.append(bin_)
    return sorted(out, key=lambda p: p.size)


def decompose(ix: ProblemIndex, cands: Candidates, pack_size: int = 3000) -> list[Part]:
    return pack(components(ix, cands), pack_size)
