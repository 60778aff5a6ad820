"""What each calendar feed last said: one row per event it carries, and its cached rendering.

Calendar clients match events by UID and accept a change only when SEQUENCE rises, so the
feed's memory of every event (its sequence, a hash of its content, cancelled or not) has to
outlive any one published version. The rendering is cached so serving a feed is one lookup.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.feed import FEED_SUBJECTS
from models.vocab import one_of

FEED_EVENT_STATUSES = ("confirmed", "cancelled")


class FeedEvent(Base):
    __tablename__ = "feed_events"
    __table_args__ = (
        one_of("subject_kind", FEED_SUBJECTS, "subject_kind"),
        one_of("status", FEED_EVENT_STATUSES, "status"),
        CheckConstraint("sequence >= 0", name="sequence"),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_at"),
        Index("ix_feed_events_subject", "subject_kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed when the row is made, e.g. slot-12-person-34@host; never recomputed.
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), index=True)
    # The assigned person for a person's feed; none for a village's or site's (one event per slot).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(default=0)
    # SHA-256 of `content`: a real change raises SEQUENCE, a re-publish of the same does not.
    content_hash: Mapped[str] = mapped_column(String(64))
    # What the event says (times, summary, location, description), kept so a cancelled event
    # still shows what was cancelled after its slot or assignment has gone.
    content: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]


class FeedRender(Base):
    """The feed's bytes as last rendered, with what HTTP caching needs."""

    __tablename__ = "feed_renders"
    __table_args__ = (
        one_of("subject_kind", FEED_SUBJECTS, "subject_kind"),
        UniqueConstraint("subject_kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    # Changes only when the body does (whole seconds, as HTTP dates have no fractions).
    last_modified: Mapped[datetime]
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When time alone changes the feed (a cancellation's seven days end, an event leaves the
    # window): a request after this renders it again.
    expires_at: Mapped[datetime]
