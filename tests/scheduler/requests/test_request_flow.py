"""A request end to end with the real solver: request -> generate the week -> solve ->
publish -> scheduled with the village's adviser; the adviser declines -> re-solve with the
published version as `previous` -> publish -> the request is still served, the rest of the
week is unchanged, and the adviser, the newcomer and the village are told why by e-mail
(through a real SMTP server on loopback)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from models import Assignment, Notification, Pairing, Person, Schedule, Site, Slot, User, VisitRequest
from scheduler.core.clock import FixedClock
from scheduler.core.versions import latest_published
from scheduler.core.weeks import monday_of, to_local
from scheduler.mine import self_service
from scheduler.notices.outbox import SmtpChannel, send_pending
from scheduler.notices.text import when
from scheduler.requests.intake import RequestInput, WindowInput, submit_request
from scheduler.week import drafts
from scheduler.week.solve import solve_week
from tests.factories import Factory
from tests.smtp_server import loopback_smtp

# Thursday 12 November 2026, 10:00 in Ningbo: the request is for the week after next (no holidays).
CLOCK = FixedClock(datetime(2026, 11, 12, 2, tzinfo=UTC))


def test_a_request_is_solved_published_and_replanned_around_a_decline(committed_factory):
    today = CLOCK.today()
    week = monday_of(today) + timedelta(weeks=2)
    tuesday, thursday = week + timedelta(days=1), week + timedelta(days=3)
    with committed_factory.begin() as session:
        make = Factory(session)
        d = make.district(name="甲区")
        v1 = make.site(d, name="湾底村", external_id="V1")
        v2 = make.site(d, name="李家村", external_id="V2", lat=29.81, lon=121.56, visit_every_weeks=1,
                       visit_anchor=week, visit_weekday=2, visit_start=time(9), visit_minutes=120)
        wang = make.person(d, name="王律师", external_id="L1", email="wang@example.org")
        li = make.person(d, name="李律师", external_id="L2", email="li@example.org")
        make.person(d, name="赵律师", external_id="L3", email="zhao@example.org")
        session.add_all([Pairing(site_id=v1.id, person_id=wang.id, valid_from=date(2025, 1, 1)),
                         Pairing(site_id=v2.id, person_id=li.id, valid_from=date(2025, 1, 1))])
        coordinator = make.user("coordinator", district_id=d.id, display_name="张协调")
        rep = make.user("village", village_id=v1.id, district_id=d.id, email="wandi@example.org")
        provider = make.user("provider", person_id=wang.id, district_id=d.id)
        request = submit_request(session, rep, RequestInput(
            topic="土地承包纠纷", kind="consultation", people_count=2,
            windows=(WindowInput(tuesday, time(9), time(11)), WindowInput(thursday, time(14), time(16)))),
            CLOCK.now())
        ids = dict(district=d.id, request=request.id, coordinator=coordinator.id, wang=wang.id, li=li.id,
                   provider=provider.id, v2=v2.id)

    solve_week(committed_factory, ids["district"], week, ids["coordinator"], time_limit=5, clock=CLOCK)
    with committed_factory.begin() as session:
        drafts.publish(session, ids["district"], week, session.get(User, ids["coordinator"]), now=CLOCK.now())
    with committed_factory.begin() as session:
        request = session.get(VisitRequest, ids["request"])
        assert request.status == "scheduled"
        first = staffed(session, ids["district"], week)
        (request_slot,) = [s for s in first if s.request_id == ids["request"]]
        # The village's own adviser, at the preferred time.
        assert first[request_slot] == {ids["wang"]} and to_local(request_slot.start_at).date() == tuesday
        (set_visit,) = [s for s in first if s.site_id == ids["v2"]]
        assert first[set_visit] == {ids["li"]}
        assert [n.recipient for n in session.scalars(select(Notification))] == ["wandi@example.org"]
        self_service.decline(session, session.get(User, ids["provider"]), request_slot.id, "开庭",
                             CLOCK.now())

    solve_week(committed_factory, ids["district"], week, ids["coordinator"], time_limit=5, clock=CLOCK)
    with committed_factory.begin() as session:
        drafts.publish(session, ids["district"], week, session.get(User, ids["coordinator"]), now=CLOCK.now())
    with committed_factory.begin() as session:
        second = staffed(session, ids["district"], week)
        request_slots = [s for s in second if s.request_id == ids["request"]]
        assert len(request_slots) == 1 and session.get(VisitRequest, ids["request"]).status == "scheduled"
        assert ids["wang"] not in second.get(request_slot, set())
        # Fewest changes: the rest of the week is as published.
        assert {s.id: p for s, p in second.items() if s.request_id is None} == \
            {s.id: p for s, p in first.items() if s.request_id is None}
        (new_slot,) = request_slots
        new_time = when(session.get(Slot, new_slot.id))[0]
        newcomers = [session.get(Person, p).name for p in second[new_slot]]

    # The outbox goes out through a real SMTP server on loopback.
    with loopback_smtp() as smtp:
        report = send_pending(committed_factory, {"email": SmtpChannel(smtp.host, smtp.port, "noreply@example.org")},
                              now=CLOCK.now())
        assert report.sent == len(smtp.received) and report.failed == report.retrying == 0
        first_mail, change_mail = smtp.to("wandi@example.org")
        assert first_mail.subject.startswith("【预约已安排】湾底村")
        assert change_mail.recipients == ["wandi@example.org"]
        assert change_mail.subject.startswith(("【走访人员变更】湾底村", "【走访时间变更】湾底村"))
        # The reason and the new time and person, in Chinese.
        assert "原定王律师（律师）本人申请不参加" in change_mail.body and new_time in change_mail.body
        assert all(name in change_mail.body for name in newcomers) and "开庭" not in change_mail.body
        (adviser_mail,) = smtp.to("wang@example.org")
        assert adviser_mail.subject.startswith("【排班变更】") and "原因：本人申请不参加（开庭）" in adviser_mail.body
        # Whoever goes at the new time (the adviser himself when the visit moved) is told so.
        for name in newcomers:
            (mail,) = smtp.to({"王律师": "wang@example.org", "李律师": "li@example.org", "赵律师": "zhao@example.org"}[name])
            assert f"新增：{new_time}" in mail.body


def staffed(session, district_id: int, week: date) -> dict[Slot, set[int]]:
    version: Schedule = latest_published(session, district_id, week)
    found: dict[Slot, set[int]] = {}
    for a in session.scalars(select(Assignment).where(Assignment.schedule_id == version.id)):
        found.setdefault(session.get(Slot, a.slot_id), set()).add(a.person_id)
    assert all(session.get(Site, s.site_id) for s in found)
    return found
