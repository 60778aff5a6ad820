"""Data retention: personal data that has served its purpose is deleted or anonymised.

The policy (days; `never` switches a rule off) comes from the settings
(`scheduler.core.config.Settings`, read from the environment):

    RETENTION_AVAILABILITY_DAYS     180  dated availability exceptions that ended this long ago
    RETENTION_CALENDAR_UPLOAD_DAYS  180  uploaded calendars this old with no busy time still kept
    RETENTION_INACTIVE_PERSON_DAYS  365  people deactivated (and unchanged) this long: anonymised
    RETENTION_NOTIFICATION_DAYS      90  sent or failed notifications this old (pending ones stay)

Anonymising a person keeps the row, so schedules, pairings and statistics still add up, but
drops the name, phone, e-mail, weekly rules and dated exceptions, coarsens the starting point
to about 10 km, revokes the person's feed URL and clears a deactivated linked account's name
and e-mail. The append-only audit log is never touched (its triggers would refuse anyway);
each real purge adds one entry saying what it removed.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from models import AvailabilityException, AvailabilityRule, CalendarUpload, Notification, Person, User
from models.feed import FeedToken
from scheduler.core import audit
from scheduler.core.config import Settings

ANONYMISED_NAME = "已匿名"
ENV = {
    "availability_days": "RETENTION_AVAILABILITY_DAYS",
    "calendar_upload_days": "RETENTION_CALENDAR_UPLOAD_DAYS",
    "inactive_person_days": "RETENTION_INACTIVE_PERSON_DAYS",
    "notification_days": "RETENTION_NOTIFICATION_DAYS",
}


@dataclass(frozen=True)
class RetentionPolicy:
    availability_days: int | None = 180
    calendar_upload_days: int | None = 180
    inactive_person_days: int | None = 365
    notification_days: int | None = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        """The policy of the RETENTION_* settings (checked when the settings were read)."""
        return cls(**{name: getattr(settings, f"retention_{name}") for name in ENV})

    def describe(self) -> dict[str, str]:
        return {ENV[k]: "never" if v is None else f"{v} days" for k, v in asdict(self).items()}


@dataclass
class PurgeReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)


def _cutoff(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def purge(session: Session, policy: RetentionPolicy, *, now: datetime, dry_run: bool = False) -> PurgeReport:
    report = PurgeReport(dry_run)
    availability = _cutoff(now, policy.availability_days)
    uploads = _cutoff(now, policy.calendar_upload_days)
    people = _cutoff(now, policy.inactive_person_days)
    notifications = _cutoff(now, policy.notification_days)

    if availability is not None:
        report.counts["availability_exceptions"] = _delete(
            session, AvailabilityException, AvailabilityException.end_at < availability, dry_run)
    if uploads is not None:
        # An upload goes only when none of its busy times is still kept.
        still_kept = AvailabilityException.upload_id == CalendarUpload.id
        if availability is not None:
            still_kept = and_(still_kept, AvailabilityException.end_at >= availability)
        report.counts["calendar_uploads"] = _delete(
            session, CalendarUpload, and_(CalendarUpload.uploaded_at < uploads, ~exists().where(still_kept)), dry_run)
    if people is not None:
        report.counts["people_anonymised"] = _anonymise(session, people, now, dry_run)
    if notifications is not None:
        report.counts["notifications"] = _delete(
            session, Notification,
            and_(Notification.status.in_(("sent", "failed")), Notification.created_at < notifications), dry_run)
    if not dry_run:
        audit.record(session, None, "purge", "retention", None, None, policy=policy.describe(), **report.counts)
    return report


def _delete(session: Session, model: Any, where: Any, dry_run: bool) -> int:
    if dry_run:
        return session.scalar(select(func.count()).select_from(model).where(where)) or 0
    return session.execute(delete(model).where(where).execution_options(synchronize_session=False)).rowcount


def _anonymise(session: Session, cutoff: datetime, now: datetime, dry_run: bool) -> int:
    due = select(Person.id).where(
        Person.active.is_(False), Person.updated_at < cutoff,
        or_(Person.name != ANONYMISED_NAME, Person.phone.is_not(None), Person.email.is_not(None)))
    ids = list(session.scalars(due))
    if dry_run or not ids:
        return len(ids)
    for person in session.scalars(select(Person).where(Person.id.in_(ids))):
        person.name, person.phone, person.email = ANONYMISED_NAME, None, None
        person.lat, person.lon = round(person.lat, 1), round(person.lon, 1)
    session.execute(delete(AvailabilityRule).where(AvailabilityRule.person_id.in_(ids)))
    session.execute(delete(AvailabilityException).where(AvailabilityException.person_id.in_(ids)))
    session.execute(delete(CalendarUpload).where(CalendarUpload.person_id.in_(ids)))
    session.execute(update(FeedToken).where(FeedToken.subject_kind == "person", FeedToken.subject_id.in_(ids),
                                            FeedToken.revoked_at.is_(None)).values(revoked_at=now))
    session.execute(update(User).where(User.person_id.in_(ids), User.active.is_(False))
                    .values(display_name=None, email=None))
    session.flush()
    return len(ids)
