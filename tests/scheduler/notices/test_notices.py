"""Publishing tells who is affected (预约服务制): statuses follow the published versions, and
only what changed between two versions and is still ahead goes to the outbox, with the
reason and the new time or person; a village never reads a provider's own words."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, AuditEntry, Decline, Notification, Pairing, RequestWindow, VisitRequest
from scheduler.core.versions import previous_version
from scheduler.demand.generate import generate_week
from scheduler.mine import self_service
from scheduler.notices.publish import notices_for_publish
from scheduler.week import drafts
from tests.factories import MONDAY

# The Friday before the week of 30 November 2026.
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=UTC) if day < 30 else \
        datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def week(session, make):
    d = make.district(name="甲区")
    village = make.site(d, name="湾底村", external_id="V1")
    rep = make.user("village", village_id=village.id, district_id=d.id, email="wandi@example.org",
                    display_name="村委")
    make.user("village", village_id=village.id, district_id=d.id)  # no e-mail: not written to
    coordinator = make.user("coordinator", district_id=d.id, display_name="张协调", email="zhang@example.org")
    wang = make.person(d, name="王律师", external_id="L1", email="wang@example.org")
    li = make.person(d, name="李律师", external_id="L2", email="li@example.org")
    zhao = make.person(d, name="赵律师", external_id="L3")  # no e-mail
    session.add(Pairing(site_id=village.id, person_id=wang.id, valid_from=MONDAY - timedelta(days=300)))
    request = VisitRequest(village_id=village.id, district_id=d.id, topic="土地承包纠纷", kind="consultation",
                           owner_id=coordinator.id, channel="web")
    request.windows = [RequestWindow(rank=0, start_at=utc(1, 1), end_at=utc(1, 3)),
                       RequestWindow(rank=1, start_at=utc(3, 6), end_at=utc(3, 8))]
    session.add(request)
    session.flush()
    generate_week(session, d.id, MONDAY)
    first, second = sorted((s for s in request_slots(session, request)), key=lambda s: s.start_at)
    return dict(district=d, village=village, rep=rep, coordinator=coordinator, wang=wang, li=li, zhao=zhao,
                request=request, first=first, second=second)


def request_slots(session, request):
    from models import Slot

    return session.scalars(select(Slot).where(Slot.request_id == request.id)).all()


def put(session, w, *pairs, actor=None, now=NOW):
    """Make the draft hold exactly `pairs` (slot, person) and publish it at `now`."""
    draft = drafts.get_or_create_draft(session, w["district"].id, MONDAY, None)
    draft.assignments = []
    session.flush()
    for slot, person in pairs:
        draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=0))
    session.flush()
    return drafts.publish(session, w["district"].id, MONDAY, actor or w["coordinator"], now=now)


def outbox(session) -> dict[str, Notification]:
    return {n.recipient: n for n in session.scalars(select(Notification).order_by(Notification.id))}


def test_a_first_publish_schedules_the_request_and_tells_only_the_village(session, week):
    put(session, week, (week["first"], week["wang"]))
    assert week["request"].status == "scheduled"
    sent = outbox(session)
    assert list(sent) == ["wandi@example.org"]
    notice = sent["wandi@example.org"]
    assert notice.kind == "scheduled" and notice.status == "pending"
    assert notice.subject.startswith("【预约已安排】湾底村 12月1日 09:00")
    assert "土地承包纠纷" in notice.body and "2026年12月1日（周二）09:00–11:00" in notice.body
    assert "王律师（律师）" in notice.body and "负责人：张协调" in notice.body
    assert "Tue 01 Dec 2026, 09:00–11:00" in notice.body


def test_a_decline_and_a_replacement_tell_both_people_and_the_village_with_the_reason(session, week, make):
    put(session, week, (week["first"], week["wang"]))
    provider = make.user("provider", person_id=week["wang"].id, district_id=week["district"].id)
    self_service.decline(session, provider, week["first"].id, "开庭 court hearing", NOW)
    session.query(Notification).delete()
    put(session, week, (week["first"], week["li"]))
    sent = outbox(session)
    assert set(sent) == {"wang@example.org", "li@example.org", "wandi@example.org"}
    assert "取消：2026年12月1日（周二）09:00–11:00 湾底村 预约走访；原因：本人申请不参加（开庭 court hearing）" \
        in sent["wang@example.org"].body
    assert "新增：2026年12月1日（周二）09:00–11:00 湾底村 预约走访；接替王律师" in sent["li@example.org"].body
    village = sent["wandi@example.org"]
    assert village.subject.startswith("【走访人员变更】湾底村")
    assert "改由李律师（律师）前来" in village.body and "原因：原定王律师（律师）本人申请不参加" in village.body
    assert "开庭" not in village.body  # the provider's own words stay with coordinators
    assert session.scalar(select(Decline)).handled_at == NOW
    assert week["request"].status == "scheduled"


def test_a_move_to_another_window_asks_for_confirmation_again(session, week):
    put(session, week, (week["first"], week["wang"]))
    week["request"].status = "confirmed"
    session.query(Notification).delete()
    put(session, week, (week["second"], week["wang"]))
    assert week["request"].status == "scheduled"
    village = outbox(session)["wandi@example.org"]
    assert village.subject.startswith("【走访时间变更】湾底村 12月3日 14:00")
    assert "原定2026年12月1日（周二）09:00–11:00，现改为2026年12月3日（周四）14:00–16:00，王律师（律师）前来" in village.body
    # The adviser is told both sides of the move.
    body = outbox(session)["wang@example.org"].body
    assert "取消：2026年12月1日" in body and "新增：2026年12月3日" in body


def test_a_visit_nobody_can_make_goes_back_to_received_and_the_village_is_told(session, week):
    put(session, week, (week["first"], week["wang"]))
    session.add(week["wang"])
    week["wang"].active = False
    session.query(Notification).delete()
    put(session, week)
    assert week["request"].status == "received"
    village = outbox(session)["wandi@example.org"]
    assert village.subject.startswith("【走访未能按时进行】")
    assert "暂时无法进行" in village.body and "原定王律师（律师）已不再承担服务" in village.body
    assert "负责人张协调将与您联系" in village.body


def test_people_without_an_address_are_reported_and_audited(session, week):
    put(session, week, (week["first"], week["wang"]))
    version = put(session, week, (week["first"], week["zhao"]))
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "notices.publish",
                                                    AuditEntry.object_id == str(version.id)))
    assert entry.details["unreachable"] == ["赵律师"]


def test_nothing_changed_nothing_sent_and_the_same_publish_is_announced_once(session, week):
    first = put(session, week, (week["first"], week["wang"]))
    count = len(outbox(session))
    second = put(session, week, (week["first"], week["wang"]))
    assert len(outbox(session)) == count
    assert previous_version(session, second) == first
    # Running the hook again for a version already announced adds nothing.
    again = notices_for_publish(session, None, first, NOW)
    assert again.queued == 0 and len(outbox(session)) == count


def test_what_is_already_under_way_is_not_announced(session, week):
    put(session, week, (week["first"], week["wang"]))
    session.query(Notification).delete()
    # Published again during the first window: that visit is under way, nobody is told.
    put(session, week, (week["first"], week["li"]), now=datetime(2026, 12, 1, 2, tzinfo=UTC))
    assert not outbox(session)
    assert week["request"].status == "scheduled"


def test_a_cancelled_visit_is_announced_once(session, week):
    from scheduler.requests import desk as request_desk
    put(session, week, (week["first"], week["wang"]))
    session.query(Notification).delete()
    request_desk.cancel(session, week["coordinator"], week["request"].id, "已和解", NOW)
    assert sorted(n.kind for n in session.scalars(select(Notification))) == ["cancellation", "cancellation"]
    # The re-plan that drops the cancelled visit tells nobody again.
    put(session, week)
    assert sorted(n.kind for n in session.scalars(select(Notification))) == ["cancellation", "cancellation"]
