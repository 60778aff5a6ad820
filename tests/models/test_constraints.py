"""The database itself protects the data: each rule below is refused by a constraint,
on SQLite and on PostgreSQL alike."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import (
    AuditEntry,
    FeedToken,
    Pairing,
    PersonRole,
    Schedule,
    SlotLine,
    User,
    VisitRating,
    VisitRequest,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def refused(session, obj):
    """Adding `obj` is refused by the database; the session stays usable afterwards."""
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(obj)
            session.flush()


def test_second_draft_for_the_same_district_and_week_is_refused(session, make):
    district = make.district()
    make.schedule(district)
    refused(session, Schedule(district_id=district.id, week_start=date(2026, 11, 30)))


def test_drafts_for_other_weeks_and_published_versions_are_allowed(session, make):
    district = make.district()
    make.schedule(district)
    make.schedule(district, week_start=date(2026, 12, 7))
    make.schedule(district, state="published", version=1, published_at=NOW)
    make.schedule(district, state="published", version=2, published_at=NOW)
    assert len(session.scalars(select(Schedule).where(Schedule.district_id == district.id)).all()) == 4


def test_published_schedule_needs_version_and_time(session, make):
    district = make.district()
    refused(session, Schedule(district_id=district.id, week_start=date(2026, 11, 30), state="published"))


def test_a_version_number_is_used_once_per_week(session, make):
    district = make.district()
    make.schedule(district, state="published", version=1, published_at=NOW)
    refused(session, Schedule(district_id=district.id, week_start=date(2026, 11, 30), state="published",
                              version=1, published_at=NOW))


def test_a_village_has_one_current_adviser_but_keeps_its_history(session, make):
    district = make.district()
    village = make.site(district)
    a, b = make.person(district), make.person(district)
    session.add(Pairing(site_id=village.id, person_id=a.id, valid_from=date(2025, 1, 1), valid_to=date(2026, 1, 1)))
    session.add(Pairing(site_id=village.id, person_id=b.id, valid_from=date(2026, 1, 1)))
    session.flush()
    refused(session, Pairing(site_id=village.id, person_id=a.id, valid_from=date(2026, 6, 1)))


def test_pairing_cannot_end_before_it_starts(session, make):
    district = make.district()
    refused(session, Pairing(site_id=make.site(district).id, person_id=make.person(district).id,
                             valid_from=date(2026, 6, 1), valid_to=date(2026, 5, 1)))


def test_unknown_role_is_refused(session, make):
    person = make.person()
    refused(session, PersonRole(person_id=person.id, role="wizard"))


def test_one_live_feed_token_per_subject(session, make):
    person = make.person()
    session.add(FeedToken(subject_kind="person", subject_id=person.id, token_hash="a" * 64, revoked_at=NOW))
    session.add(FeedToken(subject_kind="person", subject_id=person.id, token_hash="b" * 64))
    session.flush()
    refused(session, FeedToken(subject_kind="person", subject_id=person.id, token_hash="c" * 64))


@pytest.mark.parametrize(
    "fields",
    [
        {"role": "provider"},  # a provider account needs its person
        {"role": "village"},  # a village account needs its village
        {"role": "coordinator"},  # a coordinator needs a district or the city
        {"role": "provider", "city_wide": True},
    ],
)
def test_accounts_are_linked_to_what_they_act_for(session, fields):
    refused(session, User(username=f"u-{len(fields)}-{fields['role']}", password_hash="x", **fields))


def test_well_formed_accounts_are_accepted(session, make):
    make.user("coordinator", city_wide=True)
    make.user("provider", person_id=make.person().id)
    make.user("village", village_id=make.site().id)


def test_demand_line_count_must_be_positive(session, make):
    slot = make.slot()
    refused(session, SlotLine(slot_id=slot.id, idx=5, roles=["lawyer"], count=0))


def test_slot_priority_is_one_to_five(session, make):
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            make.slot(priority=6)


def test_cancelled_request_must_say_why(session, make):
    site = make.site()
    owner = make.user("coordinator", district_id=site.district_id)
    refused(session, VisitRequest(village_id=site.id, district_id=site.district_id, topic="土地纠纷",
                                  kind="mediation", owner_id=owner.id, status="cancelled"))


def test_rating_is_one_to_five(session, make):
    slot = make.slot()
    rater = make.user("village", village_id=slot.site_id)
    refused(session, VisitRating(slot_id=slot.id, village_id=slot.site_id, rated_by_id=rater.id, score=6))


def test_audit_log_is_append_only(session):
    entry = AuditEntry(action="publish", object_type="schedule", object_id="1", details={"v": 1})
    session.add(entry)
    session.flush()
    for statement in (update(AuditEntry).values(action="forged"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"):
            with session.begin_nested():
                session.execute(statement)
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.id == entry.id)) == "publish"


def test_datetimes_come_back_aware_utc(session, make):
    shanghai = timezone(timedelta(hours=8))
    slot = make.slot(start=datetime(2026, 11, 30, 9, 0, tzinfo=shanghai))
    session.expire_all()
    stored = session.get(type(slot), slot.id)
    assert stored.start_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert stored.start_at.tzinfo is not None and stored.start_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session, make):
    with pytest.raises(Exception, match="naive datetime"):
        make.slot(start=datetime(2026, 11, 30, 9, 0))
