"""Schedules: at most one draft per district and week, and immutable published versions."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, event, inspect, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, TimestampMixin, utcnow
from models.vocab import one_of

if TYPE_CHECKING:
    from models.person import Person
    from models.slot import Slot

SCHEDULE_STATES = ("draft", "published")
ASSIGNMENT_SOURCES = ("solver", "manual", "swap")


class Schedule(TimestampMixin, Base):
    __tablename__ = "schedules"
    __table_args__ = (
        one_of("state", SCHEDULE_STATES, "state"),
        # A published schedule always has its version number and publication time.
        CheckConstraint(
            "state <> 'published' OR (version IS NOT NULL AND published_at IS NOT NULL)",
            name="published_fields",
        ),
        UniqueConstraint("district_id", "week_start", "version"),
        # The one-draft rule: two coordinators never hold two drafts of one week.
        Index(
            "uq_schedules_one_draft",
            "district_id",
            "week_start",
            unique=True,
            sqlite_where=text("state = 'draft'"),
            postgresql_where=text("state = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    week_start: Mapped[date]
    state: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int | None]
    # The published version a draft started from, for diffs and minimal-change re-solves.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    solver_status: Mapped[str | None] = mapped_column(String(16))
    objective: Mapped[float | None]
    bound: Mapped[float | None]
    solve_stats: Mapped[dict[str, Any] | None]
    solved_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Optimistic locking: a stale editor's write fails instead of overwriting silently.
    lock_version: Mapped[int] = mapped_column(default=1)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan"
    )
    open_places: Mapped[list[OpenPlace]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        # Hard rule 8: a person holds at most one line of one slot.
        UniqueConstraint("schedule_id", "slot_id", "person_id"),
        one_of("source", ASSIGNMENT_SOURCES, "source"),
        CheckConstraint("line_index >= 0", name="line_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    line_index: Mapped[int]
    # Locked assignments are `pinned` in the next solve.
    locked: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16), default="solver")
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    schedule: Mapped[Schedule] = relationship(back_populates="assignments")
    slot: Mapped[Slot] = relationship()
    person: Mapped[Person] = relationship()


class OpenPlace(Base):
    """A place the solver left open, with the reasons it gave (code, zh, en, params)."""

    __tablename__ = "open_places"
    __table_args__ = (
        UniqueConstraint("schedule_id", "slot_id", "line_index"),
        CheckConstraint("missing >= 1", name="missing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), index=True)
    line_index: Mapped[int]
    missing: Mapped[int]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(default=list)


class PublishedScheduleChanged(Exception):
    """A published version is immutable: change the draft and publish again."""


def _guard_published(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        deleted = obj in session.deleted
        if isinstance(obj, Schedule):
            changed = {a.key for a in inspect(obj).attrs if a.history.has_changes()} - {"updated_at"}
            if not (deleted or changed):
                continue
            history = inspect(obj).attrs.state.history
            was_published = (history.deleted or [obj.state])[0] == "published"
        elif isinstance(obj, (Assignment, OpenPlace)):
            if not (deleted or session.is_modified(obj)):
                continue
            schedule = session.get(Schedule, obj.schedule_id)
            was_published = schedule is not None and schedule.state == "published"
        else:
            continue
        if was_published:
            raise PublishedScheduleChanged("a published schedule is immutable: edit the draft and publish again")


event.listen(Session, "before_flush", _guard_published)
