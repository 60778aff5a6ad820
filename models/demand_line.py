"""The shape shared by every demand line: `count` people holding one of `roles` and all `skills`."""
from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class DemandLineMixin:
    """Roles and skills are short JSON lists: they are read whole, never queried into."""

    idx: Mapped[int] = mapped_column(primary_key=True)
    roles: Mapped[list[str]]
    count: Mapped[int] = mapped_column(default=1)
    skills: Mapped[list[str]] = mapped_column(default=list)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (
            CheckConstraint("count >= 1", name="count"),
            CheckConstraint("idx >= 0", name="idx"),
        )
