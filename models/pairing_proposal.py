"""A proposed re-pairing of a district's villages, kept for review until it is approved
(then it becomes `pairings` rows) or discarded."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.vocab import one_of

PROPOSAL_STATUSES = ("open", "approved", "discarded")


class PairingProposal(Base):
    __tablename__ = "pairing_proposals"
    __table_args__ = (
        one_of("status", PROPOSAL_STATUSES, "status"),
        CheckConstraint("status <> 'approved' OR (approved_at IS NOT NULL AND effective_from IS NOT NULL)",
                        name="approval_fields"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    solver_status: Mapped[str] = mapped_column(String(16))
    objective: Mapped[float]
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    effective_from: Mapped[date | None]

    items: Mapped[list[PairingProposalItem]] = relationship(
        cascade="all, delete-orphan", order_by="PairingProposalItem.site_id"
    )


class PairingProposalItem(Base):
    """One village in a proposal: its proposed adviser (none: left unpaired, with reasons)."""

    __tablename__ = "pairing_proposal_items"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("pairing_proposals.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # The adviser when the proposal was made: approval refuses a proposal that is out of date.
    current_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    fixed: Mapped[bool] = mapped_column(default=False)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
