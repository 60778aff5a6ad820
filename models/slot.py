"""Concrete pieces of work in a week: a village visit, a square event stand, a window shift."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.demand_line import DemandLineMixin
from models.vocab import SLOT_KINDS, one_of

if TYPE_CHECKING:
    from models.site import Site


class Slot(TimestampMixin, Base):
    """One slot of the solver's problem; `external_id` is its id in problem files.

    Slots that share `choice_group` are alternative times for one piece of work (a village
    request with several acceptable windows): at most one of them is staffed.
    """

    __tablename__ = "slots"
    __table_args__ = (
        one_of("kind", SLOT_KINDS, "kind"),
        CheckConstraint("end_at > start_at", name="time_order"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority"),
        CheckConstraint("choice_cost >= 0", name="choice_cost"),
        # At most one origin: a template, an event or a request (none for hand-made slots).
        CheckConstraint(
            "(CASE WHEN template_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN event_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN request_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_origin",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(96), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    # Monday of the local week the slot belongs to: the unit coordinators schedule.
    week_start: Mapped[date] = mapped_column(index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime]
    priority: Mapped[int] = mapped_column(default=3)
    choice_group: Mapped[str | None] = mapped_column(String(96), index=True)
    choice_cost: Mapped[float] = mapped_column(default=0.0)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("shift_templates.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("square_events.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("visit_requests.id", ondelete="SET NULL"))
    cancelled: Mapped[bool] = mapped_column(default=False)

    site: Mapped[Site] = relationship()
    lines: Mapped[list[SlotLine]] = relationship(cascade="all, delete-orphan", order_by="SlotLine.idx")


class SlotLine(DemandLineMixin, Base):
    __tablename__ = "slot_lines"

    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True)
