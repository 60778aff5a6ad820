"""Reminders the day before, and the two cron commands: `scheduler remind` (idempotent) and
`scheduler send-notifications` delivering through a real SMTP server on loopback."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from models import Assignment, Notification, VisitRequest
from models.db import make_engine, make_session_factory
from scheduler.cli import main
from scheduler.core.database import upgrade
from scheduler.notices.reminders import remind
from scheduler.week import drafts
from tests.factories import MONDAY, Factory
from tests.smtp_server import loopback_smtp

TUESDAY_9 = datetime(2026, 12, 1, 1, tzinfo=UTC)  # 09:00 in Ningbo
MONDAY_16 = datetime(2026, 11, 30, 8, tzinfo=UTC)  # 16:00 the day before
PUBLISHED = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the Friday before


def tomorrow_week(session, make: Factory) -> dict:
    d = make.district(name="甲区")
    village = make.site(d, name="湾底村")
    window = make.site(d, kind="window", name="下应司法所窗口")
    owner = make.user("coordinator", district_id=d.id)
    make.user("village", village_id=village.id, district_id=d.id, email="wandi@example.org", display_name="村委")
    lawyer = make.person(d, name="王律师", email="wang@example.org")
    mediator = make.person(d, name="陈调解", roles=("mediator",), email="chen@example.org")
    clerk = make.person(d, name="周律师", email="zhou@example.org")
    nobody = make.person(d, name="赵律师")
    request = VisitRequest(village_id=village.id, district_id=d.id, topic="宅基地纠纷", kind="mediation",
                           people_count=4, owner_id=owner.id)
    session.add(request)
    session.flush()
    visit = make.slot(village, start=TUESDAY_9, hours=2, lines=(("lawyer",), ("mediator",)), request_id=request.id)
    shift = make.slot(window, start=TUESDAY_9, hours=3, kind="shift")
    later = make.slot(window, start=TUESDAY_9 + timedelta(days=1), kind="shift")
    gone = make.slot(window, start=TUESDAY_9 + timedelta(hours=4), kind="shift", cancelled=True)
    draft = drafts.get_or_create_draft(session, d.id, MONDAY, None)
    for slot, person, line in ((visit, lawyer, 0), (visit, mediator, 1), (shift, clerk, 0), (later, clerk, 0),
                               (gone, nobody, 0), (shift, nobody, 0)):
        draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=line))
    session.flush()
    drafts.publish(session, d.id, MONDAY, None, now=PUBLISHED)
    # A draft change after publishing is not what anybody should be reminded of.
    draft.assignments.append(Assignment(slot_id=make.slot(window, start=TUESDAY_9, kind="shift").id,
                                        person_id=lawyer.id, line_index=0))
    session.flush()
    return {"district": d}


def test_tomorrow_people_and_villages_get_one_reminder_each(session, make):
    tomorrow_week(session, make)
    report = remind(session, MONDAY_16)
    queued = {n.recipient: n for n in session.scalars(select(Notification).where(Notification.kind == "reminder"))}
    assert set(queued) == {"wang@example.org", "chen@example.org", "zhou@example.org", "wandi@example.org"}
    assert report.queued == 4 and report.unreachable == ["赵律师"] and report.days == ["甲区 2026-12-01"]
    lawyer = queued["wang@example.org"]
    assert lawyer.subject.startswith("【明日提醒】12月1日 09:00 湾底村")
    assert "提醒：您明天的安排是 2026年12月1日（周二）09:00–11:00 湾底村 预约走访。" in lawyer.body
    assert "事项：宅基地纠纷（参与纠纷调解，约4人）" in lawyer.body and "同去：陈调解（人民调解员）" in lawyer.body
    village = queued["wandi@example.org"]
    assert village.subject.startswith("【明日走访提醒】湾底村 12月1日 09:00")
    assert "王律师（律师）、陈调解（人民调解员）将到村开展法律服务" in village.body
    # Idempotent: the same day again queues nothing new.
    again = remind(session, MONDAY_16 + timedelta(hours=2))
    assert (again.queued, again.already) == (0, 4)


def test_tomorrow_is_tomorrow_in_the_districts_zone(session, make):
    tomorrow_week(session, make)
    # 00:30 on Tuesday in Ningbo is still Monday in UTC: tomorrow is Wednesday.
    report = remind(session, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    assert report.days == ["甲区 2026-12-02"]
    assert [n.recipient for n in session.scalars(select(Notification).where(Notification.kind == "reminder"))] == [
        "zhou@example.org"]
    assert remind(session, MONDAY_16 + timedelta(days=3)).days == []


@pytest.fixture
def database(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    engine = make_engine(empty_database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        tomorrow_week(session, Factory(session))
    yield factory
    engine.dispose()


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def test_remind_then_send_through_smtp(database, monkeypatch):
    first = run("remind", "--now", "2026-11-30T16:00")
    assert "Reminders queued: 4; already queued before: 0." in first.output and "赵律师" in first.stderr
    assert "already queued before: 4." in run("remind", "--now", "2026-11-30T17:00").output
    with loopback_smtp() as smtp:
        monkeypatch.setenv("SMTP_HOST", smtp.host)
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("SMTP_FROM", "paiban@example.org")
        smtp.refuse.add("zhou@example.org")
        # The publish's own notice (the request scheduled) and the four reminders.
        sent = run("send-notifications", "--now", "2026-11-30T16:05", code=1)
        assert "Sent 4, to retry later 0, failed for good 1." in sent.output
        assert len(smtp.to("wandi@example.org")) == 2
        (mail,) = smtp.to("chen@example.org")
        assert mail.mail_from == "paiban@example.org" and mail.subject.startswith("【明日提醒】")
        assert "同去：王律师（律师）" in mail.body
        assert "Sent 0" in run("send-notifications", "--now", "2026-11-30T16:10").output


def test_a_bad_now_is_refused(database):
    result = run("remind", "--now", "tomorrow", code=2)
    assert "not a date and time" in result.output
