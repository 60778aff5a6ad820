"""Square events (广场服务, 法治宣传): one-off outreach with stands to staff."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.demand_line import DemandLineMixin
from models.vocab import one_of

if TYPE_CHECKING:
    from models.site import Site

EVENT_STATUSES = ("planned", "cancelled")


class SquareEvent(TimestampMixin, Base):
    __tablename__ = "square_events"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="time_order"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority"),
        one_of("status", EVENT_STATUSES, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime]
    priority: Mapped[int] = mapped_column(default=3)
    status: Mapped[str] = mapped_column(String(16), default="planned")

    site: Mapped[Site] = relationship()
    lines: Mapped[list[EventLine]] = relationship(cascade="all, delete-orphan", order_by="EventLine.idx")


class EventLine(DemandLineMixin, Base):
    __tablename__ = "event_lines"

    event_id: Mapped[int] = mapped_column(ForeignKey("square_events.id", ondelete="CASCADE"), primary_key=True)
