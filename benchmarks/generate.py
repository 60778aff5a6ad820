"""Benchmark instances: one week of the demo world as a roster-problem/1 document.

    python -m benchmarks.generate district --seed 1 -o district.json
    python -m benchmarks.generate city --scarce -o city-scarce.json
    python -m benchmarks.generate district --requests -o district-requests.json

Slots: window and station shifts from the templates, the village visits due this week by
their rhythm (the paired adviser preferred through `paired_sites`), the weekend square
events, and every village request as a `choice` group (one slot per acceptable time, each
later preference costing 20 more). People: everyone active, with their weekly availability
expanded over the week minus their dated unavailability. `scarce=True` is the same week
after a wave of absences: most people lose most of their time, so even a careful greedy
leaves several percent of places open. `requests=True` is the same week with
REQUEST_FACTOR times as many village visit requests (choice groups): the extra requests
are drawn like the demo world's own (`scheduler.demo.services.visit_requests`, this week
only) from a generator of their own, deterministic by seed.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from scheduler.demo import build_world
from scheduler.demo.model import DemandLine, VisitRequest, World
from scheduler.demo.services import visit_requests

DEFAULT_WEEK = date(2026, 11, 30)  # the Monday after 2026-11-23
TIMEZONE = "Asia/Shanghai"
CHOICE_STEP = 20
URGENCY_PRIORITY = {"normal": 4, "urgent": 5}  # as scheduler.demand.generate gives requests
# scarce=True: share of each person's free intervals that survive. Tuned against
# solver.greedy over seeds 1-3: about 8% of places left open for the city (7-8%), about 10%
# for the district (10-11%); supply falls off a cliff below this, so change it in small steps.
SCARCE_KEEP = 0.08
# requests=True: about this many times the usual number of village requests this week.
REQUEST_FACTOR = 5


def problem_doc(size: str, seed: int, week_start: date | None = None,
                scarce: bool = False, requests: bool = False) -> dict:
    week_start = week_start or DEFAULT_WEEK
    world = build_world(size, seed, week_start)
    districts = {d.code: d.name for d in world.districts}
    scarce_rng = random.Random(f"scarce:{seed}:{week_start.isoformat()}") if scarce else None
    paired: dict[str, list[str]] = {}
    for pr in world.pairings:
        paired.setdefault(pr.person, []).append(pr.site)
    return {
        "format": "roster-problem/1",
        "timezone": TIMEZONE,
        "sites": [_site(s, districts) for s in world.sites],
        "people": [_person(p, week_start, districts, paired.get(p.external_id, []), scarce_rng)
                   for p in world.people if p.active],
        "slots": _slots(world, seed, _extra_requests(world, seed) if requests else []),
    }


def _extra_requests(world: World, seed: int) -> list[VisitRequest]:
    """(REQUEST_FACTOR - 1) times the usual weekly number of requests per district, drawn
    as the demo world draws its own, with ids of their own (R -> RH)."""
    rng = random.Random(f"requests:{seed}:{world.week_start.isoformat()}")
    out = []
    for d in world.districts:
        villages = [s for s in world.sites if s.kind == "village" and s.district == d.code]
        if not villages:
            continue
        per_week = (REQUEST_FACTOR - 1) * max(1, round(len(villages) / 40))
        for r in visit_requests(rng, d, villages, world.week_start, 1, per_week):
            out.append(replace(r, external_id=r.external_id.replace("-R", "-RH", 1)))
    return out


def _iso(moment: datetime) -> str:
    return moment.isoformat()  # no tzinfo, no microseconds: YYYY-MM-DDTHH:MM:SS


def _at(day: date, t: time | None) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0)) if t is None else datetime.combine(day, t)


def _interval(start: datetime, end: datetime) -> dict:
    return {"start": _iso(start), "end": _iso(end)}


def _site(s, districts) -> dict:
    doc = {"id": s.external_id, "name": s.name, "kind": s.kind,
           "district": districts[s.district], "lat": s.lat, "lon": s.lon}
    if s.needs:
        doc["needs"] = list(s.needs)
    return doc


def _subtract(spans: list[tuple[datetime, datetime]],
              holes: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    for h0, h1 in holes:
        out = []
        for a, b in spans:
            if h1 <= a or b <= h0:
                out.append((a, b))
                continue
            if a < h0:
                out.append((a, h0))
            if h1 < b:
                out.append((h1, b))
        spans = out
    return spans


def _person(p, week: date, districts, paired: list[str], scarce_rng) -> dict:
    week_end = _at(week + timedelta(days=6), None)
    rules = [(_at(week + timedelta(days=r.weekday), r.start),
              _at(week + timedelta(days=r.weekday), r.end)) for r in p.available]
    exc = {"unavailable": [], "undesired": []}
    for e in p.exceptions:
        start, end = _at(e.day, e.start), _at(e.day, e.end)
        if start < week_end and end > _at(week, time(0)):
            exc[e.kind].append((start, end))
    available = _subtract(sorted(rules), exc["unavailable"])
    if scarce_rng is not None:
        available = [span for span in available if scarce_rng.random() < SCARCE_KEEP]
    undesired = sorted([(_at(week + timedelta(days=r.weekday), r.start),
                         _at(week + timedelta(days=r.weekday), r.end)) for r in p.undesired]
                       + exc["undesired"])
    doc = {"id": p.external_id, "name": p.name, "roles": list(p.roles), "skills": list(p.skills),
           "district": districts[p.district], "lat": p.lat, "lon": p.lon,
           "max_hours": p.max_hours_week}
    if p.target_hours_week is not None:
        doc["target_hours"] = p.target_hours_week
    if p.max_slots_per_day is not None:
        doc["max_slots_per_day"] = p.max_slots_per_day
    if p.max_paired_sites is not None:
        doc["max_paired_sites"] = p.max_paired_sites
    doc["available"] = [_interval(a, b) for a, b in available]
    if exc["unavailable"]:
        doc["unavailable"] = [_interval(a, b) for a, b in sorted(exc["unavailable"])]
    if undesired:
        doc["undesired"] = [_interval(a, b) for a, b in undesired]
    if paired:
        doc["paired_sites"] = paired
    return doc


def _lines(demand: tuple[DemandLine, ...]) -> list[dict]:
    out = []
    for line in demand:
        doc = {"roles": list(line.roles), "count": line.count}
        if line.skills:
            doc["skills"] = list(line.skills)
        out.append(doc)
    return out


class _Slots:
    """Collects slots with ids in the spec examples' style (YZ-V0004@1202AM), suffixed
    when one site has two slots in one half-day."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self._ids: set[str] = set()

    def add(self, site: str, kind: str, start: datetime, end: datetime, priority: int,
            lines: list[dict], choice: str | None = None, cost: int = 0) -> None:
        base = f"{site}@{start:%m%d}{'AM' if start.hour < 12 else 'PM'}"
        sid, n = base, 1
        while sid in self._ids:
            n += 1
            sid = f"{base}-{n}"
        self._ids.add(sid)
        doc = {"id": sid, "site": site, "kind": kind, "start": _iso(start), "end": _iso(end),
               "priority": priority, "demand": lines}
        if choice is not None:
            doc["choice"] = choice
            doc["choice_cost"] = cost
        self.items.append(doc)


def _slots(world: World, seed: int, extra: list[VisitRequest]) -> list[dict]:
    week = world.week_start
    days = {week + timedelta(days=k) for k in range(7)}
    rng = random.Random(f"visits:{seed}:{week.isoformat()}")
    out = _Slots()
    for t in world.shift_templates:
        day = week + timedelta(days=t.weekday)
        out.add(t.site, "shift", _at(day, t.start), _at(day, t.end), t.priority, _lines(t.demand))
    for s in world.sites:
        if s.rhythm is None or not s.rhythm.is_due(week):
            continue
        start = _at(week + timedelta(days=s.rhythm.weekday), s.rhythm.start)
        lines = [{"roles": ["lawyer"], "count": 1}]
        if rng.random() < 0.25:  # the adviser joins a dispute mediation on this visit
            lines.append({"roles": ["mediator"], "count": 1})
        out.add(s.external_id, "visit", start, start + timedelta(minutes=s.rhythm.duration_minutes),
                3, lines)
    for e in world.events:
        if e.day in days:
            out.add(e.site, "event", _at(e.day, e.start), _at(e.day, e.end), e.priority,
                    _lines(e.demand))
    for r in [*world.requests, *extra]:
        if not all(w.day in days for w in r.windows):
            continue
        lines = [{"roles": ["lawyer"], "count": 1}]
        if r.kind == "mediation":
            lines.append({"roles": ["mediator"], "count": 1})
        for rank, w in enumerate(r.windows):
            out.add(r.site, "visit", _at(w.day, w.start), _at(w.day, w.end),
                    URGENCY_PRIORITY[r.urgency], [dict(x) for x in lines], r.external_id,
                    rank * CHOICE_STEP)
    return out.items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("size", choices=("tiny", "district", "city"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--week", type=date.fromisoformat, default=None,
                    help=f"Monday of the week (YYYY-MM-DD), default {DEFAULT_WEEK}")
    ap.add_argument("--scarce", action="store_true", help="much less availability")
    ap.add_argument("--requests", action="store_true",
                    help=f"about {REQUEST_FACTOR} times as many village visit requests")
    ap.add_argument("-o", "--output", default="-", help="file to write, - for stdout")
    args = ap.parse_args(argv)
    try:
        doc = problem_doc(args.size, args.seed, args.week, args.scarce, args.requests)
    except ValueError as e:
        ap.error(str(e))
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(f"{args.output}: {len(doc['sites'])} sites, {len(doc['people'])} people, "
              f"{len(doc['slots'])} slots", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
