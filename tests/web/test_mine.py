"""The provider's own corner over HTTP: assignments and hours, declining, weekly times, dated
periods in local time, and uploading their own calendar file."""
from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, AvailabilityException, AvailabilityRule, Decline
from scheduler.core.weeks import monday_of, to_local
from scheduler.week import drafts
from tests.web.conftest import NOW, login_as


@pytest.fixture
def provider(client, world):
    login_as(client, world.users["provider"])
    return client


@pytest.fixture
def assigned(session, make, world):
    start = (NOW + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    week = monday_of(to_local(start).date())
    slot = make.slot(world.village_a, start=start, hours=2.5, week_start=week)
    draft = drafts.get_or_create_draft(session, world.district_a.id, week, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    drafts.publish(session, world.district_a.id, week, None, now=NOW)
    return slot


def test_the_provider_sees_upcoming_assignments_hours_and_their_feed(provider, assigned):
    page = provider.get("/my/assignments?lang=en").get_data(as_text=True)
    assert "甲村" in page and "2.5 hours" in page
    assert "/feeds/person/" in page


def test_declining_with_a_reason(provider, session, assigned, world):
    response = provider.post(f"/my/assignments/{assigned.id}/decline?lang=en", data={"reason": "开庭"})
    assert response.status_code == 302
    row = session.scalar(select(Decline).where(Decline.slot_id == assigned.id))
    assert (row.person_id, row.reason) == (world.person_a.id, "开庭")
    page = provider.get("/my/assignments?lang=en").get_data(as_text=True)
    assert "Declined" in page and "0 hours" in page
    again = provider.post(f"/my/assignments/{assigned.id}/decline?lang=en", data={"reason": "x"}, follow_redirects=True)
    assert "already declined" in again.get_data(as_text=True)


def test_a_decline_needs_a_reason(provider, session, assigned):
    page = provider.post(f"/my/assignments/{assigned.id}/decline?lang=en", data={"reason": ""},
                         follow_redirects=True).get_data(as_text=True)
    assert "Reason" in page and session.scalar(select(Decline)) is None


def test_weekly_times_are_added_and_removed(provider, session, world):
    response = provider.post("/my/availability/rules", data={"weekday": "2", "start": "09:00", "end": "12:00",
                                                              "kind": "available"})
    assert response.status_code == 302
    rule = session.scalar(select(AvailabilityRule).where(AvailabilityRule.person_id == world.person_a.id))
    assert (rule.weekday, rule.start_time, rule.end_time) == (2, time(9), time(12))
    wrong = provider.post("/my/availability/rules?lang=en", data={"weekday": "2", "start": "12:00", "end": "09:00",
                                                                   "kind": "available"}, follow_redirects=True)
    assert "The end must be after the start." in wrong.get_data(as_text=True)
    provider.post(f"/my/availability/rules/{rule.id}/delete")
    assert session.scalar(select(AvailabilityRule)) is None


def test_a_period_is_entered_in_local_time(provider, session, world):
    provider.post("/my/availability/periods", data={"start": "2027-05-10T09:00", "end": "2027-05-10T17:30",
                                                    "kind": "unavailable", "note": "年假"})
    row = session.scalar(select(AvailabilityException).where(AvailabilityException.person_id == world.person_a.id))
    assert (row.start_at, row.end_at) == (datetime(2027, 5, 10, 1, tzinfo=UTC),
                                          datetime(2027, 5, 10, 9, 30, tzinfo=UTC))
    assert "年假" in provider.get("/my/availability").get_data(as_text=True)


def test_someone_elses_rows_are_out_of_reach(provider, session, world):
    rule = AvailabilityRule(person_id=world.person_b.id, weekday=0, start_time=time(9), end_time=time(10))
    session.add(rule)
    session.flush()
    assert provider.post(f"/my/availability/rules/{rule.id}/delete").status_code == 404


def ics(start: datetime) -> bytes:
    stamp = start.strftime("%Y%m%dT%H%M%SZ")
    end = (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:{stamp}\r\n"
            f"DTSTART:{stamp}\r\nDTEND:{end}\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:client 张三\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def upload(client, data: bytes, name: str = "mine.ics"):
    return client.post("/my/availability/calendar?lang=en", data={"calendar": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_uploading_my_calendar_marks_busy_times_and_replaces_the_last(provider, session, world):
    soon = (NOW + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    page = upload(provider, ics(soon)).get_data(as_text=True)
    assert "2 busy periods" in page
    later = soon + timedelta(days=1)
    upload(provider, ics(later))
    starts = session.scalars(select(AvailabilityException.start_at).where(
        AvailabilityException.source == "calendar").order_by(AvailabilityException.start_at)).all()
    assert starts == [later, later + timedelta(days=7)]
    page = provider.get("/my/availability").get_data(as_text=True)
    assert "张三" not in page  # only the times are kept


def test_a_bad_calendar_file_is_refused_with_a_reason(provider, session):
    page = upload(provider, b"not a calendar").get_data(as_text=True)
    assert "not a calendar (.ics) file that can be read" in page
    page = upload(provider, b"BEGIN:VCALENDAR", name="notes.txt").get_data(as_text=True)
    assert "Choose an .ics calendar file." in page
    assert session.scalar(select(AvailabilityException)) is None


SECONDLY = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
            b"DTSTART:20261201T000000Z\r\nDTEND:20261201T000001Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n"
            b"END:VCALENDAR\r\n")


def test_a_hostile_calendar_file_is_refused_at_once_in_the_readers_language(provider, session):
    # A rule repeating every second over 180 days was 15 million occurrences before any limit.
    chinese = provider.post("/my/availability/calendar", data={"calendar": (io.BytesIO(SECONDLY), "mine.ics")},
                            content_type="multipart/form-data")
    assert chinese.status_code == 422
    assert "日历文件中有每分钟或每秒重复一次的事件" in chinese.get_data(as_text=True)
    english = upload(provider, SECONDLY)
    assert english.status_code == 422
    assert "The calendar file has an event that repeats every minute or every second" in english.get_data(as_text=True)
    assert session.scalar(select(AvailabilityException)) is None
