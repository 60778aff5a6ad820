"""docs/schema.md stays in step with the models."""
from __future__ import annotations

import re
from pathlib import Path

from models.base import Base

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def test_every_table_and_column_is_documented():
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", DOC.read_text(encoding="utf-8"), re.M))
    assert sorted(rows) == sorted(Base.metadata.tables)
    for name, table in Base.metadata.tables.items():
        assert [c.strip() for c in rows[name].split(",")] == [c.name for c in table.columns], name
