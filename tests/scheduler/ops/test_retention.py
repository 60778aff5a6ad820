"""The retention purge: what goes, what stays, dry runs, the policy, and the audit log."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from models import AuditEntry, AvailabilityException, AvailabilityRule, CalendarUpload, Notification, Person, User
from models.feed import FeedToken
from scheduler.cli import main
from scheduler.core import audit
from scheduler.core.config import Settings, SettingsError
from scheduler.ops.retention import ANONYMISED_NAME, RetentionPolicy, purge

NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def busy(session, person, ended_days_ago: int, upload=None) -> AvailabilityException:
    row = AvailabilityException(person_id=person.id, kind="unavailable", start_at=ago(ended_days_ago) - timedelta(hours=2),
                                end_at=ago(ended_days_ago), source="calendar" if upload else "manual",
                                upload_id=upload.id if upload else None)
    session.add(row)
    return row


def upload(session, person, days_ago: int) -> CalendarUpload:
    row = CalendarUpload(person_id=person.id, filename="cal.ics", sha256="0" * 64, uploaded_at=ago(days_ago))
    session.add(row)
    session.flush()
    return row


def note(session, key: str, status: str, days_ago: int) -> None:
    session.add(Notification(channel="sms", recipient="13812345678", subject="s", body="b", kind="change",
                             dedupe_key=key, status=status, created_at=ago(days_ago)))


@pytest.fixture
def scene(session, make):
    d = make.district()
    active = make.person(d, name="在职律师", phone="13900000001")
    gone = make.person(d, name="离职律师", phone="13900000002", email="gone@example.org", active=False,
                       lat=29.87654, lon=121.54321)
    recent = make.person(d, name="刚离职", phone="13900000003", active=False)
    account = make.user(role="provider", username="gone", person_id=gone.id, email="gone@example.org",
                        display_name="离职律师", active=False)
    session.add(AvailabilityRule(person_id=gone.id, weekday=0, start_time=datetime(2000, 1, 1, 9).time(),
                                 end_time=datetime(2000, 1, 1, 12).time()))
    session.add(FeedToken(subject_kind="person", subject_id=gone.id, token_hash="a" * 64))
    old_only, mixed, fresh = upload(session, active, 200), upload(session, active, 200), upload(session, active, 5)
    rows = {
        "old": busy(session, active, 200), "old_upload": busy(session, active, 250, old_only),
        "mixed_old": busy(session, active, 300, mixed), "mixed_recent": busy(session, active, 10, mixed),
        "fresh": busy(session, active, 3, fresh), "future": busy(session, active, -30),
    }
    note(session, "sent-old", "sent", 100)
    note(session, "failed-old", "failed", 100)
    note(session, "pending-old", "pending", 100)
    note(session, "sent-new", "sent", 10)
    audit.record(session, None, "edit", "person", gone.id, d.id, name="离职律师")
    session.flush()
    row_ids = {k: row.id for k, row in rows.items()}
    session.execute(update(Person).where(Person.id == gone.id).values(updated_at=ago(400)))
    session.execute(update(Person).where(Person.id == recent.id).values(updated_at=ago(100)))
    session.expire_all()
    return dict(active=active.id, gone=gone.id, recent=recent.id, account=account.id, uploads=(old_only.id, mixed.id, fresh.id),
                rows=row_ids)


EXPECTED = {"availability_exceptions": 3, "calendar_uploads": 1, "people_anonymised": 1, "notifications": 2}


def test_a_dry_run_counts_exactly_what_a_purge_removes_and_changes_nothing(session, scene):
    audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
    report = purge(session, RetentionPolicy(), now=NOW, dry_run=True)
    assert report.counts == EXPECTED
    assert session.scalar(select(func.count()).select_from(AvailabilityException)) == 6
    assert session.get(Person, scene["gone"]).name == "离职律师"
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert purge(session, RetentionPolicy(), now=NOW).counts == EXPECTED


def test_the_purge_keeps_what_is_still_needed(session, scene):
    purge(session, RetentionPolicy(), now=NOW)
    session.expire_all()
    kept = {k for k, row_id in scene["rows"].items() if session.get(AvailabilityException, row_id) is not None}
    assert kept == {"mixed_recent", "fresh", "future"}
    old_only, mixed, fresh = scene["uploads"]
    assert session.get(CalendarUpload, old_only) is None
    assert session.get(CalendarUpload, mixed) is not None and session.get(CalendarUpload, fresh) is not None
    assert sorted(session.scalars(select(Notification.dedupe_key))) == ["pending-old", "sent-new"]


def test_a_long_deactivated_person_is_anonymised_but_kept(session, scene):
    purge(session, RetentionPolicy(), now=NOW)
    session.expire_all()
    gone = session.get(Person, scene["gone"])
    assert (gone.name, gone.phone, gone.email) == (ANONYMISED_NAME, None, None)
    assert (gone.lat, gone.lon) == (29.9, 121.5)
    assert session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == gone.id)).all() == []
    assert session.scalar(select(FeedToken.revoked_at).where(FeedToken.subject_id == gone.id)) is not None
    account = session.get(User, scene["account"])
    assert account.email is None and account.display_name is None
    recent, active = session.get(Person, scene["recent"]), session.get(Person, scene["active"])
    assert recent.name == "刚离职" and recent.phone == "13900000003"
    assert active.name == "在职律师"
    # Done once: the next purge finds nobody left to anonymise.
    assert purge(session, RetentionPolicy(), now=NOW).counts["people_anonymised"] == 0


def test_the_audit_log_is_never_touched_and_records_the_purge(session, scene):
    before = [(e.id, e.action, e.details) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    purge(session, RetentionPolicy(), now=NOW)
    session.expire_all()
    after = [(e.id, e.action, e.details) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert after[:len(before)] == before
    [entry] = after[len(before):]
    assert entry[1] == "purge" and entry[2]["notifications"] == 2


def test_never_switches_a_rule_off(session, scene):
    policy = RetentionPolicy(availability_days=None, calendar_upload_days=None, inactive_person_days=None)
    report = purge(session, policy, now=NOW)
    assert report.counts == {"notifications": 2}
    assert session.scalar(select(func.count()).select_from(AvailabilityException)) == 6


def test_the_policy_comes_from_the_settings():
    assert RetentionPolicy.from_settings(Settings.from_env({})) == RetentionPolicy()
    policy = RetentionPolicy.from_settings(Settings.from_env(
        {"RETENTION_AVAILABILITY_DAYS": "30", "RETENTION_NOTIFICATION_DAYS": "never"}))
    assert policy.availability_days == 30 and policy.notification_days is None
    with pytest.raises(SettingsError, match="RETENTION_INACTIVE_PERSON_DAYS.*'-1'") as err:
        Settings.from_env({"RETENTION_INACTIVE_PERSON_DAYS": "-1", "RETENTION_AVAILABILITY_DAYS": "0"})
    assert "RETENTION_AVAILABILITY_DAYS" in str(err.value)  # every bad value named at once


def test_the_purge_command(committed_factory, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", committed_factory.kw["bind"].url.render_as_string(hide_password=False))
    with committed_factory.begin() as session:
        session.add(Notification(channel="email", recipient="a@example.org", subject="s", body="b", kind="change",
                                 dedupe_key="k", status="sent", created_at=datetime(2020, 1, 1, tzinfo=UTC)))
    dry = CliRunner().invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and "1  notifications" in dry.output
    done = CliRunner().invoke(main, ["purge"])
    assert done.exit_code == 0 and "Purged:" in done.output
    with committed_factory() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 0
    monkeypatch.setenv("RETENTION_NOTIFICATION_DAYS", "soon")
    bad = CliRunner().invoke(main, ["purge"])
    assert bad.exit_code == 1 and "RETENTION_NOTIFICATION_DAYS" in bad.output
