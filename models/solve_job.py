"""A solve running outside the request: its state, live progress and cancel flag live in the
database so every web process (and a Celery worker) sees the same job.

The worker running a job holds a lease on it (`claimed_by`, `lease_until`), renewed while it
works: a job whose lease ran out belongs to a worker that died, and another worker may take it
over (`attempts` counts the claims). `discarded`: the solve finished but the week's draft had
changed since the solver read it, so its result was not stored (scheduler.jobs.leases)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.vocab import one_of

JOB_STATES = ("queued", "running", "done", "failed", "cancelled", "discarded")


class SolveJob(Base):
    __tablename__ = "solve_jobs"
    __table_args__ = (
        one_of("state", JOB_STATES, "state"),
        # One live solve per district and week: a second click joins the running job.
        Index(
            "uq_solve_jobs_one_live",
            "district_id",
            "week_start",
            unique=True,
            sqlite_where=text("state IN ('queued', 'running')"),
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date]
    state: Mapped[str] = mapped_column(String(16), default="queued")
    time_limit: Mapped[float] = mapped_column(default=30.0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    # Latest progress: objective, bound, elapsed_s, solutions.
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    # The lease of the worker running the job: who holds it, until when, how many claims so far.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
