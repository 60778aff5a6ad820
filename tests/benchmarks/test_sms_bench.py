"""The SMS benchmark runs end to end on a small count: every notice reaches the fake once,
signed, by one sender and by several at once; unbounded settings are refused."""
from __future__ import annotations

import json

import pytest

from benchmarks import sms as bench


def test_a_small_run_sends_each_notice_exactly_once(tmp_path, capsys):
    out = tmp_path / "figures.json"
    code = bench.main(["--count", "60", "--senders", "3", "--batch", "7", "--json", str(out)])
    assert code == 0, capsys.readouterr().out
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["ok"] and figures["count"] == 60 and figures["database"] == "sqlite"
    assert [p["senders"] for p in figures["phases"]] == [1, 3]
    for p in figures["phases"]:
        assert (p["messages"], p["lost"], p["doubled"], p["bad_signatures"], p["not_sent_rows"]) == (60, 0, 0, 0, 0)
        assert p["messages_per_s"] > 0


@pytest.mark.parametrize("argv", [["--count", "0"], ["--count", "1000000"], ["--senders", "0"], ["--senders", "99"],
                                  ["--batch", "0"]])
def test_unbounded_or_empty_settings_are_refused(argv):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
