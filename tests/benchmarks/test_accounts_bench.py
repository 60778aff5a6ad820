"""The bulk-accounts benchmark runs end to end on the tiny demo world, and its counts add up."""
from __future__ import annotations

import json

from benchmarks.accounts import main


def test_a_tiny_run_creates_and_invites_every_village_and_person(tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main(["--size", "tiny", "--json", str(out)]) == 0
    steps = {s["what"]: s for s in json.loads(out.read_text(encoding="utf-8"))["steps"]}
    villages, people = steps["villages"], steps["people"]
    assert villages["created"] > 0 and villages["sms"] == villages["created"]  # each village was given a mobile
    assert people["created"] > 0 and people["email"] + people["sms"] + people["unreachable"] == people["created"]
    assert "total" in capsys.readouterr().out
