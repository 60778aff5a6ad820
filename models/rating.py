"""After a visit (质量评价制): the provider's recorded outcome and the village's rating."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class VisitOutcome(Base):
    __tablename__ = "visit_outcomes"
    __table_args__ = (
        UniqueConstraint("slot_id", "person_id"),
        CheckConstraint(
            "consultations >= 0 AND disputes_mediated >= 0 AND opinions_written >= 0 AND hours >= 0",
            name="non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    consultations: Mapped[int] = mapped_column(default=0)
    disputes_mediated: Mapped[int] = mapped_column(default=0)
    opinions_written: Mapped[int] = mapped_column(default=0)
    hours: Mapped[float] = mapped_column(default=0.0)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitRating(Base):
    __tablename__ = "visit_ratings"
    __table_args__ = (
        UniqueConstraint("slot_id", "rated_by_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("visit_requests.id", ondelete="SET NULL"))
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
