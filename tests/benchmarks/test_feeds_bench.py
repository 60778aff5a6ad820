"""The feeds benchmark runs end to end on a tiny world and refuses unbounded settings."""
from __future__ import annotations

import json

import pytest

from benchmarks import feeds as bench


def test_a_tiny_run_serves_every_kind_of_answer(tmp_path, capsys):
    out = tmp_path / "figures.json"
    code = bench.main(["--tokens", "12", "--requests", "120", "--seconds", "15", "--clients", "2",
                       "--threads", "2", "--rate", "60", "--json", str(out)])
    assert code == 0, capsys.readouterr().out
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["tokens"] == 12
    assert [p["name"] for p in figures["phases"]] == ["capacity", "paced at 60 req/s"]
    for p in figures["phases"]:
        assert p["unexpected"] == 0 and 0 < p["requests"] <= 120
        assert {"200", "304"} <= set(p["statuses"]) and p["rate_304"] > 0.3
        assert 0 < p["p50_ms"] <= p["p95_ms"] <= p["p99_ms"]


@pytest.mark.parametrize("argv", [["--tokens", "0"], ["--seconds", "0"], ["--seconds", "7200"],
                                  ["--requests", "0"], ["--rate", "-1"], ["--pool-sizes", "0"],
                                  ["--pool-sizes", "5,many"]])
def test_unbounded_or_empty_settings_are_refused(argv):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
