"""The weekly solver over sizes, shapes and seeds, against the greedy and plain CP-SAT.

    python -m benchmarks.matrix --sizes district,city --shapes normal,scarce,requests
        --seeds 1-5 [--time-limit S] [--workers 2] [--reference-time 600]
        [--reference-workers 8] [--no-solver] [--markdown] [--json out.json]
    python -m benchmarks.matrix --render out.json[,more.json] [--markdown]

Shapes (`benchmarks.generate.problem_doc`): `normal`, `scarce` (a wave of absences) and
`requests` (about five times the village visit requests). Per (size, shape, seed) one
child process generates the week, runs the greedy and `solver.solve` (2 workers, default
limits 30 s district, 120 s city) and judges both with `solver.check`; the parent reads
its peak RSS (wait4). The reference (`benchmarks.reference`: plain CP-SAT on the full
model, 8 workers, linearization 2) runs in a child of its own, or comes from its cache in
`benchmarks/reference/`; `--reference-time 0` leaves it out, `--no-solver` only fills
the cache.

The truth check: best known = min(solver, reference, greedy objective). A solver `bound`
(or a reference bound) above the best known by more than 1e-6 relative is a false proof:
it is printed loudly and the run exits 1, after the table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import reference
from benchmarks.solver import BenchmarkFailure, _assignments_doc, _gap, _rate, judged, table

ROOT = Path(__file__).resolve().parents[1]
SIZES = ("tiny", "district", "city")
SHAPES = {"normal": {}, "scarce": {"scarce": True}, "requests": {"requests": True}}
DEFAULT_TIME_LIMITS = {"tiny": 10.0, "district": 30.0, "city": 120.0}
BOUND_TOLERANCE = 1e-6


def instance(size: str, shape: str, seed: int) -> dict:
    from benchmarks.generate import problem_doc

    return problem_doc(size, seed, **SHAPES[shape])


# ---------------------------------------------------------------- inside one child

def run_instance(size: str, shape: str, seed: int, time_limit: float, workers: int) -> dict:
    from solver.greedy import greedy
    from solver.io import parse_problem, solution_to_dict
    from solver.solve import solve

    doc = instance(size, shape, seed)
    problem = parse_problem(doc)
    t0 = time.perf_counter()
    base = judged(doc, _assignments_doc(greedy(problem)), f"{size} {shape} {seed}: greedy")
    greedy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    written = solution_to_dict(solve(problem, time_limit=time_limit, workers=workers,
                                     seed=seed))
    wall_s = time.perf_counter() - t0
    report = judged(doc, written, f"{size} {shape} {seed}: solver")
    stats = written.get("stats") or {}
    bound = written.get("bound")
    return {
        "size": size, "shape": shape, "seed": seed, "time_limit": time_limit,
        "workers": workers, "people": len(doc["people"]), "slots": len(doc["slots"]),
        "places": report.demanded, "problem_sha256": reference.doc_sha256(doc),
        "wall_s": wall_s, "status": written["status"], "objective": report.objective,
        "bound": bound, "gap": _gap(report.objective, bound), "fill": _rate(report),
        "bound_scope": stats.get("bound_scope"), "pruned_bound": stats.get("pruned_bound"),
        "greedy_objective": base.objective, "greedy_fill": _rate(base), "greedy_s": greedy_s,
        "ratio": report.objective / base.objective if base.objective else None,
    }


def child(args: argparse.Namespace) -> int:
    size, shape, seed = args.child_task.split(":")
    seed = int(seed)
    try:
        if args.child == "solve":
            result = run_instance(size, shape, seed, args.time_limit, args.workers)
        else:
            result = reference.plain_cpsat(instance(size, shape, seed), args.reference_time,
                                           args.reference_workers)
    except BenchmarkFailure as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    Path(args.result).write_text(json.dumps(result), encoding="utf-8")
    return 0


# ---------------------------------------------------------------- the parent

def in_child(kind: str, size: str, shape: str, seed: int, args: argparse.Namespace) -> dict:
    """Runs one task in a fresh interpreter; adds its peak RSS (MiB) from wait4."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_path = fh.name
    cmd = [sys.executable, "-m", "benchmarks.matrix", "--child", kind,
           "--child-task", f"{size}:{shape}:{seed}", "--result", result_path,
           "--time-limit", str(args.time_limit or DEFAULT_TIME_LIMITS[size]),
           "--workers", str(args.workers), "--reference-time", str(args.reference_time),
           "--reference-workers", str(args.reference_workers)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise BenchmarkFailure(f"{size} {shape} {seed} ({kind}): child exited with {code}")
        result = json.loads(Path(result_path).read_text(encoding="utf-8"))
    finally:
        os.unlink(result_path)
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def reference_for(size: str, shape: str, seed: int, sha: str,
                  args: argparse.Namespace) -> dict | None:
    if args.reference_time <= 0:
        return None
    cache = Path(args.reference_dir)
    cached = reference.load_cached(cache, size, shape, seed, sha, args.reference_time,
                                   args.reference_workers)
    if cached is not None:
        return cached
    print(f"[{size} {shape} {seed}] reference, {args.reference_time:g} s...", file=sys.stderr,
          flush=True)
    result = in_child("reference", size, shape, seed, args)
    result.update(size=size, shape=shape, seed=seed)
    if result["problem_sha256"] != sha:
        raise BenchmarkFailure(f"{size} {shape} {seed}: the reference saw another document")
    if result.get("built"):
        reference.save(cache, size, shape, seed, result)
    return result


def merge(row: dict, ref: dict | None) -> dict:
    """The reference's figures into the solver's row, and the comparisons."""
    if ref is None:
        return row
    if not ref.get("built") or ref.get("objective") is None:
        row.update(ref_status=ref.get("status") if ref.get("built") else "—",
                   ref_note=ref.get("status"), ref_bound=ref.get("bound"),
                   ref_time=(ref.get("params") or {}).get("max_time_in_seconds"))
        return row
    row.update(ref_objective=ref["objective"], ref_bound=ref.get("bound"),
               ref_status=ref["status"], ref_s=ref.get("seconds"),
               ref_time=ref["params"]["max_time_in_seconds"],
               ref_workers=ref["params"]["num_workers"])
    if row.get("objective") is not None:
        row["vs_ref"] = row["objective"] / ref["objective"] - 1
    return row


def truth_check(row: dict) -> list[str]:
    """Every bound in `row` that lies above the best known objective (a false proof)."""
    known = [row.get(k) for k in ("objective", "ref_objective", "greedy_objective")]
    known = [v for v in known if v is not None]
    if not known:
        return []
    best = min(known)
    row["best_known"] = best
    bounds = [row.get("bound"), row.get("ref_bound")]
    proven = max((b for b in bounds if b is not None), default=None)
    if proven is not None and row.get("objective") is not None:
        # The proven gap of the solver's answer against the best bound either found.
        row["best_bound"] = proven
        row["best_gap"] = _gap(row["objective"], proven)
    out = []
    for name, key in (("solver bound", "bound"), ("reference bound", "ref_bound")):
        value = row.get(key)
        if value is not None and value - best > BOUND_TOLERANCE * max(1.0, abs(best)):
            out.append(f"{row['size']} {row['shape']} seed {row['seed']}: {name} "
                       f"{value:,.3f} is above the best known objective {best:,.3f}")
    row["bound_ok"] = "no" if out else "yes"
    return out


COLUMNS = [
    ("size", "size", "s"), ("shape", "shape", "s"), ("seed", "seed", "d"),
    ("limit s", "time_limit", ".0f"), ("wall s", "wall_s", ".1f"), ("status", "status", "s"),
    ("objective", "objective", ",.0f"), ("bound", "bound", ",.0f"), ("gap", "gap", ".2%"),
    ("fill", "fill", ".1%"), ("obj/greedy", "ratio", ".3f"),
    ("peak MiB", "peak_rss_mib", ",.0f"), ("ref obj", "ref_objective", ",.0f"),
    ("ref bound", "ref_bound", ",.0f"), ("ref status", "ref_status", "s"),
    ("ref limit s", "ref_time", ".0f"), ("vs ref", "vs_ref", "+.2%"), ("gap to best bound", "best_gap", ".2%"),
    ("bound ok", "bound_ok", "s"),
]
AVERAGE_COLUMNS = [
    ("size", "size", "s"), ("shape", "shape", "s"), ("seeds", "n", "d"),
    ("mean wall s", "wall_s", ".1f"), ("max wall s", "max_wall_s", ".1f"),
    ("mean gap", "gap", ".2%"), ("max gap", "max_gap", ".2%"), ("mean fill", "fill", ".1%"),
    ("mean obj/greedy", "ratio", ".3f"), ("mean vs ref", "vs_ref", "+.2%"),
    ("max vs ref", "max_vs_ref", "+.2%"), ("mean gap to best bound", "best_gap", ".2%"),
    ("max gap to best bound", "max_best_gap", ".2%"), ("max peak MiB", "max_peak", ",.0f"),
]


def averages(rows: list[dict]) -> list[dict]:
    out = []
    for key in dict.fromkeys((r["size"], r["shape"]) for r in rows):
        group = [r for r in rows if (r["size"], r["shape"]) == key]

        def values(k: str, group: list[dict] = group) -> list[float]:
            return [r[k] for r in group if r.get(k) is not None]

        def mean(k: str) -> float | None:
            v = values(k)
            return sum(v) / len(v) if v else None

        def most(k: str) -> float | None:
            return max(values(k), default=None)

        out.append({"size": key[0], "shape": key[1], "n": len(group),
                    **{k: mean(k) for k in ("wall_s", "gap", "fill", "ratio", "vs_ref",
                                            "best_gap")},
                    "max_wall_s": most("wall_s"), "max_gap": most("gap"),
                    "max_vs_ref": most("vs_ref"), "max_best_gap": most("best_gap"),
                    "max_peak": most("peak_rss_mib")})
    return out


def seeds_of(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.matrix",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="district,city", help="from: " + ", ".join(SIZES))
    ap.add_argument("--shapes", default=",".join(SHAPES), help="from: " + ", ".join(SHAPES))
    ap.add_argument("--seeds", default="1-5", help="e.g. 1-5 or 1,3")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="solver seconds (default: district 30, city 120, tiny 10)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reference-time", type=float, default=reference.DEFAULT_SECONDS,
                    help="plain CP-SAT seconds; 0: no reference column")
    ap.add_argument("--reference-workers", type=int, default=reference.DEFAULT_WORKERS)
    ap.add_argument("--reference-dir", default=str(reference.CACHE_DIR), help=argparse.SUPPRESS)
    ap.add_argument("--no-solver", action="store_true", help="only fill the reference cache")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    ap.add_argument("--render", metavar="PATHS",
                    help="print the tables of earlier --json files (comma-separated) again, "
                         "with the comparisons and the truth check recomputed; runs nothing")
    ap.add_argument("--child", choices=("solve", "reference"), help=argparse.SUPPRESS)
    ap.add_argument("--child-task", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.size_list = [s for s in args.sizes.split(",") if s]
    args.shape_list = [s for s in args.shapes.split(",") if s]
    bad = [s for s in args.size_list if s not in SIZES] + [
        s for s in args.shape_list if s not in SHAPES]
    if bad:
        ap.error(f"unknown size or shape: {', '.join(bad)}")
    args.seed_list = seeds_of(args.seeds)
    return args


def run(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    rows, false_bounds = [], []
    for size in args.size_list:
        for shape in args.shape_list:
            for seed in args.seed_list:
                sha = reference.doc_sha256(instance(size, shape, seed))
                row = {"size": size, "shape": shape, "seed": seed, "problem_sha256": sha}
                if not args.no_solver:
                    print(f"[{size} {shape} {seed}] solver...", file=sys.stderr, flush=True)
                    row = in_child("solve", size, shape, seed, args)
                row = merge(row, reference_for(size, shape, seed, sha, args))
                false_bounds += truth_check(row)
                rows.append(row)
    return rows, false_bounds


def report(rows: list[dict], false_bounds: list[str], args: argparse.Namespace,
           title: str) -> int:
    """Prints the tables (and writes --json); 1 when any bound was false."""
    print(title + "\n")
    print(table(rows, COLUMNS, args.markdown))
    print("\nPer size and shape\n")
    print(table(averages(rows), AVERAGE_COLUMNS, args.markdown))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "averages": averages(rows),
                                               "false_bounds": false_bounds}, indent=1),
                                   encoding="utf-8")
    for line in false_bounds:
        print(f"!!! FALSE BOUND: {line}", file=sys.stderr)
    if false_bounds:
        print(f"!!! {len(false_bounds)} bound(s) above a known objective", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    if args.render:
        rows = [row for path in args.render.split(",")
                for row in json.loads(Path(path).read_text(encoding="utf-8"))["rows"]]
        false_bounds = [line for row in rows for line in truth_check(row)]
        return report(rows, false_bounds, args, f"Seeds and shapes, from {args.render}")
    started = time.perf_counter()
    try:
        rows, false_bounds = run(args)
    except BenchmarkFailure as exc:
        print(f"BENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    load = os.getloadavg()
    return report(rows, false_bounds, args, (
        f"Seeds and shapes: solver {args.workers} workers; reference plain CP-SAT, "
        f"{args.reference_workers} workers, lin {reference.LINEARIZATION}, "
        f"{args.reference_time:g} s; {time.perf_counter() - started:.0f} s in all, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"))


if __name__ == "__main__":
    sys.exit(main())
