"""A provider's own corner: upcoming assignments and hours, declines, availability rules and
periods, and busy times from their own calendar file replacing the last upload."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, AuditEntry, AvailabilityException, CalendarUpload, Decline
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.mine import self_service as mine
from scheduler.week import drafts
from tests.factories import MONDAY

NOW = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture
def me(make, session):
    d = make.district()
    person = make.person(d, name="王律师")
    other = make.person(d, name="李律师")
    user = make.user("provider", person_id=person.id, district_id=d.id)
    village = make.site(d, name="甲村")
    visit = make.slot(village, start=datetime(2026, 11, 30, 1, tzinfo=UTC), hours=3)
    shift = make.slot(make.site(d, kind="window", name="窗口"), kind="shift",
                      start=datetime(2026, 12, 8, 1, tzinfo=UTC), hours=2,
                      week_start=MONDAY + timedelta(days=7))
    past = make.slot(village, start=datetime(2026, 11, 20, 1, tzinfo=UTC), week_start=MONDAY - timedelta(days=14))
    for slot in (visit, shift, past):
        draft = drafts.get_or_create_draft(session, d.id, slot.week_start, None)
        draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=0))
        session.flush()
        drafts.publish(session, d.id, slot.week_start, None, now=NOW)
    return {"district": d, "person": person, "other": other, "user": user, "visit": visit, "shift": shift,
            "past": past}


def test_upcoming_shows_published_assignments_by_week_with_hours(session, make, me):
    # A draft-only change is not shown.
    draft = drafts.get_or_create_draft(session, me["district"].id, MONDAY, None)
    draft.assignments.append(Assignment(slot_id=make.slot(make.site(me["district"])).id,
                                        person_id=me["person"].id, line_index=0))
    session.flush()
    weeks = mine.upcoming(session, me["user"], NOW)
    assert [(w.week_start, [i.slot.id for i in w.items], w.hours) for w in weeks] == [
        (MONDAY, [me["visit"].id], 3.0), (MONDAY + timedelta(days=7), [me["shift"].id], 2.0)]


def test_only_providers_have_a_corner(make, session, me):
    with pytest.raises(AccessDenied):
        mine.upcoming(session, make.user("coordinator"), NOW)


def test_declining_records_the_reason_blocks_the_time_and_audits(session, me):
    row = mine.decline(session, me["user"], me["visit"].id, "  开庭 court hearing  ", NOW)
    assert (row.reason, row.person_id, row.slot_id) == ("开庭 court hearing", me["person"].id, me["visit"].id)
    blocked = session.scalar(select(AvailabilityException).where(AvailabilityException.source == "decline"))
    assert (blocked.kind, blocked.start_at, blocked.end_at) == ("unavailable", me["visit"].start_at, me["visit"].end_at)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "decline")).object_id == str(me["visit"].id)
    weeks = mine.upcoming(session, me["user"], NOW)
    assert weeks[0].items[0].declined and weeks[0].hours == 0


@pytest.mark.parametrize("case, code", [
    ("empty", "reason_required"), ("long", "reason_too_long"), ("foreign", "not_assigned"),
    ("started", "started"), ("twice", "already_declined"),
])
def test_declines_that_cannot_be(session, make, me, case, code):
    slot, reason, now = me["visit"].id, "ill", NOW
    if case == "empty":
        reason = "   "
    elif case == "long":
        reason = "x" * 257
    elif case == "foreign":
        slot = make.slot(make.site(me["district"])).id
    elif case == "started":
        now = me["visit"].start_at + timedelta(minutes=1)
    else:
        mine.decline(session, me["user"], slot, reason, now)
    with pytest.raises(mine.SelfServiceError) as caught:
        mine.decline(session, me["user"], slot, reason, now)
    assert caught.value.code == code


def test_weekly_rules_are_the_providers_own(session, make, me):
    rule = mine.add_rule(session, me["user"], 1, time(9), time(12), "available")
    assert [r.id for r in mine.availability(session, me["user"], NOW).rules] == [rule.id]
    with pytest.raises(mine.SelfServiceError) as caught:
        mine.add_rule(session, me["user"], 1, time(12), time(9), "available")
    assert caught.value.code == "time_order"
    someone = make.user("provider", person_id=me["other"].id, district_id=me["district"].id)
    with pytest.raises(NotVisible):
        mine.delete_rule(session, someone, rule.id)
    mine.delete_rule(session, me["user"], rule.id)
    assert mine.availability(session, me["user"], NOW).rules == []


def test_dated_periods_can_be_added_and_removed_but_not_declines(session, me):
    start = datetime(2026, 12, 3, 1, tzinfo=UTC)
    row = mine.add_exception(session, me["user"], start, start + timedelta(hours=8), "unavailable", "年假")
    mine.decline(session, me["user"], me["visit"].id, "ill", NOW)
    shown = mine.availability(session, me["user"], NOW).exceptions
    assert {(e.source, e.note) for e in shown} == {("manual", "年假"), ("decline", "ill")}
    declined = next(e for e in shown if e.source == "decline")
    with pytest.raises(mine.SelfServiceError) as caught:
        mine.delete_exception(session, me["user"], declined.id)
    assert caught.value.code == "from_decline"
    mine.delete_exception(session, me["user"], row.id)
    assert [e.source for e in mine.availability(session, me["user"], NOW).exceptions] == ["decline"]


def ics(*spans: str) -> bytes:
    events = "".join(f"BEGIN:VEVENT\r\nUID:u{n}\r\nDTSTAMP:20261101T000000Z\r\n{s}END:VEVENT\r\n"
                     for n, s in enumerate(spans))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}END:VCALENDAR\r\n".encode()


def calendar_periods(session, person):
    return session.execute(select(AvailabilityException.start_at, AvailabilityException.kind).where(
        AvailabilityException.person_id == person.id, AvailabilityException.source == "calendar")
        .order_by(AvailabilityException.start_at)).all()


def test_an_uploaded_calendar_marks_busy_times_and_a_new_upload_replaces_it(session, me):
    first = mine.import_calendar(session, me["user"], "work.ics", ics(
        "DTSTART;TZID=Asia/Shanghai:20261201T090000\r\nDTEND;TZID=Asia/Shanghai:20261201T110000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:client 张三\r\n"), NOW)
    assert first.events_count == 3
    assert calendar_periods(session, me["person"]) == [
        (datetime(2026, 12, d, 1, tzinfo=UTC), "unavailable") for d in (1, 8, 15)]
    mine.import_calendar(session, me["user"], "work.ics", ics("DTSTART:20261210T010000Z\r\nDTEND:20261210T020000Z\r\n"), NOW)
    assert calendar_periods(session, me["person"]) == [(datetime(2026, 12, 10, 1, tzinfo=UTC), "unavailable")]
    assert len(session.scalars(select(CalendarUpload).where(CalendarUpload.person_id == me["person"].id)).all()) == 1
    assert mine.availability(session, me["user"], NOW).upload.events_count == 1


def test_a_bad_file_changes_nothing(session, me):
    mine.import_calendar(session, me["user"], "a.ics", ics("DTSTART:20261210T010000Z\r\nDTEND:20261210T020000Z\r\n"), NOW)
    with pytest.raises(mine.SelfServiceError) as caught:
        mine.import_calendar(session, me["user"], "b.ics", b"not a calendar", NOW)
    assert caught.value.code == "ics_unreadable"
    assert len(calendar_periods(session, me["person"])) == 1
    assert session.scalar(select(Decline)) is None
