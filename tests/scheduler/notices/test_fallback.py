"""Fallback: a message that fails for good (refused, or MAX_ATTEMPTS tries) is written again
for the next channel of its fallback list, in the same transaction, and goes out there: an SMS
to a number that does not exist arrives by e-mail (real SMTP on loopback)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Notification
from scheduler.notices.outbox import MAX_ATTEMPTS, SmtpChannel, send_pending
from tests.fakes.sms_server import fake_sms
from tests.fakes.wecom_server import fake_wecom
from tests.scheduler.notices.test_sms import BODY, NOW, add, row, sms
from tests.scheduler.notices.test_wecom import wecom
from tests.smtp_server import loopback_smtp

PARAMS = {"day": "12月3日", "place": "湾底村村委会"}


@pytest.fixture
def servers():
    with fake_sms() as sms_fake, fake_wecom() as wecom_fake, loopback_smtp() as smtp:
        yield sms_fake, wecom_fake, smtp


def channels(servers):
    sms_fake, wecom_fake, smtp = servers
    return {**sms(sms_fake), **wecom(wecom_fake), "email": SmtpChannel(smtp.host, smtp.port, "noreply@example.org",
                                                                       timeout=5)}


def rows(factory) -> dict[str, Notification]:
    with factory() as session:
        return {n.dedupe_key: n for n in session.scalars(select(Notification))}


def test_an_sms_refused_for_good_goes_by_e_mail(committed_factory, servers):
    from models import District

    sms_fake, _, smtp = servers
    sms_fake.refuse["13800138000"] = "isv.MOBILE_NUMBER_ILLEGAL"
    nid = add(committed_factory, key="change:slot 4:village 3", params=PARAMS,
              fallback=[["email", "wandi@example.org"]])
    with committed_factory.begin() as session:
        district = District(code="JQ", name="甲区")
        session.add(district)
        session.flush()
        session.get(Notification, nid).district_id = district_id = district.id
    report = send_pending(committed_factory, channels(servers), now=NOW)
    assert (report.sent, report.failed) == (0, 1) and row(committed_factory, nid).status == "failed"
    fallen = rows(committed_factory)["change:slot 4:village 3:email"]
    assert (fallen.channel, fallen.recipient, fallen.status, fallen.attempts, fallen.next_attempt_at) == \
        ("email", "wandi@example.org", "pending", 0, NOW)
    assert (fallen.kind, fallen.subject, fallen.body, json.loads(fallen.params), fallen.audience, fallen.fallback) == \
        ("change", "【走访时间变更】湾底村 / Visit moved", BODY, PARAMS, "village:3", None)
    assert fallen.district_id == district_id  # its district's coordinators see it on the outbox page
    assert send_pending(committed_factory, channels(servers), now=NOW).sent == 1
    (mail,) = smtp.received
    assert mail.recipients == ["wandi@example.org"] and mail.subject == "【走访时间变更】湾底村 / Visit moved"
    assert mail.body.replace("\r\n", "\n") == BODY


def test_the_fallback_list_is_followed_in_order(committed_factory, servers):
    sms_fake, wecom_fake, smtp = servers
    sms_fake.refuse["13800138000"] = "isv.MOBILE_NUMBER_ILLEGAL"
    wecom_fake.refuse["WangLi"] = 60111
    add(committed_factory, key="k", fallback=[["wecom", "WangLi"], ["email", "wang@example.org"]])
    send_pending(committed_factory, channels(servers), now=NOW)
    assert json.loads(rows(committed_factory)["k:wecom"].fallback) == [["email", "wang@example.org"]]
    assert send_pending(committed_factory, channels(servers), now=NOW).failed == 1
    assert rows(committed_factory)["k:wecom:email"].fallback is None
    assert send_pending(committed_factory, channels(servers), now=NOW).sent == 1
    assert [m.recipients for m in smtp.received] == [["wang@example.org"]]
    assert [n.status for n in rows(committed_factory).values()] == ["failed", "failed", "sent"]


def test_a_message_tried_the_most_times_falls_back_on_the_last_try_only(committed_factory, servers):
    sms_fake = servers[0]
    sms_fake.throttle("13800138000", MAX_ATTEMPTS)
    add(committed_factory, key="k", fallback=[["email", "wandi@example.org"]])
    moment = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        send_pending(committed_factory, {**sms(sms_fake)}, now=moment)
        assert ("k:email" in rows(committed_factory)) == (attempt == MAX_ATTEMPTS)
        moment = rows(committed_factory)["k"].next_attempt_at
    assert rows(committed_factory)["k"].status == "failed"


def test_no_fallback_when_sent_or_still_retrying(committed_factory, servers):
    sms_fake = servers[0]
    sms_fake.throttle("13900001111", 1)
    add(committed_factory, key="sent", fallback=[["email", "a@example.org"]])
    add(committed_factory, key="later", recipient="13900001111", fallback=[["email", "b@example.org"]])
    report = send_pending(committed_factory, channels(servers), now=NOW)
    assert (report.sent, report.retrying) == (1, 1)
    assert sorted(rows(committed_factory)) == ["later", "sent"]


def test_a_fallback_written_before_is_not_doubled_and_bad_lists_are_ignored(committed_factory, servers):
    servers[0].refuse.update({"13800138000": "isv.MOBILE_NUMBER_ILLEGAL", "13900001111": "isv.MOBILE_NUMBER_ILLEGAL",
                              "13700001111": "isv.MOBILE_NUMBER_ILLEGAL"})
    add(committed_factory, key="k", fallback=[["email", "a@example.org"]])
    add(committed_factory, key="k:email", channel="email", recipient="a@example.org", due=NOW + timedelta(days=1))
    add(committed_factory, key="bad", recipient="13900001111", fallback=None)
    with committed_factory.begin() as session:
        session.get(Notification, add(committed_factory, key="junk", recipient="13700001111")).fallback = "not json"
    add(committed_factory, key="fax", fallback=[["fax", "0574-1234"], ["email", "c@example.org"]])
    assert send_pending(committed_factory, sms(servers[0]), now=NOW).failed == 4
    after = rows(committed_factory)
    assert sorted(after) == ["bad", "fax", "fax:email", "junk", "k", "k:email"]
    assert after["k:email"].next_attempt_at == NOW + timedelta(days=1)  # the one written before, untouched


def test_a_long_key_is_cut_to_the_column(committed_factory, servers):
    servers[0].refuse["13800138000"] = "isv.MOBILE_NUMBER_ILLEGAL"
    key = "reminder:" + "x" * 182
    add(committed_factory, key=key, fallback=[["email", "a@example.org"]])
    send_pending(committed_factory, sms(servers[0]), now=NOW)
    assert (key + ":email")[:191] in rows(committed_factory)


def test_where_sms_is_not_set_up_a_message_with_an_e_mail_fallback_goes_by_e_mail_at_once(committed_factory):
    """An installation without SMS: the lawyer whose first channel is SMS is e-mailed in the
    same call; a message with no fallback waits for an SMS sender."""
    nid = add(committed_factory, key="change:slot 5:person 9", fallback=[["email", "wang@example.org"]])
    alone = add(committed_factory, key="change:slot 5:person 10", recipient="13900001111")
    with loopback_smtp() as smtp:
        report = send_pending(committed_factory, {"email": SmtpChannel(smtp.host, smtp.port, "noreply@example.org",
                                                                      timeout=5)}, now=NOW)
        assert (report.rerouted, report.sent, report.waiting) == (1, 1, {"sms": 1})
        assert [m.recipients for m in smtp.received] == [["wang@example.org"]]
    assert row(committed_factory, nid).last_error == "no sms sender is configured here"
    assert row(committed_factory, alone).status == "pending"


def test_an_sms_held_for_quiet_hours_goes_by_e_mail_at_once_where_sms_is_not_set_up(committed_factory):
    from datetime import timedelta

    nid = add(committed_factory, key="change:slot 6:person 9", fallback=[["email", "wang@example.org"]])
    with committed_factory.begin() as session:
        session.get(Notification, nid).next_attempt_at = NOW + timedelta(hours=9)  # 08:00 tomorrow
    with loopback_smtp() as smtp:
        report = send_pending(committed_factory, {"email": SmtpChannel(smtp.host, smtp.port, "noreply@example.org",
                                                                      timeout=5)}, now=NOW)
        assert (report.rerouted, report.sent) == (1, 1)
        assert [m.recipients for m in smtp.received] == [["wang@example.org"]]
    # Where SMS is set up, the same message keeps its quiet hours.
    held = add(committed_factory, key="change:slot 7:person 9", fallback=[["email", "wang@example.org"]])
    with committed_factory.begin() as session:
        session.get(Notification, held).next_attempt_at = NOW + timedelta(hours=9)
    with fake_sms() as sms_fake:
        assert send_pending(committed_factory, sms(sms_fake), now=NOW).sent == 0
    assert row(committed_factory, held).status == "pending"
