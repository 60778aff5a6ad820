"""Secret calendar feed tokens: one active per person, village or site, stored hashed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.vocab import one_of

FEED_SUBJECTS = ("person", "village", "site")


class FeedToken(Base):
    """Only the SHA-256 of a token is kept: a leaked database does not leak feed URLs."""

    __tablename__ = "feed_tokens"
    __table_args__ = (
        one_of("subject_kind", FEED_SUBJECTS, "subject_kind"),
        # Resetting revokes the old token and creates a new one: one live URL per subject.
        Index(
            "uq_feed_tokens_active_subject",
            "subject_kind",
            "subject_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    # Polymorphic: the id of a person, or of a site (village or other).
    subject_id: Mapped[int]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
