"""The notification outbox: messages are written in the same transaction as the change that
causes them and sent afterwards, with retries and a record of what went out."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.vocab import one_of

CHANNELS = ("email", "sms", "wecom")
NOTIFICATION_STATUSES = ("pending", "sent", "failed")


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        one_of("channel", CHANNELS, "channel"),
        one_of("status", NOTIFICATION_STATUSES, "status"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))  # change, reminder, cancellation ...
    # The same fact is never announced twice (e.g. "reminder:slot 42:person 7").
    dedupe_key: Mapped[str] = mapped_column(String(191), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Template parameters (JSON object of short strings): an SMS is an approved template
    # plus parameters, not free text.
    params: Mapped[str | None] = mapped_column(Text)
    # Where to try next when this message fails for good: JSON list of [channel, recipient].
    fallback: Mapped[str | None] = mapped_column(Text)
    # Whom it is for ("person:7", "village:12"): the outbox page groups and resends by it.
    audience: Mapped[str | None] = mapped_column(String(64), index=True)
    # The district it concerns: a district's coordinators see its messages on the outbox page.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"), index=True)
