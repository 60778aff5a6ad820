"""The weekly solver against the greedy baseline, each answer judged by `solver.check`.

    python -m benchmarks.solver [--sizes tiny,district,scarce,city] [--time-limit S]
                                [--seed N] [--workers W] [--no-resolve] [--markdown]

For each size (`scarce` is the district week after a wave of absences) one child process
generates the instance (`benchmarks.generate.problem_doc`), runs the greedy baseline and
the solver, and checks both answers; the parent reads the child's peak resident memory
(`wait4`), which covers CP-SAT's C++ side that tracemalloc cannot see. The re-solve
scenario solves a district week, marks the busiest lawyer unavailable all week and
solves again with `previous` = the first answer, counting how many assignments of other
people changed. Any hard-rule violation, or a solver objective that differs from the
checker's, stops the benchmark with exit status 1.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from solver.check import CheckReport, check

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"tiny": ("tiny", False), "district": ("district", False),
         "scarce": ("district", True), "city": ("city", False)}
DEFAULT_TIME_LIMITS = {"tiny": 10.0, "district": 30.0, "scarce": 30.0, "city": 120.0}
RESOLVE = "resolve"
OBJECTIVE_TOLERANCE = 1e-6


class BenchmarkFailure(RuntimeError):
    """An answer broke a hard rule or misreported its objective."""


# ---------------------------------------------------------------- inside one child

def instance(size: str, seed: int) -> dict:
    from benchmarks.generate import problem_doc

    base, scarce = SIZES[size]
    return problem_doc(base, seed, scarce=scarce)


def judged(problem_doc: dict, solution_doc: dict, what: str) -> CheckReport:
    """The checker's report; raises BenchmarkFailure on any violation or on a claimed
    objective that is not the checker's."""
    report = check(problem_doc, solution_doc)
    if not report.ok:
        shown = "\n".join(f"  rule {r}: {t}" for r, t in report.violations[:30])
        more = len(report.violations) - 30
        raise BenchmarkFailure(f"{what}: {len(report.violations)} hard-rule violation(s)\n"
                               f"{shown}" + (f"\n  ... and {more} more" if more > 0 else ""))
    claimed = report.claimed_objective
    if claimed is not None and abs(claimed - report.objective) > OBJECTIVE_TOLERANCE * max(
            1.0, abs(report.objective)):
        raise BenchmarkFailure(f"{what}: claims objective {claimed:,.6f} but the checker "
                               f"computes {report.objective:,.6f} ({report.terms})")
    return report


def _assignments_doc(assignments) -> dict:
    return {"format": "roster-solution/1", "status": "feasible",
            "assignments": [{"slot": a.slot, "person": a.person, "line": a.line}
                            for a in assignments]}


def _solve(problem, time_limit: float, workers: int, seed: int) -> tuple[dict, float, list]:
    from solver.io import solution_to_dict
    from solver.solve import solve

    progress: list = []
    t0 = time.perf_counter()
    solution = solve(problem, time_limit=time_limit, workers=workers, seed=seed,
                     on_progress=progress.append)
    return solution_to_dict(solution), time.perf_counter() - t0, progress


def run_size(size: str, seed: int, time_limit: float, workers: int) -> dict:
    from solver.greedy import greedy
    from solver.io import parse_problem

    t0 = time.perf_counter()
    doc = instance(size, seed)
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    problem = parse_problem(doc)
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline = greedy(problem)
    greedy_s = time.perf_counter() - t0
    base = judged(doc, _assignments_doc(baseline), f"{size}: greedy")
    written, solve_s, progress = _solve(problem, time_limit, workers, seed)
    report = judged(doc, written, f"{size}: solver")
    bound = written.get("bound")
    return {
        "size": size, "seed": seed, "time_limit": time_limit, "workers": workers,
        "sites": len(doc["sites"]), "people": len(doc["people"]), "slots": len(doc["slots"]),
        "places": report.demanded, "assignments": len(written["assignments"]),
        "generate_s": generate_s, "parse_s": parse_s,
        "wall_s": solve_s, "status": written["status"],
        "objective": report.objective, "terms": report.terms, "bound": bound,
        "gap": _gap(report.objective, bound), "fill": _rate(report),
        "bound_scope": (written.get("stats") or {}).get("bound_scope"),
        # The pruned model's own bound (issue 14): not a bound of the week, for comparison.
        "pruned_bound": (written.get("stats") or {}).get("pruned_bound"),
        "first_solution_s": progress[0].elapsed_s if progress else None,
        "solutions": len(progress),
        "greedy_s": greedy_s, "greedy_objective": base.objective, "greedy_fill": _rate(base),
        "greedy_terms": base.terms,
        "ratio": report.objective / base.objective if base.objective else None,
    }


def _gap(objective: float, bound) -> float | None:
    if bound is None:
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _rate(report: CheckReport) -> float:
    return report.filled / report.demanded if report.demanded else 1.0


def _week_span(doc: dict) -> dict:
    """An interval covering every slot of the problem, with offsets."""
    zone = ZoneInfo(doc["timezone"])

    def instant(text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment

    starts = [instant(s["start"]) for s in doc["slots"]]
    ends = [instant(s["end"]) for s in doc["slots"]]
    return {"start": (min(starts) - timedelta(days=1)).isoformat(),
            "end": (max(ends) + timedelta(days=1)).isoformat()}


def busiest(doc: dict, written: dict, role: str) -> str:
    """The holder of `role` with the most assigned hours (ties: the smallest id)."""
    slot_hours = {s["id"]: (datetime.fromisoformat(s["end"]) - datetime.fromisoformat(
        s["start"])).total_seconds() / 3600 for s in doc["slots"]}
    holders = {p["id"] for p in doc["people"] if role in p["roles"]}
    load: dict[str, float] = {}
    for a in written["assignments"]:
        if a["person"] in holders:
            load[a["person"]] = load.get(a["person"], 0.0) + slot_hours[a["slot"]]
    if not load:
        raise BenchmarkFailure(f"re-solve: no {role} holds any assignment to drop")
    return min(load, key=lambda pid: (-load[pid], pid))


def run_resolve(seed: int, time_limit: float, workers: int) -> dict:
    from solver.io import parse_problem

    doc = instance("district", seed)
    first, first_s, _ = _solve(parse_problem(doc), time_limit, workers, seed)
    judged(doc, first, "re-solve: first solve")
    role = (doc.get("rules") or {}).get("supervisor_role", "lawyer")
    gone = busiest(doc, first, role)
    second_doc = copy.deepcopy(doc)
    person = next(p for p in second_doc["people"] if p["id"] == gone)
    person["unavailable"] = list(person.get("unavailable") or ()) + [_week_span(doc)]
    second_doc["previous"] = [dict(a) for a in first["assignments"]]
    second, second_s, _ = _solve(parse_problem(second_doc), time_limit, workers, seed)
    report = judged(second_doc, second, "re-solve: second solve")

    def others(written: dict) -> set[tuple[str, str]]:
        return {(a["slot"], a["person"]) for a in written["assignments"] if a["person"] != gone}

    before, after = others(first), others(second)
    theirs = {(a["slot"], a["line"]) for a in first["assignments"] if a["person"] == gone}
    taken = {(a["slot"], a["line"]) for a in second["assignments"]}
    return {
        "size": RESOLVE, "seed": seed, "time_limit": time_limit, "workers": workers,
        "first_s": first_s, "wall_s": second_s, "dropped_person": gone,
        "their_assignments": len(theirs), "their_places_refilled": len(theirs & taken),
        "others_before": len(before), "others_kept": len(before & after),
        "others_dropped": len(before - after), "others_added": len(after - before),
        "objective": report.objective, "change_term": report.terms["change"],
        "status": second["status"],
    }


def child(args: argparse.Namespace) -> int:
    limit = args.time_limit or DEFAULT_TIME_LIMITS.get(args.child, 30.0)
    try:
        if args.child == RESOLVE:
            result = run_resolve(args.seed, limit, args.workers)
        else:
            result = run_size(args.child, args.seed, limit, args.workers)
    except BenchmarkFailure as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    with open(args.result, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


# ---------------------------------------------------------------- the parent

def in_child(task: str, args: argparse.Namespace) -> dict:
    """Runs one task in a fresh interpreter; adds its peak RSS (MiB) from wait4."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_path = fh.name
    cmd = [sys.executable, "-m", "benchmarks.solver", "--child", task, "--result", result_path,
           "--seed", str(args.seed), "--workers", str(args.workers)]
    if args.time_limit:
        cmd += ["--time-limit", str(args.time_limit)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise BenchmarkFailure(f"{task}: child exited with status {proc.returncode}")
        with open(result_path, encoding="utf-8") as fh:
            result = json.load(fh)
    finally:
        os.unlink(result_path)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def _num(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


SIZE_COLUMNS = [
    ("size", "size", "s"), ("sites", "sites", "d"), ("people", "people", "d"),
    ("slots", "slots", "d"), ("places", "places", "d"), ("limit s", "time_limit", ".0f"),
    ("wall s", "wall_s", ".1f"), ("status", "status", "s"), ("objective", "objective", ",.0f"),
    ("bound", "bound", ",.0f"), ("gap", "gap", ".1%"), ("fill", "fill", ".1%"),
    ("greedy obj", "greedy_objective", ",.0f"), ("greedy fill", "greedy_fill", ".1%"),
    ("greedy s", "greedy_s", ".1f"), ("obj/greedy", "ratio", ".3f"),
    ("peak RSS MiB", "peak_rss_mib", ",.0f"),
]
RESOLVE_COLUMNS = [
    ("dropped lawyer", "dropped_person", "s"), ("their places", "their_assignments", "d"),
    ("refilled", "their_places_refilled", "d"), ("first solve s", "first_s", ".1f"),
    ("re-solve s", "wall_s", ".1f"), ("others' assignments", "others_before", "d"),
    ("kept", "others_kept", "d"), ("dropped", "others_dropped", "d"),
    ("added", "others_added", "d"), ("change cost", "change_term", ",.0f"),
    ("peak RSS MiB", "peak_rss_mib", ",.0f"),
]


def table(rows: list[dict], columns: list, markdown: bool) -> str:
    head = [title for title, _, _ in columns]
    body = [[_num(row.get(key), fmt) for _, key, fmt in columns] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(head)]
    fmt_row = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([fmt_row(head)] + [fmt_row(r) for r in body])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.solver",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="tiny,district,scarce,city",
                    help="comma-separated, from: " + ", ".join(SIZES))
    ap.add_argument("--time-limit", type=float, default=None,
                    help="solver seconds per solve (default per size: " + ", ".join(
                        f"{k} {v:g}" for k, v in DEFAULT_TIME_LIMITS.items()) + ")")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-resolve", action="store_true", help="skip the re-solve scenario")
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    ap.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    args.size_list = sizes
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    rows, resolve_rows = [], []
    try:
        for size in args.size_list:
            print(f"[{size}] running...", file=sys.stderr, flush=True)
            rows.append(in_child(size, args))
        if not args.no_resolve:
            print("[re-solve] running...", file=sys.stderr, flush=True)
            resolve_rows.append(in_child(RESOLVE, args))
    except BenchmarkFailure as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"Solver benchmark, seed {args.seed}, {args.workers} workers\n")
    print(table(rows, SIZE_COLUMNS, args.markdown))
    if resolve_rows:
        print("\nRe-solve after dropping the busiest lawyer of a district week\n")
        print(table(resolve_rows, RESOLVE_COLUMNS, args.markdown))
    if args.json:
        Path(args.json).write_text(json.dumps({"sizes": rows, "resolve": resolve_rows},
                                              indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
