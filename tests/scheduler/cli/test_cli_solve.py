"""`scheduler solve` and `scheduler check` on roster files (CliRunner, real solver)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.cli.solve import ProgressLine, format_progress, gap_text, places
from solver.io import parse_problem
from solver.problem import Assignment, Progress
from tests.solver.factories import (
    assign,
    interval,
    person,
    problem,
    site,
    slot,
    to_doc,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
TINY = str(EXAMPLES / "tiny-problem.json")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _two_lawyers(tmp_path: Path, **extra) -> Path:
    p = problem([site("S1")], [person("near", x=1), person("far", x=20)], [slot("T1")], **extra)
    return write(tmp_path / "problem.json", to_doc(p))


# --------------------------------------------------------------------------- solve

def test_solve_the_example_writes_a_valid_solution_and_a_summary(tmp_path):
    out = tmp_path / "solution.json"
    result = invoke("solve", TINY, "-o", out, "--time-limit", 3, "--workers", 1, "--seed", 3)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "roster-solution/1" and doc["status"] in ("optimal", "feasible")
    summary = result.stdout.strip().splitlines()[-1]
    filled = sum(u["missing"] for u in doc["unfilled"])
    assert f"filled {67 - filled}/67 places" in summary
    assert summary.startswith(doc["status"]) and f"{doc['objective']:,.3f}" in summary
    checked = invoke("check", TINY, out)
    assert checked.exit_code == 0, checked.output
    assert "matches" in checked.stdout


def test_solve_lists_every_problem_of_a_bad_file_and_exits_2(tmp_path):
    doc = to_doc(problem([site("S1")], [person("L1")], [slot("T1")]))
    doc["timezone"] = "Atlantis/Capital"
    doc["slots"][0]["priority"] = 9
    doc["people"][0]["max_hours"] = -1
    out = tmp_path / "solution.json"
    result = invoke("solve", write(tmp_path / "bad.json", doc), "-o", out)
    assert result.exit_code == 2
    for path in ("$.timezone", "$.slots[0].priority", "$.people[0].max_hours"):
        assert path in result.stderr
    assert "3 problems" in result.stderr and not out.exists()


def test_solve_reports_unreadable_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = invoke("solve", bad, "-o", tmp_path / "s.json")
    assert result.exit_code == 2 and "not valid JSON" in result.stderr
    result = invoke("solve", tmp_path / "absent.json", "-o", tmp_path / "s.json")
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_previous_solution_is_kept_when_changing_it_costs_more(tmp_path):
    problem_path = _two_lawyers(tmp_path)
    fresh = tmp_path / "fresh.json"
    assert invoke("solve", problem_path, "-o", fresh, "--time-limit", 2, "-q").exit_code == 0
    assert [a["person"] for a in json.loads(fresh.read_text())["assignments"]] == ["near"]
    old = write(tmp_path / "old.json", {"format": "roster-solution/1", "status": "feasible",
                                        "objective": 0,
                                        "assignments": [{"slot": "T1", "person": "far", "line": 0}]})
    again = tmp_path / "again.json"
    result = invoke("solve", problem_path, "-o", again, "--time-limit", 2, "--previous", old)
    assert result.exit_code == 0, result.output
    assert [a["person"] for a in json.loads(again.read_text())["assignments"]] == ["far"]


def test_a_malformed_previous_solution_exits_2(tmp_path):
    old = write(tmp_path / "old.json", {"assignments": [{"slot": "T1", "person": 7}]})
    result = invoke("solve", _two_lawyers(tmp_path), "-o", tmp_path / "s.json", "--previous", old)
    assert result.exit_code == 2
    assert "$.assignments[0].person" in result.stderr and "$.assignments[0].line" in result.stderr


def test_pins_that_break_a_hard_rule_exit_1_and_say_why(tmp_path):
    p = problem([site("S1")], [person("L1", available=[interval(1, 8, 18)])], [slot("T1", day=0)],
                pinned=[assign("T1", "L1")])
    out = tmp_path / "s.json"
    result = invoke("solve", write(tmp_path / "p.json", to_doc(p)), "-o", out, "--time-limit", 2)
    assert result.exit_code == 1
    assert "Infeasible" in result.stderr and "L1" in result.stderr
    assert json.loads(out.read_text())["status"] == "infeasible"


def test_quiet_prints_nothing_and_non_terminals_get_no_progress_line(tmp_path):
    problem_path = _two_lawyers(tmp_path)
    quiet = invoke("solve", problem_path, "-o", tmp_path / "q.json", "--time-limit", 1, "--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""
    loud = invoke("solve", problem_path, "-o", tmp_path / "l.json", "--time-limit", 1)
    assert "\r" not in loud.output and loud.stdout.count("\n") == 1


def test_bad_options_are_usage_errors(tmp_path):
    problem_path = _two_lawyers(tmp_path)
    assert invoke("solve", problem_path, "-o", tmp_path / "s.json", "--time-limit", 0).exit_code == 2
    assert invoke("solve", problem_path, "-o", tmp_path / "s.json", "--workers", 0).exit_code == 2
    assert invoke("solve", problem_path).exit_code == 2  # -o is required


# ------------------------------------------------------------------ progress display

def test_progress_line_redraws_in_place_and_clears():
    stream = io.StringIO()
    line = ProgressLine(stream, enabled=True, every_s=0.0)
    line(Progress(objective=2000.0, bound=1500.0, elapsed_s=1.25, solutions=3))
    line(Progress(objective=1800.0, bound=None, elapsed_s=2.0, solutions=1))
    line.clear()
    text = stream.getvalue()
    assert text.startswith("\rbest 2,000.0  bound 1,500.0  gap 25.0%  1.2 s  3 solutions")
    assert "\rbest 1,800.0  bound -  gap -  2.0 s  1 solution " in text
    assert text.endswith("\r") and "\n" not in text


def test_progress_line_is_throttled_and_silent_when_disabled():
    stream = io.StringIO()
    line = ProgressLine(stream, enabled=True, every_s=60.0)
    for n in range(5):
        line(Progress(objective=100.0 - n, bound=90.0, elapsed_s=n, solutions=n))
    assert stream.getvalue().count("\r") == 1
    off = io.StringIO()
    silent = ProgressLine(off, enabled=False)
    silent(Progress(objective=1.0, bound=1.0, elapsed_s=0.1, solutions=1))
    silent.clear()
    assert off.getvalue() == ""


def test_gap_text():
    assert gap_text(200.0, 150.0) == "25.0%"
    assert gap_text(0.0, 0.0) == "0.0%"
    assert gap_text(100.0, None) == "-"
    assert format_progress(Progress(1.0, 1.0, 0.0, 0)).endswith("0 solutions")


def test_places_count_only_the_staffed_alternative_of_a_choice():
    p = parse_problem(to_doc(problem(
        [site("S1")], [person("L1")],
        [slot("A", choice="R"), slot("B", day=1, choice="R"), slot("C", day=2)])))
    assert places(p, ()) == (0, 2)
    assert places(p, (Assignment("B", "L1", 0),)) == (1, 2)
    assert places(p, (Assignment("C", "L1", 0), Assignment("C", "L1", 0))) == (1, 2)


# --------------------------------------------------------------------------- check

def test_check_the_example_solution_term_by_term():
    result = invoke("check", TINY, EXAMPLES / "tiny-solution.json")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("valid")
    assert "objective 58,603.753" in out
    for term in ("unfilled", "choice", "unpaired", "km", "fairness", "undesired", "change"):
        assert f"  {term} " in out
    assert "58,000.000" in out and "218.753" in out
    assert "matches the recomputed one" in out


def test_check_lists_broken_rules_and_exits_1(tmp_path):
    sol = json.loads((EXAMPLES / "tiny-solution.json").read_text(encoding="utf-8"))
    first = sol["assignments"][0]
    sol["assignments"].append(dict(first))                                  # rule 8
    sol["assignments"].append({"slot": "NOPE", "person": first["person"], "line": 0})  # rule 1
    result = invoke("check", TINY, write(tmp_path / "s.json", sol))
    assert result.exit_code == 1
    assert result.stdout.startswith("INVALID")
    assert "  rule 1: " in result.stdout and "  rule 8: " in result.stdout


def test_check_says_when_the_stated_objective_is_off(tmp_path):
    sol = json.loads((EXAMPLES / "tiny-solution.json").read_text(encoding="utf-8"))
    sol["objective"] = 58603.752899 * 1.001
    result = invoke("check", TINY, write(tmp_path / "s.json", sol))
    assert result.exit_code == 0 and "DOES NOT match" in result.stdout
    sol["objective"] = 58603.752899 * (1 + 5e-5)
    assert "matches the recomputed" in invoke("check", TINY, write(tmp_path / "s.json", sol)).stdout
    del sol["objective"]
    assert "states no objective" in invoke("check", TINY, write(tmp_path / "s.json", sol)).stdout


@pytest.mark.parametrize("which", ["problem", "solution"])
def test_check_exits_2_on_malformed_input(tmp_path, which):
    problem_doc = json.loads(Path(TINY).read_text(encoding="utf-8"))
    sol = json.loads((EXAMPLES / "tiny-solution.json").read_text(encoding="utf-8"))
    if which == "problem":
        problem_doc["slots"][0]["demand"][0]["count"] = "one"
    else:
        sol["assignments"][0]["line"] = "zero"
    result = invoke("check", write(tmp_path / "p.json", problem_doc), write(tmp_path / "s.json", sol))
    assert result.exit_code == 2
    assert ("$.slots[0].demand[0].count" if which == "problem" else "$.assignments[0].line") \
        in result.stderr


def test_gap_option_is_passed_to_the_solver(tmp_path):
    out = tmp_path / "gap.json"
    result = invoke("solve", TINY, "-o", out, "--time-limit", 3, "--workers", 1, "--gap", 0.05)
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert "bound" in written
    assert written["objective"] - written["bound"] <= 0.05 * written["objective"] + 1e-6
    assert invoke("solve", TINY, "-o", out, "--gap", -1).exit_code == 2
