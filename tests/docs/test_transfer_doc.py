"""docs/transfer.md lists every template column and every import problem."""
from __future__ import annotations

from pathlib import Path

from scheduler.transfer.imports import KINDS
from scheduler.transfer.imports.problems import WORDING

DOC = (Path(__file__).resolve().parents[2] / "docs" / "transfer.md").read_text(encoding="utf-8")


def test_every_column_of_every_template_is_documented():
    missing = [f"{k.name}: {c.zh}" for k in KINDS.values() for c in k.columns if f"| {c.zh} | {c.en} |" not in DOC]
    assert not missing


def test_every_problem_code_is_documented():
    assert not [code for code in WORDING if f"| `{code}` |" not in DOC]
