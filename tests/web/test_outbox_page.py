"""The outbox page (what went out, retried, failed per channel, resend) and the review page's
"who will be told" before publishing (issue 15, item 5)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models import Assignment, AuditEntry, Notification
from scheduler.week import drafts
from tests.factories import MONDAY
from tests.web.conftest import NOW, login_as

EARLIER = NOW - timedelta(hours=1)


def notice(session, district, key, *, channel="sms", recipient="13812345678", status="sent", attempts=1):
    row = Notification(channel=channel, recipient=recipient, subject=f"subject {key}", body="b", kind="change",
                       dedupe_key=key, status=status, attempts=attempts, district_id=district.id,
                       next_attempt_at=EARLIER, created_at=EARLIER, last_error="isv.MOBILE_NUMBER_ILLEGAL"
                       if status == "failed" else None)
    session.add(row)
    session.flush()
    return row


def test_the_outbox_counts_each_channel_of_the_coordinators_district_only(client, session, world):
    a, b = world.district_a, world.district_b
    notice(session, a, "a1")
    notice(session, a, "a2")
    notice(session, a, "a3", status="failed", attempts=3)
    notice(session, a, "a4", channel="email", recipient="wang@example.org", status="pending", attempts=2)
    notice(session, a, "a5", channel="wecom", recipient="wangls", status="pending", attempts=0)
    notice(session, b, "b1", channel="wecom", recipient="lils")
    login_as(client, world.users["coord_a"])
    page = client.get("/outbox/").get_data(as_text=True)
    assert 'data-count="sms-sent"><a href="/outbox/?channel=sms&amp;state=sent">2<' in page
    assert 'data-count="sms-failed"><a href="/outbox/?channel=sms&amp;state=failed">1<' in page
    assert 'data-count="email-retrying"><a href="/outbox/?channel=email&amp;state=retrying">1<' in page
    assert 'data-count="wecom-pending"><a href="/outbox/?channel=wecom&amp;state=pending">1<' in page
    assert "lils" not in page and ">0</a></td><td data-count=\"wecom-pending\">" in page  # not B's message
    assert "13812345678" not in page and "138****5678" in page  # recipients masked
    failed = client.get("/outbox/?state=failed").get_data(as_text=True)
    assert "subject a3" in failed and "subject a1" not in failed and "isv.MOBILE_NUMBER_ILLEGAL" in failed


def test_a_failed_message_can_be_sent_again_and_that_is_audited(client, session, world):
    row = notice(session, world.district_a, "a3", status="failed", attempts=8)
    sent = notice(session, world.district_a, "a1")
    login_as(client, world.users["coord_a"])
    assert client.post(f"/outbox/{row.id}/resend").status_code == 302
    session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)
    assert row.next_attempt_at == NOW
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "notification.resend")).object_id == str(row.id)
    assert client.post(f"/outbox/{sent.id}/resend").status_code == 404  # only a failed one


def test_the_review_page_says_who_will_be_told_and_how(client, session, world, make):
    a = world.district_a
    coordinator = world.users["coord_a"]
    mail = make.person(a, name="周律师", email="zhou@example.org")
    nobody = make.person(a, name="赵律师")
    visit = make.slot(world.village_a, start=datetime(2026, 12, 1, 1, tzinfo=UTC))
    shift = make.slot(world.window_a, start=datetime(2026, 12, 2, 1, tzinfo=UTC), kind="shift")
    draft = drafts.get_or_create_draft(session, a.id, MONDAY, None)
    draft.assignments += [Assignment(slot_id=visit.id, person_id=world.person_a.id, line_index=0),
                          Assignment(slot_id=shift.id, person_id=nobody.id, line_index=0)]
    session.flush()
    drafts.publish(session, a.id, MONDAY, coordinator, now=EARLIER)
    draft.assignments = [Assignment(slot_id=visit.id, person_id=mail.id, line_index=0)]
    session.flush()
    world.users["village"].mobile = "139 0000 1111"  # the village's representative: a mobile only
    session.flush()
    before = session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    login_as(client, coordinator)
    page = client.get(f"/districts/{a.id}/weeks/{MONDAY.isoformat()}/review?lang=en").get_data(as_text=True)
    told = page.split('id="who-is-told"')[1].split("</div>")[0]
    # 王律师 (mobile on file) hears of the removal by SMS and so does the village, by its
    # representative's mobile; 周律师 of the new place by e-mail; 赵律师 has no address at all.
    assert '<span data-channel="sms">2 by SMS</span>' in told
    assert '<span data-channel="email">1 by e-mail</span>' in told
    assert 'data-unreachable="1"' in told and "赵律师" in told
    # A preview writes nothing.
    assert session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1)) == before
