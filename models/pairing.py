"""Standing village-adviser pairings (挂钩结对) with their history."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from models.person import Person
    from models.site import Site


class Pairing(TimestampMixin, Base):
    """A village paired with a lawyer from `valid_from` until `valid_to` (open: current).

    Ending a pairing sets `valid_to`; rows are never deleted, so the history stays readable.
    """

    __tablename__ = "pairings"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_order"),
        # At most one current adviser per village.
        Index(
            "uq_pairings_current_site",
            "site_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(256))

    site: Mapped[Site] = relationship()
    person: Mapped[Person] = relationship()
