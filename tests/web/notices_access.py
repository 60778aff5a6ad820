"""URL arguments of the notices endpoints for the route x role table (`tests/web/route_table.py`)."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import object_session

from models import Notification


def failed_notice_a(world) -> dict:
    """A message of district A that failed for good (the outbox's resend)."""
    row = Notification(channel="sms", recipient="13812345678", subject="s", body="b", kind="change",
                       dedupe_key=f"route-table:{world.district_a.id}", status="failed", attempts=8,
                       district_id=world.district_a.id, next_attempt_at=datetime(2026, 11, 26, tzinfo=UTC))
    object_session(world.person_a).add(row)
    object_session(world.person_a).flush()
    return {"notification_id": row.id}


def village_a(world) -> dict:
    return {"village_id": world.village_a.id}
