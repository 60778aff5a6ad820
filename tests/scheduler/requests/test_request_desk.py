"""A request's life: the owner's queue, recorded hand-overs, confirming, closing after the
visit, cancelling with a reason (its visit leaves the plan and the people are told), and who
may see which request."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, AuditEntry, Notification, RequestWindow, Slot, VisitRequest
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.demand.generate import generate_week
from scheduler.requests import desk
from scheduler.week import drafts
from tests.factories import MONDAY

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)
VISIT = datetime(2026, 12, 1, 1, tzinfo=UTC)


def new_request(session, w, topic="宅基地纠纷", urgency="normal", start=VISIT, owner=None):
    request = VisitRequest(village_id=w["village"].id, district_id=w["district"].id, topic=topic,
                           kind="consultation", urgency=urgency, owner_id=(owner or w["owner"]).id)
    request.windows = [RequestWindow(rank=0, start_at=start, end_at=start + timedelta(hours=2))]
    session.add(request)
    session.flush()
    return request


@pytest.fixture
def w(session, make):
    d = make.district()
    village = make.site(d, name="湾底村")
    owner = make.user("coordinator", district_id=d.id, display_name="张协调")
    colleague = make.user("coordinator", district_id=d.id, display_name="李协调")
    city = make.user("coordinator", city_wide=True, display_name="市协调")
    stranger = make.user("coordinator", display_name="别区协调")
    rep = make.user("village", village_id=village.id, district_id=d.id, email="wandi@example.org")
    other_rep = make.user("village", village_id=make.site(d).id, district_id=d.id)
    lawyer = make.person(d, name="王律师", email="wang@example.org")
    w = dict(district=d, village=village, owner=owner, colleague=colleague, city=city, stranger=stranger, rep=rep,
             other_rep=other_rep, lawyer=lawyer)
    w["request"] = new_request(session, w)
    return w


def schedule(session, w, request):
    generate_week(session, w["district"].id, MONDAY)
    slot = session.scalar(select(Slot).where(Slot.request_id == request.id))
    draft = drafts.get_or_create_draft(session, w["district"].id, MONDAY, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=w["lawyer"].id, line_index=0))
    session.flush()
    drafts.publish(session, w["district"].id, MONDAY, w["owner"], now=NOW)
    assert request.status == "scheduled"
    return slot


def test_the_queue_puts_urgent_first_then_the_earliest_time(session, w):
    later = new_request(session, w, "晚一点", start=VISIT + timedelta(days=2))
    urgent = new_request(session, w, "急", urgency="urgent", start=VISIT + timedelta(days=3))
    mine = new_request(session, w, "同事的", owner=w["colleague"], start=VISIT - timedelta(hours=5))
    rows = desk.request_list(session, w["owner"])
    assert [r.request.id for r in rows] == [urgent.id, mine.id, w["request"].id, later.id]
    assert [r.request.id for r in desk.request_list(session, w["colleague"], mine=True)] == [mine.id]
    assert len(desk.request_list(session, w["city"])) == 4
    assert desk.request_list(session, w["stranger"]) == []
    with pytest.raises(AccessDenied):
        desk.request_list(session, w["stranger"], district_id=w["district"].id)


def test_who_may_see_a_request(session, w, make):
    assert desk.load_request(session, w["rep"], w["request"].id) == w["request"]
    for outsider in (w["other_rep"], w["stranger"]):
        with pytest.raises(NotVisible):
            desk.load_request(session, outsider, w["request"].id)
    with pytest.raises(AccessDenied):
        desk.load_request(session, make.user("provider", person_id=w["lawyer"].id), w["request"].id)


def test_a_hand_over_records_from_whom_to_whom_why_and_when(session, w):
    row = desk.hand_over(session, w["colleague"], w["request"].id, w["city"].id, "  张协调休假  ", NOW)
    assert (row.from_user_id, row.to_user_id, row.reason, row.at) == (w["owner"].id, w["city"].id, "张协调休假", NOW)
    assert w["request"].owner_id == w["city"].id
    assert [h.to_user_id for h in w["request"].handovers] == [w["city"].id]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "request.handover"))
    assert entry.user_id == w["colleague"].id and entry.details["reason"] == "张协调休假"
    # The new owner's queue holds it now, the old one's no longer.
    assert [r.request.id for r in desk.request_list(session, w["city"], mine=True)] == [w["request"].id]
    assert desk.request_list(session, w["owner"], mine=True) == []


def test_a_hand_over_lists_every_problem_at_once(session, w):
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.hand_over(session, w["owner"], w["request"].id, None, " ", NOW)
    assert [p.code for p in refused.value.problems] == ["unknown_coordinator", "reason_required"]
    for target, code in ((w["owner"], "same_owner"), (w["stranger"], "unknown_coordinator")):
        with pytest.raises(desk.RequestActionRefused) as refused:
            desk.hand_over(session, w["owner"], w["request"].id, target.id, "x", NOW)
        assert refused.value.code == code
    assert w["request"].handovers == []
    assert w["stranger"] not in desk.handover_candidates(session, w["owner"], w["request"])


def test_confirm_only_a_scheduled_request(session, w):
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.confirm(session, w["owner"], w["request"].id, NOW)
    assert refused.value.code == "not_scheduled"
    schedule(session, w, w["request"])
    assert desk.detail(session, w["owner"], w["request"].id, NOW).can_confirm
    desk.confirm(session, w["owner"], w["request"].id, NOW)
    assert w["request"].status == "confirmed"
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.confirm(session, w["owner"], w["request"].id, NOW)
    assert refused.value.code == "already_confirmed"


def test_close_after_the_visit_only(session, w):
    schedule(session, w, w["request"])
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.close(session, w["owner"], w["request"].id, NOW)
    assert refused.value.code == "visit_ahead"
    after = VISIT + timedelta(hours=3)
    assert desk.detail(session, w["owner"], w["request"].id, after).can_close
    desk.close(session, w["owner"], w["request"].id, after)
    assert w["request"].status == "done"
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.cancel(session, w["owner"], w["request"].id, "晚了", after)
    assert (refused.value.code, refused.value.params) == ("closed", {"status": "done"})


def test_the_village_withdraws_its_request_and_the_lawyer_is_told(session, w):
    slot = schedule(session, w, w["request"])
    session.query(Notification).delete()
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.cancel(session, w["rep"], w["request"].id, "", NOW)
    assert refused.value.code == "reason_required"
    desk.cancel(session, w["rep"], w["request"].id, "双方已和解", NOW)
    assert (w["request"].status, w["request"].cancel_reason, slot.cancelled) == ("cancelled", "双方已和解", True)
    (notice,) = session.scalars(select(Notification)).all()
    assert notice.recipient == "wang@example.org" and notice.kind == "cancellation"
    assert "原因：双方已和解" in notice.body and notice.subject.startswith("【走访取消】湾底村 12月1日 09:00")


def test_a_coordinator_cancelling_tells_the_village_too(session, w):
    schedule(session, w, w["request"])
    session.query(Notification).delete()
    desk.cancel(session, w["owner"], w["request"].id, "当事人已起诉", NOW)
    assert sorted(n.recipient for n in session.scalars(select(Notification))) == [
        "wandi@example.org", "wang@example.org"]


def test_a_visit_under_way_cannot_be_cancelled(session, w):
    schedule(session, w, w["request"])
    started = VISIT + timedelta(minutes=5)
    assert not desk.detail(session, w["owner"], w["request"].id, started).can_cancel
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.cancel(session, w["owner"], w["request"].id, "x", started)
    assert refused.value.code == "visit_started"


def test_the_village_sees_its_own_requests_with_who_comes(session, w):
    schedule(session, w, w["request"])
    rows = desk.village_requests(session, w["rep"])
    assert [(r.request.id, r.visit.slot.start_at, [p.name for p in r.visit.people]) for r in rows] == [
        (w["request"].id, VISIT, ["王律师"])]
    assert desk.village_requests(session, w["other_rep"]) == []
    view = desk.detail(session, w["rep"], w["request"].id, NOW)
    assert view.village_reachable and not view.can_confirm and view.can_cancel
