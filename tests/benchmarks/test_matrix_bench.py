"""The seeds-and-shapes benchmark (benchmarks.matrix): its rows, its reference cache and
the truth check that fails a bound above a known objective."""
from __future__ import annotations

import json

from benchmarks import reference
from benchmarks.matrix import main, merge, parse_args, seeds_of, truth_check

FIELDS = ("size", "shape", "seed", "objective", "bound", "gap", "fill", "wall_s",
          "peak_rss_mib", "ratio", "status", "bound_scope", "greedy_objective",
          "ref_objective", "ref_bound", "ref_status", "vs_ref", "best_known", "bound_ok")


def test_tiny_matrix_rows_reference_cache_and_bound_check(tmp_path, capsys):
    out, cache = tmp_path / "out.json", tmp_path / "ref"
    argv = ["--sizes", "tiny", "--shapes", "normal,requests", "--seeds", "1",
            "--reference-time", "2", "--reference-dir", str(cache), "--json", str(out)]
    assert main(argv) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    rows = doc["rows"]
    assert [(r["shape"], r["seed"]) for r in rows] == [("normal", 1), ("requests", 1)]
    for row in rows:
        assert all(key in row for key in FIELDS), set(FIELDS) - set(row)
        assert row["bound_ok"] == "yes" and doc["false_bounds"] == []
        assert row["bound"] is None or row["bound"] <= row["best_known"] * (1 + 1e-6)
        assert row["ref_objective"] >= row["ref_bound"] - 1e-6
    cached = json.loads((cache / "tiny-requests-1.json").read_text(encoding="utf-8"))
    assert cached["problem_sha256"] == rows[1]["problem_sha256"]
    assert cached["params"] == {"num_workers": 8, "linearization_level": 2,
                                "max_time_in_seconds": 2.0, "random_seed": 0}
    sha = cached["problem_sha256"]
    assert reference.load_cached(cache, "tiny", "requests", 1, sha, 2.0, 8) == cached
    assert reference.load_cached(cache, "tiny", "requests", 1, sha, 600.0, 8) is None
    assert reference.load_cached(cache, "tiny", "requests", 1, "0" * 64, 2.0, 8) is None
    assert "| tiny | requests | 1 |" not in capsys.readouterr().out  # plain, not markdown
    again = tmp_path / "again.json"
    assert main(["--render", str(out), "--markdown", "--json", str(again)]) == 0
    assert json.loads(again.read_text(encoding="utf-8"))["rows"] == rows
    assert "| tiny | requests | 1 |" in capsys.readouterr().out


def test_a_bound_above_the_best_known_fails():
    row = {"size": "district", "shape": "scarce", "seed": 1, "objective": 100.0,
           "bound": 97.5, "greedy_objective": 120.0, "ref_objective": 98.0, "ref_bound": 97.0}
    assert truth_check(dict(row)) == []
    for key, value in (("bound", 98.5), ("ref_bound", 98.5), ("bound", 121.0)):
        bad = {**row, key: value}
        found = truth_check(bad)
        assert len(found) == 1 and "above the best known objective 98.000" in found[0]
        assert bad["bound_ok"] == "no"
    assert truth_check({**row, "bound": 98.0 * (1 + 1e-9)}) == []  # rounding only
    no_ref = {**row, "ref_objective": None, "ref_bound": None, "bound": 100.5}
    assert truth_check(no_ref) and no_ref["best_known"] == 100.0


def test_a_reference_without_a_roster_still_lends_its_bound():
    row = {"size": "district", "shape": "requests", "seed": 1, "objective": 100.0,
           "bound": 90.0, "greedy_objective": 120.0}
    ref = {"built": True, "status": "no solution", "bound": 95.0}
    merged = merge(dict(row), ref)
    assert merged["ref_status"] == "no solution" and "vs_ref" not in merged
    assert truth_check(merged) == [] and merged["best_gap"] == 0.05
    assert truth_check(merge(dict(row), {**ref, "bound": 101.0}))
    assert merge(dict(row), {"built": False, "status": "not built: too big"})["ref_status"] == "—"


def test_a_false_bound_makes_the_run_exit_1(monkeypatch, tmp_path, capsys):
    import benchmarks.matrix as matrix

    def fake_run(args):
        row = {"size": "tiny", "shape": "normal", "seed": 1, "objective": 10.0,
               "bound": 11.0, "greedy_objective": 12.0}
        return [row], truth_check(row)

    monkeypatch.setattr(matrix, "run", fake_run)
    assert main(["--sizes", "tiny", "--reference-time", "0"]) == 1
    assert "FALSE BOUND: tiny normal seed 1: solver bound 11.000" in capsys.readouterr().err


def test_arguments():
    assert seeds_of("1-5") == [1, 2, 3, 4, 5] and seeds_of("1,3-4") == [1, 3, 4]
    args = parse_args(["--sizes", "district,city", "--shapes", "normal,scarce,requests"])
    assert args.shape_list == ["normal", "scarce", "requests"] and args.reference_time == 600
    assert args.reference_workers == 8 and args.seed_list == [1, 2, 3, 4, 5]
