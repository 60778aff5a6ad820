"""Split a problem into parts that share no people, so each is solved on its own.

Two slots belong to one part when some person is a candidate for both (every hard rule
that ties assignments together goes through a person, except supervision, which stays
within a slot, and choice, which ties the slots of one group: those are joined too).
Tiny components are packed together into parts of about `pack_size` variables, since one
CP-SAT call per village would spend more time starting up than solving.

A city week is usually one component: someone near a district border is a candidate on
both sides. A component above `max_size` variables is therefore cut along the districts
of its sites: each person keeps the candidacies of one home district (where they hold
pins, then warm-start or previous assignments, then most candidacies) and the districts
become independent parts. The cut is a restriction, like the `k` cut: CP-SAT's bounds
hold for the restricted problem, and the dropped candidacies are kept with each part
(`Part.extra`) so that, with time left, the polish (`solver.model.polish`) can improve the
roster district by district over all of them, the rest of the roster fixed.
(A relaxation that copies border people into every district, with fairness split by
the triangle inequality, gives a bound for the uncut problem; measured on generated city
weeks it was 10-50 % below the best rosters, useless, so it is not used.)
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
    # A piece of a component cut by district: `extra` holds its lines' candidacies of
    # people whose home is another district (left out of `triples`).
    linked: bool = False
    extra: list[tuple[int, int, int]] = field(default_factory=list)

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
    whole = Part(list(range(len(ix.slots))), list(cands.triples()))
    return sorted(_components_of(ix, whole), key=lambda p: (p.size, p.slots[0]))


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


def split_by_district(ix: ProblemIndex, part: Part, pins=(), keep=()) -> list[Part]:
    """Independent parts, one per district of the part's sites, each person's
    candidacies kept in their home district only (see the module docstring). Districts
    where one person holds pins stay together: pins are never cut."""
    district = {i: ix.sites[ix.slots[i].site].district for i in part.slots}
    names = sorted(set(district.values()))
    pos = {d: n for n, d in enumerate(names)}
    uf = _UnionFind(len(names))
    pinned, keep = set(pins), set(keep)
    weight: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for key in part.triples:
        i, _, j = key
        w = weight[j].setdefault(district[i], [0, 0, 0])
        w[0] += key in pinned
        w[1] += key in keep
        w[2] += 1
    home = {}
    for j, by_d in weight.items():
        home[j] = max(by_d, key=lambda d: (*by_d[d], d == ix.people[j].district, d))
        for d, (pinned_here, _, _) in by_d.items():
            if pinned_here:
                uf.union(pos[d], pos[home[j]])
    group = {d: uf.find(pos[d]) for d in names}
    if len(set(group.values())) == 1:
        return [part]  # pins hold every district together: nothing to cut
    out: dict[int, Part] = defaultdict(lambda: Part(linked=True))
    for i in part.slots:
        out[group[district[i]]].slots.append(i)
    for key in part.triples:
        i, _, j = key
        piece = out[group[district[i]]]
        (piece.triples if group[district[i]] == group[home[j]] else piece.extra).append(key)
    return list(out.values())


def decompose(ix: ProblemIndex, cands: Candidates, pack_size: int = 3000,
              max_size: int = 20000, pins=(), keep=()) -> list[Part]:
    """Parts sharing no people: components (small ones packed together), the big ones
    cut by district (`linked`)."""
    single, linked = [], []
    for part in components(ix, cands):
        if part.size <= max_size:
            single.append(part)
        else:
            linked += split_by_district(ix, part, pins, keep)
    return pack(single, pack_size) + sorted(linked, key=lambda p: p.size)


def _components_of(ix: ProblemIndex, part: Part) -> list[Part]:
    """The connected components of one part (as `components` does for a whole problem)."""
    local = {i: n for n, i in enumerate(part.slots)}
    uf = _UnionFind(len(part.slots))
    first: dict[int, int] = {}
    for i, _, j in part.triples:
        if j in first:
            uf.union(first[j], local[i])
        else:
            first[j] = local[i]
    for group in ix.choice_groups.values():
        inside = [local[i] for i in group if i in local]
        for n in inside[1:]:
            uf.union(inside[0], n)
    out: dict[int, Part] = defaultdict(Part)
    for i in part.slots:
        out[uf.find(local[i])].slots.append(i)
    for key in part.triples:
        out[uf.find(local[key[0]])].triples.append(key)
    return list(out.values())
