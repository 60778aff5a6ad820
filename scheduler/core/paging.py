"""Pages of search results and the text-search helpers the listings share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches_text(text: str, *columns: ColumnElement[Any]) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of `columns`, with LIKE wildcards escaped."""
    like = f"%{escape_like(text.strip().lower())}%"
    return or_(*(func.lower(c).like(like, escape="\\") for c in columns))


def paginate(session: Session, stmt: Select[Any], page: int, per_page: int = PER_PAGE) -> Page:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    # A page past the end shows the last one rather than an empty table.
    page = min(max(1, page), pages)
    items = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
    return Page(items, total, page, per_page)
