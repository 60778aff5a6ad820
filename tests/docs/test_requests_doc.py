"""docs/requests.md lists every refusal code of the request, visit and report services."""
from __future__ import annotations

from pathlib import Path

from web.requests.messages import MESSAGES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "requests.md").read_text(encoding="utf-8")


def test_every_code_is_documented():
    documented = {code for code in MESSAGES if f"`{code}`" in DOC}
    assert not sorted(set(MESSAGES) - documented)
