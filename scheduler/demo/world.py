"""build_world: a realistic, deterministic public legal service world modelled on Ningbo.

Sizes: "tiny" (tests: 3 townships of 鄞州区, 20 villages, 40 people), "district" (鄞州区:
22 townships and streets, 300 villages and communities, 3,200 people) and "city" (the ten
districts and counties: 153 townships, 3,000 villages, 25,000 people).

Each district draws from its own random streams seeded by (seed, district), so a district
is the same whichever size it is built in (only what must be unique city-wide, phone
numbers and law firm names, may differ); everything dated (exceptions, events, requests)
comes from a stream that also includes the week, so the standing world does not change
with the week asked for.
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from scheduler.demo import people as pp
from scheduler.demo import services
from scheduler.demo.geography import DISTRICTS, TOWNSHIPS, scatter, township_positions, village_name
from scheduler.demo.model import District, PairingRecord, Person, Site, Township, World
from scheduler.demo.names import PhoneBook
from scheduler.demo.pairing import ensure_capacity, pair_villages, rhythm_for
from scheduler.demo.staff import Draft, email_of, organisations
from scheduler.demo.staff import people as make_people

SIZES = ("tiny", "district", "city")
HOME_DISTRICT = "330212"  # 鄞州区
EXCEPTION_WEEKS = 4  # dated exceptions and square events cover this many weeks
REQUEST_WEEKS = 2  # visit requests: this week and next


def build_world(size: str, seed: int, week_start: date) -> World:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: expected one of {', '.join(SIZES)}")
    if not isinstance(week_start, date) or week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday date, got {week_start!r}")
    rows = DISTRICTS if size == "city" else [r for r in DISTRICTS if r[0] == HOME_DISTRICT]
    phones = PhoneBook(random.Random(f"demo:{seed}:phones"))
    brands = (random.Random(f"demo:{seed}:brands"), set())
    parts = [_district(size, seed, row, week_start, phones, brands) for row in rows]
    return World(size, seed, week_start,
                 *(tuple(x for part in parts for x in part[k]) for k in range(9)))


def _district(size, seed, row, week_start, phones, brands):
    code, prefix, name, lat, lon, mid_lat, mid_lon, radius, n_villages, n_people = row
    rng = random.Random(f"demo:{seed}:{code}")
    drng = random.Random(f"demo:{seed}:{code}:{week_start.isoformat()}")
    tiny = size == "tiny"
    d = District(code, prefix, name, lat, lon)
    names = TOWNSHIPS[code].split()
    if tiny:
        names = [n for n in names if n.endswith("街道")][:1] + [n for n in names if n.endswith("镇")][:2]
        n_villages, counts = 20, dict(pp.TINY_ROLES)
    else:
        counts = pp.role_counts(n_people)
    positions = township_positions(rng, (lat, lon), (mid_lat, mid_lon), radius, names)
    townships = [Township(f"{prefix}-T{i + 1:02d}", code, n, la, lo, n.endswith("街道"))
                 for i, (n, (la, lo)) in enumerate(zip(names, positions))]
    villages = _villages(rng, d, townships, n_villages)

    centre_sites, templates = services.centre_sites(rng, d, compact=tiny)
    windows = []
    for i, t in enumerate(townships):
        site, more = services.township_window(rng, d, t, i + 1)
        windows.append(site)
        templates += more
    squares = services.squares(rng, d, townships, 1 if tiny else 2)
    orgs, pools = organisations(rng, d, townships, villages, counts["lawyer"], brands)
    centre = (centre_sites[0].lat, centre_sites[0].lon)
    drafts = make_people(rng, drng, d, counts, pools, townships, villages, centre, phones,
                         week_start, EXCEPTION_WEEKS)

    lawyers = [p for p in drafts if "lawyer" in p.roles and p.max_paired_sites is not None]
    ensure_capacity(rng, lawyers, len(villages))
    pairs = pair_villages(rng, villages, lawyers)
    by_id = {p.external_id: p for p in lawyers}
    taken: dict[str, set] = {}
    villages = [replace(v, rhythm=rhythm_for(rng, by_id[pairs[v.external_id]],
                                             taken.setdefault(pairs[v.external_id], set())))
                for v in villages]
    pairings = [PairingRecord(v.external_id, pairs[v.external_id]) for v in villages]

    events = services.square_events(drng, d, squares, week_start, EXCEPTION_WEEKS,
                                    (1,) if tiny else (1, 2))
    requests = services.visit_requests(drng, d, villages, week_start, REQUEST_WEEKS,
                                       max(1, round(len(villages) / 40)))
    sites = [*villages, *windows, *centre_sites, *squares]
    return ([d], townships, orgs, sites, [_freeze(p, code) for p in drafts], pairings,
            templates, events, requests)


def _villages(rng: random.Random, d: District, townships: list[Township], total: int) -> list[Site]:
    """Spread `total` villages over the townships (rural ones hold more) by largest remainder."""
    weights = [(0.8 if t.urban else 1.2) * rng.uniform(0.7, 1.3) for t in townships]
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[: total - sum(counts)]:
        counts[i] += 1
    out: list[Site] = []
    for t, n in zip(townships, counts):
        taken: set[str] = set()
        for _ in range(n):
            community = t.urban and rng.random() < 0.85
            lat, lon = scatter(rng, t.lat, t.lon, 2.0 if t.urban else 4.5, 0.2)
            out.append(Site(f"{d.prefix}-V{len(out) + 1:04d}", d.code, t.code, "village",
                            t.name + village_name(rng, community, taken), lat, lon,
                            _needs(rng, community)))
    return out


def _needs(rng: random.Random, community: bool) -> tuple[str, ...]:
    """Most villages need nothing special; rural ones may want Ningbo dialect or land law,
    communities family, labour or elderly care."""
    options = (("family", 0.06), ("labour", 0.04), ("elderly", 0.04)) if community else \
        (("dialect_ningbo", 0.15), ("land", 0.1))
    return tuple(sorted(tag for tag, p in options if rng.random() < p))


def _freeze(p: Draft, district: str) -> Person:
    return Person(p.external_id, district, p.organisation, p.name, p.gender, tuple(p.roles),
                  tuple(sorted(p.skills)), p.phone, email_of(p), p.lat, p.lon,
                  p.max_hours_week, p.target_hours_week, p.max_slots_per_day,
                  p.max_paired_sites, p.active, p.available, p.undesired, p.exceptions)
