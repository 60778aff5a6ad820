"""`scheduler pair PROBLEM.json -o PAIRING.json` on files, through click's runner."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from tests.solver.factories import person, problem, site, to_doc


@pytest.fixture
def files(tmp_path):
    doc = to_doc(problem(
        sites=[site("V1", 0), site("V2", 2), site("V3", 4, needs=["land"]),
               site("W1", 1, kind="window")],
        people=[person("L1", x=0.5, paired_sites=["V1", "V2"]),
                person("L2", x=3, max_paired_sites=1),
                person("M1", roles=["mediator"], skills=["land"], max_paired_sites=3)]))
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path, tmp_path / "pairing.json"


def run(*args: str):
    return CliRunner().invoke(main, ["pair", *map(str, args)], catch_exceptions=False)


def test_writes_the_pairing_and_prints_a_summary(files):
    problem_path, out = files
    result = run(problem_path, "-o", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "roster-pairing/1" and doc["status"] == "optimal"
    assert doc["pairs"] == [{"site": "V1", "person": "L1"}, {"site": "V2", "person": "L1"}]
    (left,) = doc["unpaired_sites"]
    assert left["site"] == "V3" and "land" in left["reasons"][0]
    assert doc["objective"] > 1000  # the unpaired village alone costs `unfilled`
    summary = result.stdout
    for text in ("optimal", "pairs 2 (kept 2, new 0)", "changed 0", "unpaired 1",
                 f"objective {doc['objective']:,.3f}", "wall"):
        assert text in summary


def test_fixed_pairs_are_kept(files):
    problem_path, out = files
    result = run(problem_path, "-o", out, "--fix", "V2=L2")
    assert result.exit_code == 0, result.output
    pairs = {p["site"]: p["person"] for p in json.loads(out.read_text())["pairs"]}
    assert pairs == {"V1": "L1", "V2": "L2"}
    assert "changed 1" in result.stdout


def test_fixed_pairs_that_break_rules_exit_1_and_say_why(files):
    problem_path, out = files
    result = run(problem_path, "-o", out, "--fix", "V3=L1", "--fix", "W1=M1")
    assert result.exit_code == 1
    assert "Infeasible" in result.stderr
    assert "land" in result.stderr and "W1" in result.stderr
    assert json.loads(out.read_text())["status"] == "infeasible"


def test_a_malformed_fix_is_a_usage_error(files):
    problem_path, out = files
    result = run(problem_path, "-o", out, "--fix", "V1-L1")
    assert result.exit_code == 2
    assert "VILLAGE=PERSON" in result.stderr
    assert not out.exists()


def test_every_problem_error_is_printed_and_exits_2(tmp_path):
    doc = to_doc(problem(sites=[site("V1")], people=[person("L1")]))
    doc["sites"][0]["lat"] = 123
    doc["people"][0]["max_paired_sites"] = -1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    out = tmp_path / "pairing.json"
    result = run(bad, "-o", out)
    assert result.exit_code == 2
    assert "$.sites[0].lat" in result.stderr
    assert "$.people[0].max_paired_sites" in result.stderr
    assert not out.exists()


def test_a_file_that_is_not_json_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run(bad, "-o", tmp_path / "pairing.json")
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr
