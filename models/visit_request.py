"""Village visit requests (预约服务) with their owner (首问负责制), windows and hand-overs."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin, utcnow
from models.vocab import one_of

if TYPE_CHECKING:
    from models.site import Site
    from models.user import User

REQUEST_KINDS = ("consultation", "legal_opinion", "mediation")
REQUEST_STATUSES = ("received", "scheduled", "confirmed", "done", "cancelled")
REQUEST_URGENCIES = ("normal", "urgent")
REQUEST_CHANNELS = ("web", "phone", "in_person")


class VisitRequest(TimestampMixin, Base):
    __tablename__ = "visit_requests"
    __table_args__ = (
        one_of("kind", REQUEST_KINDS, "kind"),
        one_of("status", REQUEST_STATUSES, "status"),
        one_of("urgency", REQUEST_URGENCIES, "urgency"),
        one_of("channel", REQUEST_CHANNELS, "channel"),
        CheckConstraint("people_count >= 1", name="people_count"),
        # A cancellation always carries its reason (the village is told why).
        CheckConstraint("status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    topic: Mapped[str] = mapped_column(String(256))
    details: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    # Counts only: no villager's personal data is kept with a request.
    people_count: Mapped[int] = mapped_column(default=1)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    channel: Mapped[str] = mapped_column(String(16), default="web")
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(256))
    # Cancelled as not ours (not a matter of the public legal service): the village is shown
    # the referral directory (一次性告知).
    not_ours: Mapped[bool] = mapped_column(default=False, server_default=false())
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    village: Mapped[Site] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    windows: Mapped[list[RequestWindow]] = relationship(
        cascade="all, delete-orphan", order_by="RequestWindow.rank"
    )
    handovers: Mapped[list[RequestHandover]] = relationship(
        cascade="all, delete-orphan", order_by="RequestHandover.at"
    )


class RequestWindow(Base):
    """An acceptable time for the visit; rank 0 is the most preferred."""

    __tablename__ = "request_windows"
    __table_args__ = (
        UniqueConstraint("request_id", "rank"),
        CheckConstraint("end_at > start_at", name="time_order"),
        CheckConstraint("rank >= 0", name="rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("visit_requests.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]


class RequestHandover(Base):
    """A recorded change of owner: from whom, to whom, why and when."""

    __tablename__ = "request_handovers"
    __table_args__ = (CheckConstraint("from_user_id <> to_user_id", name="distinct_users"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("visit_requests.id", ondelete="CASCADE"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(String(256))
    at: Mapped[datetime] = mapped_column(default=utcnow)
