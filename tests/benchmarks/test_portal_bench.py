"""The portal benchmark runs end to end on the tiny demo world: every answer as expected."""
from __future__ import annotations

import json

from benchmarks.portal import main


def test_a_tiny_run_times_the_village_page_its_304_and_the_baseline(tmp_path, capsys):
    out = tmp_path / "result.json"
    # No target on a smoke run: a loaded machine must not turn the suite red (timings are not tests).
    assert main(["--size", "tiny", "--requests", "20", "--no-target", "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [k["name"] for k in result["kinds"]] == ["village page", "village page, 304", "/healthz"]
    assert all(k["requests"] == 20 for k in result["kinds"]) and result["statements"][1] <= 10
    assert "healthz p50" in capsys.readouterr().out
