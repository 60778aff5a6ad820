"""The suggestion benchmark runs end to end on the tiny demo world, repairs included."""
from __future__ import annotations

import json

from benchmarks.suggest import main


def test_a_tiny_run_times_places_and_places_only_a_repair_fills(tmp_path):
    out = tmp_path / "result.json"
    # No target on a smoke run: a loaded machine must not turn the suite red (timings are not tests).
    assert main(["--size", "tiny", "--requests", "6", "--repairs", "4", "--no-target", "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["places"] == 6 and len(result["suggestions"]) == 3
    repairs = result["repair_places"]
    # The made-up places exist to exercise the repair path: at least one must have found one.
    assert repairs["asked"] == 4 and repairs["with_repairs"] >= 1
