"""Benchmark of the standing village-adviser pairing on a city (Ningbo-sized) problem.

    python -m benchmarks.pairing                  # the demo world's city, else a synthetic one
    python -m benchmarks.pairing --source synthetic --villages 3000 --lawyers 4000
    python -m benchmarks.pairing --markdown       # also one table row for the docs
    python -m benchmarks.pairing --dense          # also solve with every eligible arc (numpy)

Prints the size, the arcs the solver needed out of all eligible ones, wall time, objective,
status, and an independent check of the hard rules and the objective by the spec's text.
`--dense` solves the same flow on every eligible arc, to show the sparse graph with
pricing reaches the same optimum (it needs numpy and a few GB of memory).
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter

from solver.geo import km
from solver.io import parse_problem
from solver.pairing import pair
from solver.pairing.solve import _transport
from solver.problem import Pairing, Problem

DISTRICTS = ("海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "余姚市", "慈溪市",
             "宁海县", "象山县")
SKILLS = {"dialect_ningbo": 0.45, "contract": 0.3, "family": 0.25, "labour": 0.25,
          "land": 0.15, "elderly": 0.05}
NEEDS = [((), 0.80), (("dialect_ningbo",), 0.09), (("land",), 0.06), (("family",), 0.02),
         (("dialect_ningbo", "land"), 0.015), (("labour",), 0.01), (("elderly",), 0.005)]


def synthetic_doc(villages: int, lawyers: int, seed: int) -> dict:
    """A city: 10 districts in lat 29.6-30.2, lon 121.0-122.0; villages around township
    seats, most lawyers in the district towns; capacities 1-3 (some only by their current
    count, 5% of those with villages cut by one); about 90% of villages with a current
    adviser, usually a near one."""
    rng = random.Random(seed)
    seats = [(29.65 + 0.5 * (i // 5) + rng.uniform(0, 0.05), 121.1 + 0.2 * (i % 5)
              + rng.uniform(0, 0.05)) for i in range(len(DISTRICTS))]

    def near(lat, lon, sd_km):
        return (min(30.2, max(29.6, lat + rng.gauss(0, sd_km / 111.0))),
                min(122.0, max(121.0, lon + rng.gauss(0, sd_km / 96.0))))

    sites, people = [], []
    for i in range(villages):
        d = i % len(DISTRICTS)
        lat, lon = near(*seats[d], 12.0)
        needs = rng.choices([n for n, _ in NEEDS], [w for _, w in NEEDS])[0]
        site = {"id": f"V{i:05d}", "name": f"village {i}", "kind": "village",
                "district": DISTRICTS[d], "lat": round(lat, 6), "lon": round(lon, 6)}
        if needs:
            site["needs"] = list(needs)
        sites.append(site)
    for i, (lat, lon) in enumerate(seats):
        sites.append({"id": f"W{i:02d}", "name": f"window {i}", "kind": "window",
                      "district": DISTRICTS[i], "lat": lat, "lon": lon})
    for i in range(lawyers):
        d = i % len(DISTRICTS)
        lat, lon = near(*seats[d], 4.0 if rng.random() < 0.7 else 14.0)
        skills = sorted(s for s, share in SKILLS.items() if rng.random() < share)
        people.append({"id": f"L{i:05d}", "name": f"lawyer {i}", "roles": ["lawyer"],
                       "skills": skills, "district": DISTRICTS[d], "lat": round(lat, 6),
                       "lon": round(lon, 6), "max_hours": 40, "paired_sites": [],
                       "excluded_sites": [], "_cap": rng.choices([1, 2, 3], [40, 35, 25])[0]})
    _current_pairs(rng, sites[:villages], people)
    for q in people:
        cap = q.pop("_cap")
        if q["paired_sites"] and rng.random() < 0.05:
            # Cutting down: one current village must go to someone else.
            q["max_paired_sites"] = len(q["paired_sites"]) - 1
        elif rng.random() < 0.7:
            q["max_paired_sites"] = max(cap, len(q["paired_sites"]))
        if rng.random() < 0.02:
            q["excluded_sites"] = [rng.choice(sites[:villages])["id"]]
    return {"format": "roster-problem/1", "timezone": "Asia/Shanghai", "sites": sites,
            "people": people, "slots": []}


def _current_pairs(rng: random.Random, villages: list[dict], people: list[dict]) -> None:
    """About 90% of villages get one of their five nearest eligible lawyers with room."""
    cells: dict[tuple[int, int], list[dict]] = {}
    for q in people:
        cells.setdefault((int(q["lat"] * 20), int(q["lon"] * 20)), []).append(q)
    for v in villages:
        if rng.random() >= 0.9:
            continue
        ci, cj = int(v["lat"] * 20), int(v["lon"] * 20)
        pool = [q for di in (-1, 0, 1) for dj in (-1, 0, 1) for q in cells.get((ci + di, cj + dj), ())
                if set(v.get("needs", ())) <= set(q["skills"]) and len(q["paired_sites"]) < q["_cap"]]
        pool.sort(key=lambda q: km(v["lat"], v["lon"], q["lat"], q["lon"]))
        if pool:
            rng.choice(pool[:5])["paired_sites"].append(v["id"])


def world_doc(seed: int) -> dict | None:
    """The demo world's city (helper WORLD's generator), without its slots."""
    try:
        from benchmarks.generate import problem_doc
    except ImportError:
        return None
    doc = problem_doc("city", seed)
    doc["slots"] = []  # the pairing never reads them; parsing them would only cost time
    return doc


def check(problem: Problem, pairing: Pairing) -> list[str]:
    """Every hard rule of the spec's standing pairing that `pairing` breaks, and whether its
    objective is the spec's, computed here from the pairs alone."""
    sites, people = {s.id: s for s in problem.sites}, {q.id: q for q in problem.people}
    role = problem.rules.supervisor_role

    def limit(q):
        return len(q.paired_sites) if q.max_paired_sites is None else q.max_paired_sites

    def eligible(s, q):
        return role in q.roles and set(s.needs) <= q.skills and s.id not in q.excluded_sites

    out = []
    per_site = Counter(x.site for x in pairing.pairs)
    load = Counter(x.person for x in pairing.pairs)
    out += [f"{s} has {n} advisers" for s, n in per_site.items() if n > 1]
    out += [f"{q} holds {n} villages, limit {limit(people[q])}" for q, n in load.items()
            if n > limit(people[q])]
    for x in pairing.pairs:
        s, q = sites.get(x.site), people.get(x.person)
        if s is None or q is None or s.kind != "village" or not eligible(s, q):
            out.append(f"pair {x.site}-{x.person} is not allowed")
    free = [q for q in problem.people if load[q.id] < limit(q)]
    for s in problem.sites:
        if s.kind == "village" and s.id not in per_site:
            if any(eligible(s, q) for q in free):
                out.append(f"{s.id} is unpaired while someone eligible has room")
    w, chosen = problem.weights, {(x.site, x.person) for x in pairing.pairs}
    total = sum(km(sites[s].lat, sites[s].lon, people[q].lat, people[q].lon) * w.km
                for s, q in chosen)
    total += w.change * sum(1 for q in problem.people for s in q.paired_sites
                            if (s, q.id) not in chosen)
    total += w.unfilled * sum(1 for s in problem.sites if s.kind == "village"
                              and s.id not in per_site)
    if not math.isclose(total, pairing.objective, rel_tol=1e-9, abs_tol=1e-6):
        out.append(f"objective {pairing.objective} but the pairs cost {total}")
    return out


def eligible_arcs(problem: Problem) -> int:
    """Village-person pairs allowed by role, skills, exclusions and room (no pruning)."""
    t = _transport(problem, ())
    total = sum(len(t.groups[g]) for g in t.group)
    index = {s.id: v for v, s in enumerate(t.villages)}
    members = [set(g) for g in t.groups]
    for p, q in enumerate(t.people):
        total -= sum(1 for s in q.excluded_sites if s in index and p in members[t.group[index[s]]])
    return total


def dense_optimum(problem: Problem) -> tuple[int, int, float]:
    """The flow optimum over every eligible arc: (cost in the solver's scaled units, arcs,
    seconds). Built with numpy, outside the solver."""
    import numpy as np
    from ortools.graph.python import min_cost_flow

    from solver.pairing.flow import choose_scale

    started = time.perf_counter()
    t = _transport(problem, ())
    nv, npeople, w = len(t.villages), len(t.people), t.weights
    scale = choose_scale(w, nv + npeople)
    unpaired = round(scale * (w.unfilled + w.change))
    lat = np.radians([q.lat for q in t.people])
    lon = np.radians([q.lon for q in t.people])
    current: dict[int, set[int]] = {}
    for v, p in t.current:
        current.setdefault(v, set()).add(p)
    tails, heads, costs = [], [], []
    for v, s in enumerate(t.villages):
        people = np.array(t.eligible(v), dtype=np.int64)
        if not len(people):
            continue
        la, lo = math.radians(s.lat), math.radians(s.lon)
        h = (np.sin((lat[people] - la) / 2) ** 2
             + math.cos(la) * np.cos(lat[people]) * np.sin((lon[people] - lo) / 2) ** 2)
        dist = 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(1.0, h)))
        extra = np.array([0.0 if p in current.get(v, ()) else w.change for p in people])
        cost = np.rint(scale * (dist * w.km + extra)).astype(np.int64)
        keep = cost < unpaired
        tails.append(np.full(int(keep.sum()), v))
        heads.append(nv + people[keep])
        costs.append(cost[keep])
    arcs = int(sum(len(c) for c in costs))
    sink = nv + npeople
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails + [np.arange(nv), nv + np.arange(npeople)]).astype(np.int32),
        np.concatenate(heads + [np.full(nv + npeople, sink)]).astype(np.int32),
        np.concatenate([np.ones(arcs + nv, dtype=np.int64), np.array(t.cap, dtype=np.int64)]),
        np.concatenate(costs + [np.full(nv, unpaired), np.zeros(npeople, dtype=np.int64)]))
    flow.set_nodes_supplies(np.append(np.arange(nv), sink).astype(np.int32),
                            np.append(np.ones(nv, dtype=np.int64), -nv))
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("dense flow did not solve")
    return flow.optimal_cost(), arcs, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pairing",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", choices=("auto", "world", "synthetic"), default="auto")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--villages", type=int, default=3000, help="synthetic only")
    ap.add_argument("--lawyers", type=int, default=4000, help="synthetic only")
    ap.add_argument("--markdown", action="store_true", help="also print a markdown table row")
    ap.add_argument("--dense", action="store_true", help="also solve on every eligible arc")
    args = ap.parse_args(argv)

    doc = world_doc(args.seed) if args.source in ("auto", "world") else None
    if doc is None and args.source == "world":
        ap.error("benchmarks.generate (the demo world) is not available")
    source = "world city" if doc is not None else "synthetic"
    if doc is None:
        doc = synthetic_doc(args.villages, args.lawyers, args.seed)
    problem = parse_problem(doc)

    started, cpu_started = time.perf_counter(), time.process_time()
    result = pair(problem)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    stats = dict(result.stats)
    problems = check(problem, result)
    villages = sum(1 for s in problem.sites if s.kind == "village")
    role = problem.rules.supervisor_role
    lawyers = sum(1 for q in problem.people if role in q.roles)
    current = {(s, q.id) for q in problem.people for s in q.paired_sites}
    chosen = {(x.site, x.person) for x in result.pairs}
    all_arcs = eligible_arcs(problem)
    print(f"source {source} (seed {args.seed}): {villages} villages, {lawyers} lawyers "
          f"({stats['people']} with room), {len(current)} current pairs")
    print(f"arcs: {stats['arcs']:,} used of {all_arcs:,} eligible "
          f"({stats['arcs'] / max(1, all_arcs):.2%}), {stats['flow_rounds']} flow rounds")
    print(f"wall {wall:.2f} s (cpu {cpu:.2f} s)  status {result.status}  objective {result.objective:,.3f}  "
          f"method {stats['method']}")
    print(f"pairs {len(chosen)} (kept {len(chosen & current)}, new {len(chosen - current)}), "
          f"current pairs dropped {len(current - chosen)}, unpaired {len(result.unpaired_sites)}")
    print("hard rules and objective: " + ("ok" if not problems else
                                          f"{len(problems)} problems: {problems[:5]}"))
    if args.dense:
        from solver.pairing.flow import solve_transport

        sparse = solve_transport(_transport(problem, ()))
        cost, arcs, seconds = dense_optimum(problem)
        same = "same optimum" if cost == sparse.flow_cost else "DIFFERENT optimum"
        print(f"dense check: {arcs:,} arcs, {seconds:.1f} s, flow cost {cost} vs sparse "
              f"{sparse.flow_cost}: {same}")
    if args.markdown:
        print("| source | villages | lawyers | eligible arcs | arcs used | rounds | wall s "
              "| cpu s | objective | status | hard rules |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        print(f"| {source} | {villages} | {lawyers} | {all_arcs:,} | {stats['arcs']:,} "
              f"| {stats['flow_rounds']} | {wall:.2f} | {cpu:.2f} | {result.objective:,.1f} "
              f"| {result.status} | {'ok' if not problems else 'BROKEN'} |")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
