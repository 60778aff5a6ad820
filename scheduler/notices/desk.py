"""The outbox page's use cases: what went out, what is being retried and what failed, per
channel, for the coordinator's districts; and sending a failed message again."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models import Notification, User
from scheduler.core import audit
from scheduler.core.access import NotVisible, district_filter, require_role, visible_district_ids
from scheduler.core.paging import Page, paginate
from scheduler.people.operations import mask_email, mask_phone

# What a coordinator reads: "retrying" is pending after at least one failed attempt.
STATES = ("sent", "pending", "retrying", "failed")
CHANNEL_ORDER = ("sms", "wecom", "email")


@dataclass(frozen=True)
class OutboxQuery:
    state: str | None = None
    channel: str | None = None
    page: int = 1


@dataclass(frozen=True)
class OutboxView:
    counts: dict[str, dict[str, int]]  # channel -> state -> messages
    page: Page


def _scope(actor: User):
    """A district coordinator sees their district's messages; a city coordinator all,
    including those of no district (sign-in links)."""
    if visible_district_ids(actor) is None:
        return Notification.id.is_not(None)
    return and_(Notification.district_id.is_not(None), district_filter(actor, Notification.district_id))


_STATE = case((Notification.status != "pending", Notification.status),
              (Notification.attempts > 0, "retrying"), else_="pending")


def outbox_view(session: Session, actor: User, query: OutboxQuery) -> OutboxView:
    require_role(actor, "coordinator")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATES, 0))
    for channel, state, n in session.execute(
            select(Notification.channel, _STATE, func.count()).where(_scope(actor))
            .group_by(Notification.channel, _STATE)):
        counts[channel][state] += n
    ordered = {c: counts[c] for c in CHANNEL_ORDER if c in counts}
    stmt = select(Notification).where(_scope(actor))
    if query.state in STATES:
        stmt = stmt.where(_STATE == query.state)
    if query.channel in CHANNEL_ORDER:
        stmt = stmt.where(Notification.channel == query.channel)
    page = paginate(session, stmt.order_by(Notification.created_at.desc(), Notification.id.desc()), query.page)
    return OutboxView(ordered, page)


def state_of(row: Notification) -> str:
    if row.status != "pending":
        return row.status
    return "retrying" if row.attempts else "pending"


def masked(channel: str, recipient: str) -> str:
    """An address as a coordinator sees it, masked as the person page masks contacts."""
    if channel == "email":
        return mask_email(recipient)
    return mask_phone(recipient) if channel == "sms" else recipient


def shown_recipient(row: Notification) -> str:
    return masked(row.channel, row.recipient)


def resend(session: Session, actor: User, notification_id: int, now: datetime) -> Notification:
    """A failed message goes back to the queue, to be tried at once with a fresh count of
    attempts; anything else is refused as not found (nothing to resend)."""
    require_role(actor, "coordinator")
    row = session.scalar(select(Notification).where(Notification.id == notification_id, _scope(actor)))
    if row is None or row.status != "failed":
        raise NotVisible("No failed message with that number in this account's districts.")
    row.status, row.attempts, row.next_attempt_at, row.last_error = "pending", 0, now, None
    audit.record(session, actor, "notification.resend", "notification", row.id, row.district_id,
                 channel=row.channel, kind=row.kind)
    session.flush()
    return row
