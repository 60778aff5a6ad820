"""When people can serve: weekly rules, dated exceptions and busy times from their calendars."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin, utcnow
from models.vocab import one_of

RULE_KINDS = ("available", "undesired")
EXCEPTION_KINDS = ("available", "unavailable", "undesired")
EXCEPTION_SOURCES = ("manual", "calendar", "decline", "import")


class AvailabilityRule(TimestampMixin, Base):
    """A weekly recurring window, in the person's local time (Asia/Shanghai)."""

    __tablename__ = "availability_rules"
    __table_args__ = (
        one_of("kind", RULE_KINDS, "kind"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("end_time > start_time", name="time_order"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="available")
    weekday: Mapped[int]  # Monday = 0
    start_time: Mapped[time]
    end_time: Mapped[time]
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]


class CalendarUpload(Base):
    """One .ics file a provider uploaded; re-uploading replaces its busy times."""

    __tablename__ = "calendar_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64))
    events_count: Mapped[int] = mapped_column(default=0)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AvailabilityException(TimestampMixin, Base):
    """A dated period that overrides the weekly rules: leave, court hearings, extra time."""

    __tablename__ = "availability_exceptions"
    __table_args__ = (
        one_of("kind", EXCEPTION_KINDS, "kind"),
        one_of("source", EXCEPTION_SOURCES, "source"),
        CheckConstraint("end_at > start_at", name="time_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="manual")
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_uploads.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(String(256))
