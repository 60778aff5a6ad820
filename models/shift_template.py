"""Recurring window shifts (窗口值班): the template a week's shift slots are generated from."""
from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.demand_line import DemandLineMixin

if TYPE_CHECKING:
    from models.site import Site


class ShiftTemplate(TimestampMixin, Base):
    __tablename__ = "shift_templates"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("end_time > start_time", name="time_order"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int]  # Monday = 0
    start_time: Mapped[time]
    end_time: Mapped[time]
    priority: Mapped[int] = mapped_column(default=3)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)

    site: Mapped[Site] = relationship()
    lines: Mapped[list[ShiftTemplateLine]] = relationship(
        cascade="all, delete-orphan", order_by="ShiftTemplateLine.idx"
    )


class ShiftTemplateLine(DemandLineMixin, Base):
    __tablename__ = "shift_template_lines"

    template_id: Mapped[int] = mapped_column(
        ForeignKey("shift_templates.id", ondelete="CASCADE"), primary_key=True
    )
