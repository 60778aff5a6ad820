"""The catalogue of hard rules (solver/rules.py): exactly the 13 rules of the spec, each with
its own test file, and the codes and names the rest of the solver uses all taken from it."""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from solver.candidates import STATIC_BLOCKERS
from solver.explain import CATEGORIES
from solver.rules import HARD_RULES, RULES, is_trainee, rule_label, rule_of_blocker

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "roster-format.md"
HERE = Path(__file__).resolve().parent


def _spec_rules() -> dict[int, str]:
    """Number -> text of each item of the spec's "Hard rules" list."""
    text = SPEC.read_text(encoding="utf-8")
    section = text.split("## Hard rules", 1)[1].split("\n## ", 1)[0]
    section = section.split("Precise readings", 1)[0]
    return {int(n): body for n, body in re.findall(r"^(\d+)\. (.+)$", section, re.MULTILINE)}


def test_the_catalogue_has_exactly_the_13_rules_of_the_spec():
    spec = _spec_rules()
    assert sorted(spec) == list(range(1, 14))
    assert [r.number for r in HARD_RULES] == sorted(spec)
    assert set(RULES) == set(spec)


def test_names_keys_and_blocker_codes_are_each_given_once():
    for r in HARD_RULES:
        assert r.zh and r.en and re.fullmatch(r"[a-z][a-z_]*", r.key), r
    for field in ("key", "zh", "en"):
        values = [getattr(r, field) for r in HARD_RULES]
        assert len(set(values)) == len(values), field
    codes = [r.blocker for r in HARD_RULES if r.blocker is not None]
    assert len(set(codes)) == len(codes)
    assert all(rule_of_blocker(r.blocker) is r for r in HARD_RULES if r.blocker is not None)
    # Rules 1 and 11 are about the answer as a whole, never one more assignment.
    assert [r.number for r in HARD_RULES if r.blocker is None] == [1, 11]
    assert rule_label(5) == f"rule 5 ({RULES[5].en})"


def test_every_rule_has_its_own_test_file():
    expected = {f"test_rule_{r.number:02d}_{r.key}.py" for r in HARD_RULES}
    present = {p.name for p in HERE.glob("test_rule_*.py")}
    assert present == expected
    for r in HARD_RULES:
        doc = ast.get_docstring(ast.parse((HERE / f"test_rule_{r.number:02d}_{r.key}.py").read_text("utf-8")))
        assert doc and doc.startswith(f"Rule {r.number}:"), r


def test_blocker_codes_and_explanations_come_from_the_catalogue():
    blockers = {r.blocker for r in HARD_RULES}
    assert set(STATIC_BLOCKERS) <= blockers
    assert {c for c in CATEGORIES if c not in ("cost", "free")} <= blockers


def test_is_trainee_reads_rule_10():
    assert is_trainee(frozenset({"trainee_lawyer"}), frozenset({"trainee_lawyer"}), "trainee_lawyer")
    # Holding another of the line's roles makes it an ordinary assignment.
    assert not is_trainee(frozenset({"trainee_lawyer", "mediator"}),
                          frozenset({"trainee_lawyer", "mediator"}), "trainee_lawyer")
    assert is_trainee(frozenset({"trainee_lawyer", "lawyer"}), frozenset({"trainee_lawyer"}), "trainee_lawyer")
    assert not is_trainee(frozenset({"lawyer"}), frozenset({"lawyer", "trainee_lawyer"}), "trainee_lawyer")


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def test_the_checker_reads_only_the_catalogue_and_the_standard_library():
    """The checker is independent of the parser and the model: of ours it may import only
    itself and the catalogue of rule names, which imports nothing of ours."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for path in sorted((ROOT / "solver" / "check").glob("*.py")):
        foreign = {m for m in _imports(path) if m.split(".")[0] not in stdlib
                   and m != "solver.rules" and not m.startswith("solver.check")}
        assert not foreign, (path.name, foreign)
    assert {m.split(".")[0] for m in _imports(ROOT / "solver" / "rules.py")} <= stdlib
