"""The reference column of `benchmarks.matrix`: plain CP-SAT on the full, unpruned model.

One model over every slot and every eligible (slot, line, person) triple
(`solver.candidates.build_candidates(ix, None)`), no decomposition, no warm start, no
hint; pins posted as `solver.solve` posts them (checked first by `check_pins`). CP-SAT
runs with `num_workers` 8 and `linearization_level` 2 for the given time. Its roster is
judged by `solver.check`, its objective recomputed exactly (`solver.objective.terms_of`),
and its best bound converted to the spec's units as `solver.solve` converts the parts'
bounds (`PartModel.unscale` plus the terms outside the model), so the bound is a proven
lower bound of the whole problem.

Results are cached in `benchmarks/reference/<size>-<shape>-<seed>.json` with the sha256 of
the problem document; a cached result is reused only for the same document and at least
the requested time with the same number of workers.
"""
from __future__ import annotations

import hashlib
import json
import math
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / "benchmarks" / "reference"
DEFAULT_SECONDS = 600.0
DEFAULT_WORKERS = 8
LINEARIZATION = 2


def doc_sha256(doc: dict) -> str:
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_path(cache_dir: Path, size: str, shape: str, seed: int) -> Path:
    return Path(cache_dir) / f"{size}-{shape}-{seed}.json"


def load_cached(cache_dir: Path, size: str, shape: str, seed: int, sha: str,
                seconds: float, workers: int) -> dict | None:
    """The cached result for this very document, run at least `seconds` on `workers`."""
    path = cache_path(cache_dir, size, shape, seed)
    if not path.exists():
        return None
    cached = json.loads(path.read_text(encoding="utf-8"))
    params = cached.get("params") or {}
    if cached.get("problem_sha256") != sha or params.get("num_workers") != workers \
            or params.get("max_time_in_seconds", 0) < seconds:
        return None
    return cached


def save(cache_dir: Path, size: str, shape: str, seed: int, result: dict) -> Path:
    path = cache_path(cache_dir, size, shape, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def commit() -> str | None:
    """The commit of this tree, `+dirty` when solver/ has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "solver"], cwd=ROOT,
                               text=True, capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def plain_cpsat(doc: dict, seconds: float = DEFAULT_SECONDS,
                workers: int = DEFAULT_WORKERS, seed: int = 0) -> dict:
    """Solves the full model of `doc`; returns the figures that go to the cache. `built`
    is False (and no figures) when the full model is too large to list or build."""
    from ortools.sat.python import cp_model

    from benchmarks.solver import judged
    from solver.candidates import build_candidates
    from solver.decompose import Part
    from solver.io import parse_problem
    from solver.model.build import build_part
    from solver.model.index import ProblemIndex
    from solver.model.pins import check_pins
    from solver.objective import terms_of
    from solver.solve import FULL_CHECK_LIMIT

    params = {"num_workers": workers, "linearization_level": LINEARIZATION,
              "max_time_in_seconds": seconds, "random_seed": seed}
    out = {"problem_sha256": doc_sha256(doc), "params": params, "workers": workers,
           "commit": commit(), "built": False}
    started = time.perf_counter()
    ix = ProblemIndex(parse_problem(doc))
    pairs = sum(len(s.demand) for s in ix.slots) * len(ix.people)
    out["lines_x_people"] = pairs
    if pairs > FULL_CHECK_LIMIT:
        out["status"] = f"not built: {pairs:,} lines x people > {FULL_CHECK_LIMIT:,}"
        return out
    pins, conflicts = check_pins(ix)
    if conflicts:
        out.update(status="infeasible", conflicts=conflicts)
        return out
    try:
        cands = build_candidates(ix, None)
        whole = Part(list(range(len(ix.slots))), list(cands.triples()))
        pm = build_part(ix, whole.slots, whole.triples, pins)
    except MemoryError:
        out["status"] = "not built: out of memory"
        return out
    # The terms outside the model, as solver.solve adds them to the parts' bounds.
    busy = {j for _, _, j in whole.triples}
    constant = ix.previous_outside * ix.weights.change + sum(
        p.target_hours * ix.weights.fairness for j, p in enumerate(ix.people)
        if p.target_hours is not None and j not in busy)
    out.update(built=True, variables=whole.size, build_s=time.perf_counter() - started)
    solver = cp_model.CpSolver()
    for name, value in params.items():
        setattr(solver.parameters, name, value)
    t0 = time.perf_counter()
    status = solver.solve(pm.model)
    out["seconds"] = time.perf_counter() - t0
    out["cp_status"] = solver.status_name(status)
    if status == cp_model.INFEASIBLE:
        out["status"] = "infeasible"
        return out
    bound = pm.unscale(solver.best_objective_bound) + constant
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No roster in time; CP-SAT's bound is still proven (when it has one).
        out.update(status="no solution", bound=bound if math.isfinite(bound) else None)
        return out
    triples = sorted(key for key, var in pm.v.x.items() if solver.boolean_value(var))
    objective = sum(terms_of(ix, triples).values())
    written = {"format": "roster-solution/1", "status": "feasible", "objective": objective,
               "assignments": [{"slot": ix.slots[i].id, "person": ix.people[j].id, "line": l}
                               for i, l, j in triples]}
    report = judged(doc, written, "reference")
    proven = status == cp_model.OPTIMAL
    out.update(status="optimal" if proven else "feasible", objective=report.objective,
               model_objective=pm.unscale(solver.objective_value) + constant, bound=bound,
               fill=report.filled / report.demanded if report.demanded else 1.0,
               terms=report.terms)
    return out
