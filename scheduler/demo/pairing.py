"""The standing village-adviser pairing of the demo world (挂钩结对) and the set visit times
agreed with each adviser.

Nearest-ish on purpose: a real pairing grew over years and is good but not optimal, which
leaves the optimal pairing (solver.pairing) something to improve.
"""
from __future__ import annotations

import heapq
import math
import random
from datetime import datetime, timedelta

from scheduler.demo.model import Site, VisitRhythm
from scheduler.demo.staff import Draft


def ensure_capacity(rng: random.Random, lawyers: list[Draft], n_villages: int) -> None:
    """Raise some lawyers' max_paired_sites until there is room for every village with a
    margin (a rural county has more villages per lawyer than a city district)."""
    want = math.ceil(n_villages * 1.3)
    have = sum(p.max_paired_sites for p in lawyers)
    open_ = [p for p in lawyers if p.max_paired_sites < 3]
    while have < want and open_:
        p = open_[rng.randrange(len(open_))]
        p.max_paired_sites += 1
        have += 1
        if p.max_paired_sites == 3:
            open_.remove(p)


def pair_villages(rng: random.Random, villages: list[Site], lawyers: list[Draft]) -> dict[str, str]:
    """village id -> lawyer id; every village gets a lawyer holding all of its needs."""
    if not lawyers:
        raise ValueError("a district without lawyers cannot pair its villages")
    cos = math.cos(math.radians(villages[0].lat)) if villages else 1.0
    coords = [(p.lat, p.lon * cos) for p in lawyers]
    index = {p.external_id: i for i, p in enumerate(lawyers)}

    def distances(v: Site) -> list[float]:  # squared, on a local flat map: ranking only
        lat, lon = v.lat, v.lon * cos
        return [(a - lat) ** 2 + (b - lon) ** 2 for a, b in coords]

    # Villages with needs first, then the remote ones (far from their third-nearest lawyer),
    # so outlying villages are not left with whoever remains in town.
    remoteness = {v.external_id: heapq.nsmallest(3, distances(v))[-1] for v in villages}
    order = sorted(villages, key=lambda v: (-len(v.needs), -remoteness[v.external_id]))
    open_ = [i for i, p in enumerate(lawyers) if p.max_paired_sites > 0]
    result: dict[str, str] = {}
    for v in order:
        dist = distances(v)
        needs = set(v.needs)
        ranked = heapq.nsmallest(2, (i for i in open_ if needs <= lawyers[i].skills),
                                 key=dist.__getitem__)
        if ranked:
            i = ranked[0] if len(ranked) == 1 or rng.random() < 0.75 else ranked[1]
            chosen = lawyers[i]
        else:
            chosen = _stretch(v, lawyers, lambda p, dist=dist: dist[index[p.external_id]])
        chosen.paired.append(v.external_id)
        open_ = [i for i in open_ if len(lawyers[i].paired) < lawyers[i].max_paired_sites] \
            if len(chosen.paired) >= chosen.max_paired_sites else open_
        result[v.external_id] = chosen.external_id
    return result


def _stretch(v: Site, lawyers: list[Draft], dist) -> Draft:
    """No eligible lawyer has room: ask the nearest one who could take one more village,
    preferring one who already has the skills (and then records them)."""
    spare = [p for p in lawyers if len(p.paired) < 3] or lawyers
    chosen = min(spare, key=lambda p: (not set(v.needs) <= p.skills, dist(p)))
    chosen.skills |= set(v.needs)
    chosen.max_paired_sites = max(chosen.max_paired_sites, len(chosen.paired) + 1)
    return chosen


def rhythm_for(rng: random.Random, lawyer: Draft, taken: set[tuple[int, str]]) -> VisitRhythm:
    """A set visit time inside the adviser's usual availability, on a half-day not already
    used for another of their villages; a few villages keep a time that no longer fits."""
    every = 2 if rng.random() < 0.45 else 4
    duration = rng.choice((120, 120, 150, 180, 180))
    fitting = []
    for day in range(5):
        for half in ("am", "pm"):
            if (day, half) in taken:
                continue
            start = datetime(2000, 1, 1, 9 if half == "am" else 14)
            end = (start + timedelta(minutes=duration)).time()
            if any(r.weekday == day and r.start <= start.time() and end <= r.end
                   for r in lawyer.available):
                fitting.append((day, half))
    if fitting and rng.random() < 0.95:
        day, half = rng.choice(fitting)
    else:
        day, half = rng.randrange(5), rng.choice(("am", "pm"))
    taken.add((day, half))
    return VisitRhythm(every, day, half, duration, rng.randrange(every))
