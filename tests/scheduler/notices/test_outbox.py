"""Draining the outbox through a real SMTP server on loopback: what arrives, retries with
backoff for temporary refusals and a server that is down, no retry for a refused address,
channels nobody sends yet wait, and a message claimed by another sender is not sent twice."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models import Notification
from scheduler.core.config import Settings
from scheduler.notices.outbox import (
    LEASE,
    MAX_ATTEMPTS,
    SmtpChannel,
    _claim,
    backoff,
    channels_from_settings,
    send_pending,
)
from tests.smtp_server import free_port, loopback_smtp

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)
BODY = "湾底村您好：\n\n原定王律师（律师）本人申请不参加。\n现改为2026年12月3日（周四）14:00–16:00，李律师（律师）前来。\n"


@pytest.fixture
def smtp():
    with loopback_smtp() as server:
        yield server


def channels(server, sender="公共法律服务 <noreply@gfw.example.org>"):
    return {"email": SmtpChannel(server.host, server.port, sender, timeout=5)}


def add(factory, recipient="wandi@example.org", key="k1", channel="email", due=NOW):
    with factory.begin() as session:
        row = Notification(channel=channel, recipient=recipient, subject="【走访时间变更】湾底村 / Visit moved",
                           body=BODY, kind="change", dedupe_key=key, next_attempt_at=due, created_at=due)
        session.add(row)
        session.flush()
        return row.id


def row(factory, notification_id) -> Notification:
    with factory() as session:
        return session.get(Notification, notification_id)


def test_a_due_message_arrives_in_chinese_and_is_recorded_as_sent(committed_factory, smtp):
    nid = add(committed_factory)
    report = send_pending(committed_factory, channels(smtp), now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    (got,) = smtp.received
    assert got.recipients == ["wandi@example.org"] and got.mail_from == "noreply@gfw.example.org"
    assert got.subject == "【走访时间变更】湾底村 / Visit moved"
    assert got.body == BODY and got.message["Auto-Submitted"] == "auto-generated"
    sent = row(committed_factory, nid)
    assert (sent.status, sent.attempts, sent.sent_at, sent.last_error) == ("sent", 1, NOW, None)
    # Sent once: a second run has nothing to do.
    assert send_pending(committed_factory, channels(smtp), now=NOW + timedelta(hours=1)).sent == 0
    assert len(smtp.received) == 1


def test_a_message_not_yet_due_waits(committed_factory, smtp):
    add(committed_factory, due=NOW + timedelta(minutes=5))
    assert send_pending(committed_factory, channels(smtp), now=NOW).sent == 0
    assert smtp.received == []


def test_a_temporary_refusal_is_retried_after_a_backoff(committed_factory, smtp):
    nid = add(committed_factory)
    smtp.later.add("wandi@example.org")
    assert send_pending(committed_factory, channels(smtp), now=NOW).retrying == 1
    waiting = row(committed_factory, nid)
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == ("pending", 1, NOW + timedelta(minutes=1))
    assert "451" in waiting.last_error
    smtp.later.clear()
    assert send_pending(committed_factory, channels(smtp), now=NOW + timedelta(seconds=30)).sent == 0
    assert send_pending(committed_factory, channels(smtp), now=NOW + timedelta(minutes=1)).sent == 1
    assert row(committed_factory, nid).attempts == 2 and len(smtp.received) == 1


def test_a_refused_address_fails_at_once(committed_factory, smtp):
    nid = add(committed_factory, recipient="nobody@example.org")
    smtp.refuse.add("nobody@example.org")
    assert send_pending(committed_factory, channels(smtp), now=NOW).failed == 1
    failed = row(committed_factory, nid)
    assert failed.status == "failed" and "550" in failed.last_error


def test_a_message_refused_after_it_was_sent_fails_at_once(committed_factory, smtp):
    nid = add(committed_factory)
    smtp.spam.add("wandi@example.org")
    assert send_pending(committed_factory, channels(smtp), now=NOW).failed == 1
    assert "554" in row(committed_factory, nid).last_error


def test_a_server_that_is_down_is_retried_with_growing_waits_then_given_up(committed_factory):
    nid = add(committed_factory)
    dead = {"email": SmtpChannel("127.0.0.1", free_port(), "noreply@example.org", timeout=2)}
    moment, waits = NOW, []
    for _ in range(MAX_ATTEMPTS):
        send_pending(committed_factory, dead, now=moment)
        current = row(committed_factory, nid)
        waits.append(current.next_attempt_at - moment)
        moment = current.next_attempt_at
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert (current.status, current.attempts) == ("failed", MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in current.last_error


def test_backoff_is_capped():
    assert backoff(1) == timedelta(minutes=1) and backoff(3) == timedelta(minutes=4)
    assert backoff(20) == timedelta(hours=6)


def test_channels_nobody_sends_yet_wait(committed_factory, smtp):
    nid = add(committed_factory, recipient="13812345678", channel="sms")
    report = send_pending(committed_factory, channels(smtp), now=NOW)
    assert report.waiting == {"sms": 1} and report.sent == 0
    assert row(committed_factory, nid).status == "pending"


def test_a_message_another_sender_claimed_is_not_sent_twice(committed_factory, smtp):
    nid = add(committed_factory)
    assert _claim(committed_factory, nid, NOW) is not None
    assert _claim(committed_factory, nid, NOW) is None
    assert send_pending(committed_factory, channels(smtp), now=NOW + timedelta(minutes=1)).sent == 0
    assert smtp.received == []
    # The lease runs out when that sender died before recording: the message goes out then.
    assert send_pending(committed_factory, channels(smtp), now=NOW + LEASE).sent == 1


def test_a_line_break_in_a_site_name_adds_no_header_and_the_message_goes_out(committed_factory, smtp):
    with committed_factory.begin() as session:
        row_ = Notification(channel="email", recipient="wandi@example.org", kind="change", dedupe_key="crlf",
                            subject="【走访时间变更】湾底\r\nBcc: evil@example.org\r\n村 / Visit moved", body=BODY,
                            next_attempt_at=NOW, created_at=NOW)
        session.add(row_)
        session.flush()
        nid = row_.id
    assert send_pending(committed_factory, channels(smtp), now=NOW).sent == 1
    (got,) = smtp.received
    assert got.recipients == ["wandi@example.org"] and got.message["Bcc"] is None
    assert got.subject == "【走访时间变更】湾底 Bcc: evil@example.org 村 / Visit moved"
    assert row(committed_factory, nid).status == "sent"


def test_new_notices_keep_their_subject_on_one_line(committed_factory):
    from scheduler.notices.publish import enqueue

    with committed_factory.begin() as session:
        assert enqueue(session, recipient="wandi@example.org", subject="【明日提醒】湾底\r\n村\u2028x", body=BODY,
                       kind="reminder", dedupe_key="one-line", now=NOW)
    with committed_factory() as session:
        assert session.query(Notification).one().subject == "【明日提醒】湾底 村 x"


def test_a_message_that_cannot_be_built_fails_alone_and_the_queue_goes_on(committed_factory, smtp):
    bad = add(committed_factory, recipient="wandi@example.org\r\nBcc: evil@example.org", key="bad",
              due=NOW - timedelta(minutes=1))
    also_bad = add(committed_factory, recipient="wandi@example.org, evil@example.org", key="two")
    good = add(committed_factory, key="good")
    report = send_pending(committed_factory, channels(smtp), now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 2)
    for nid in (bad, also_bad):
        refused = row(committed_factory, nid)
        assert (refused.status, refused.attempts) == ("failed", 1)
        assert refused.last_error.startswith("the message cannot be built")
    assert row(committed_factory, good).status == "sent"
    assert [m.recipients for m in smtp.received] == [["wandi@example.org"]]


def test_an_unexpected_error_of_a_channel_is_a_failed_attempt_and_the_queue_goes_on(committed_factory, smtp):
    first = add(committed_factory, key="first", due=NOW - timedelta(minutes=1))
    second = add(committed_factory, key="second")
    real = channels(smtp)["email"]

    class Flaky:
        name = "email"

        def send(self, message):
            if message.key == "first":
                raise RuntimeError("something nobody planned for")
            real.send(message)

    report = send_pending(committed_factory, {"email": Flaky()}, now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 1, 0)
    waiting = row(committed_factory, first)
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == ("pending", 1, NOW + timedelta(minutes=1))
    assert waiting.last_error == "RuntimeError: something nobody planned for"
    assert row(committed_factory, second).status == "sent"


def test_the_sender_address_comes_from_the_settings():
    settings = Settings.from_env({"SMTP_HOST": "mail.example.org", "SMTP_PORT": "2525",
                                  "SMTP_FROM": "gfw@example.org"})
    channel = channels_from_settings(settings)["email"]
    assert (channel.host, channel.port, channel.sender) == ("mail.example.org", 2525, "gfw@example.org")
    assert Settings.from_env({}).smtp_from == "noreply@localhost"
