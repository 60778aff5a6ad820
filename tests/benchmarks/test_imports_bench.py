"""The import benchmark runs end to end on a small file and checks its own idempotence."""
from __future__ import annotations

import json

from benchmarks.imports import main


def test_small_run_imports_then_changes_nothing(tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main(["--people", "40", "--rules-per-person", "2", "--json", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["file"], r["created"], r["unchanged"]) for r in results] == [
        ("people.xlsx", 40, 0), ("people.xlsx", 0, 40), ("availability.xlsx", 80, 0), ("availability.xlsx", 0, 80)]
    assert "people.xlsx" in capsys.readouterr().out
