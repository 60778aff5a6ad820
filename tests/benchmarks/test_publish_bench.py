"""The publish benchmark runs end to end on a tiny world and refuses a world too small."""
from __future__ import annotations

import json

import pytest

from benchmarks import publish as bench


def test_a_tiny_run_renders_every_feed_and_reports_each_step(tmp_path, capsys):
    out = tmp_path / "figures.json"
    assert bench.main(["--tokens", "12", "--json", str(out)]) == 0, capsys.readouterr().out
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["tokens"] == figures["feeds_rendered"] == 12
    assert [s["name"] for s in figures["steps"]] == ["publish (the request's work)", "feeds (the job's work)"]
    # 12 feeds are under the job threshold: the publish renders them itself, no job is left.
    assert figures["steps"][1]["statements"] <= 2


@pytest.mark.parametrize("argv", [["--tokens", "2"], ["--tokens", "-1"]])
def test_a_world_too_small_is_refused(argv):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
