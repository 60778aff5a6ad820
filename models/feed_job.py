"""Rendering the calendar feeds a publish touched, after the publish committed: a publish
that touches many feeds (a city's first publish: 25,000) leaves them to a feed job so that
it answers at once. The job's progress (`done` of `total`) lives here, so any web process
can show it; until a feed is rendered again it serves its previous rendering."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.vocab import one_of

FEED_JOB_STATES = ("queued", "running", "done", "failed")


class FeedJob(Base):
    __tablename__ = "feed_jobs"
    __table_args__ = (one_of("state", FEED_JOB_STATES, "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date]
    # The published version whose feeds this job renders.
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    # Feeds to render and feeds rendered so far (committed chunk by chunk).
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
