"""Whom a notice reaches and how (scheduler.notices.routing): preferences in order with the
rest as fallback, a village's mobile alone is enough, quiet hours, reminders switched off."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models import Notification
from scheduler.notices.reminders import remind
from scheduler.notices.routing import Reach, Route, china_mobile, deliver_after, person_reach
from tests.scheduler.notices.test_notices import put, week  # noqa: F401  (week is a fixture)
from tests.scheduler.notices.test_reminders import MONDAY_16, tomorrow_week

ZONE = "Asia/Shanghai"
SMS = Reach("person:1", "王律师", (Route("sms", "13800138000"), Route("email", "wang@example.org")))


def local(day: int, hour: int, month: int = 11) -> datetime:
    """`hour` o'clock in Ningbo (UTC+8) on that day, as UTC."""
    return datetime(2026, month, day, hour, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


@pytest.mark.parametrize("text", ["13800138000", "+86 138 0013 8000", "86-138-0013-8000", "0086 13800138000",
                                  "(138) 0013-8000"])
def test_mainland_mobiles_are_read_however_written(text):
    assert china_mobile(text) == "13800138000"


@pytest.mark.parametrize("text", [None, "", "0574-87654321", "12800138000", "1380013800", "+1 415 555 0100",
                                  "138001380001", "电话13800138000"])
def test_landlines_foreign_numbers_and_garbage_are_not_mobiles(text):
    assert china_mobile(text) is None


def test_a_persons_channels_follow_their_order_and_skip_what_they_lack(session, week):  # noqa: F811
    wang = week["wang"]
    wang.phone, wang.wecom_userid = "138 0013 8000", "wangls"
    assert [r.channel for r in person_reach(wang).routes] == ["wecom", "sms", "email"]  # the default order
    wang.notify_channels = "email,sms"
    assert [r.channel for r in person_reach(wang).routes] == ["email", "sms"]
    wang.phone = "0574-87654321"  # a landline cannot take an SMS
    assert [r.channel for r in person_reach(wang).routes] == ["email"]
    wang.email = None
    assert person_reach(wang).routes == ()


def test_the_first_route_is_used_and_the_rest_kept_as_fallback(session, week):  # noqa: F811
    week["wang"].phone, week["wang"].notify_channels = "13800138000", "sms,email"
    put(session, week, (week["first"], week["li"]))
    session.query(Notification).delete()
    put(session, week, (week["first"], week["wang"]))
    notice = session.scalar(select(Notification).where(Notification.audience == f"person:{week['wang'].id}"))
    assert (notice.channel, notice.recipient) == ("sms", "13800138000")
    assert json.loads(notice.fallback) == [["email", "wang@example.org"]]
    assert json.loads(notice.params)["name"] == "王律师"


def test_a_village_with_only_a_mobile_is_told_by_sms_when_its_visit_moves(session, week):  # noqa: F811
    week["rep"].email = None  # no representative can be written to
    week["village"].phone = "+86 139 0574 1234"
    put(session, week, (week["first"], week["wang"]))
    session.query(Notification).delete()
    put(session, week, (week["second"], week["wang"]))
    told = session.scalar(select(Notification).where(Notification.audience == f"village:{week['village'].id}"))
    assert (told.channel, told.recipient, told.kind) == ("sms", "13905741234", "change")
    assert told.subject.startswith("【走访时间变更】湾底村")


def test_a_village_nobody_can_reach_is_reported(session, week):  # noqa: F811
    from models import AuditEntry

    week["rep"].email = None
    week["village"].phone = "0574-87654321"
    version = put(session, week, (week["first"], week["wang"]))
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "notices.publish",
                                                    AuditEntry.object_id == str(version.id)))
    assert entry.details["unreachable"] == ["湾底村"]


def test_an_sms_at_night_waits_for_the_morning():
    assert deliver_after(SMS, "change", local(27, 22), ZONE, visit_start=local(1, 9, month=12)) == local(28, 8)
    assert deliver_after(SMS, "reminder", local(28, 2), ZONE) == local(28, 8)  # after midnight: the same morning
    assert deliver_after(SMS, "change", local(27, 12), ZONE) == local(27, 12)  # daytime


def test_a_change_for_the_same_or_next_day_goes_at_night():
    assert deliver_after(SMS, "change", local(27, 22), ZONE, visit_start=local(28, 9)) == local(27, 22)
    assert deliver_after(SMS, "cancellation", local(28, 1), ZONE, visit_start=local(28, 9)) == local(28, 1)
    # A reminder is never that urgent.
    assert deliver_after(SMS, "reminder", local(27, 22), ZONE, visit_start=local(28, 9)) == local(28, 8)


def test_quiet_hours_switched_off_or_other_channels_send_at_once():
    no_quiet = Reach("person:1", "王律师", SMS.routes, quiet_hours=False)
    assert deliver_after(no_quiet, "reminder", local(27, 23), ZONE) == local(27, 23)
    mail = Reach("person:1", "王律师", SMS.routes[1:])
    assert deliver_after(mail, "reminder", local(27, 23), ZONE) == local(27, 23)


def test_quiet_hours_hold_a_published_change_in_the_outbox(session, week):  # noqa: F811
    week["wang"].phone, week["wang"].notify_channels = "13800138000", "sms"
    put(session, week, (week["first"], week["li"]))
    put(session, week, (week["first"], week["wang"]), now=local(27, 22))
    notice = session.scalar(select(Notification).where(Notification.audience == f"person:{week['wang'].id}"))
    assert notice.next_attempt_at == local(28, 8)


def test_reminders_can_be_switched_off(session, make):
    tomorrow_week(session, make)
    from models import Person

    wang = session.scalar(select(Person).where(Person.name == "王律师"))
    wang.reminders = False
    report = remind(session, MONDAY_16)
    recipients = set(session.scalars(select(Notification.recipient).where(Notification.kind == "reminder")))
    assert "wang@example.org" not in recipients and "chen@example.org" in recipients
    assert report.switched_off == 1
