"""WeCom (企业微信) application messages against a fake on loopback (WECOM_API_BASE): what
arrives (agent, user, text), one token for many messages, a token fetched again before it
expires and when WeCom says it expired (once), retries for busy and limits, no retry for an
unknown member, all through `send_pending` and a real database."""
from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.core.config import Settings, SettingsError
from scheduler.notices.outbox import Outgoing, channels_from_settings, send_pending
from scheduler.notices.wecom import CONTENT_BYTES, WecomChannel
from tests.fakes.wecom_server import AGENT_ID, CORP_ID, SECRET, fake_wecom
from tests.scheduler.notices.test_sms import BODY, NOW, add, row
from tests.smtp_server import free_port


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake():
    with fake_wecom() as server:
        yield server


def wecom(fake, clock=None, secret=SECRET, base=None) -> dict[str, WecomChannel]:
    return {"wecom": WecomChannel(CORP_ID, secret, AGENT_ID, api_base=base or fake.base, timeout=3,
                                  clock=clock or Ticking())}


def test_a_message_arrives_as_text_from_the_application_to_the_member(committed_factory, fake):
    nid = add(committed_factory, channel="wecom", recipient="WangLi")
    assert send_pending(committed_factory, wecom(fake), now=NOW).sent == 1
    (arrived,) = fake.received
    assert (arrived.user, arrived.payload["agentid"], arrived.payload["msgtype"]) == ("WangLi", AGENT_ID, "text")
    assert arrived.text == "【走访时间变更】湾底村 / Visit moved\n\n" + BODY.strip()
    assert fake.token_requests == [{"corpid": CORP_ID, "corpsecret": SECRET}]
    assert (row(committed_factory, nid).status, row(committed_factory, nid).sent_at) == ("sent", NOW)


def test_one_token_serves_many_messages_until_shortly_before_it_expires(committed_factory, fake):
    clock = Ticking()
    channels = wecom(fake, clock)
    for n in range(5):
        add(committed_factory, channel="wecom", recipient=f"user{n}", key=f"k{n}")
    assert send_pending(committed_factory, channels, now=NOW).sent == 5
    assert len(fake.token_requests) == 1 and {m.token for m in fake.received} == {"token-1"}
    clock.now += 7200 - 301  # still more than the margin left
    add(committed_factory, channel="wecom", recipient="later", key="later")
    assert send_pending(committed_factory, channels, now=NOW).sent == 1
    assert len(fake.token_requests) == 1
    clock.now += 2  # within five minutes of its end: a new one before sending
    add(committed_factory, channel="wecom", recipient="last", key="last")
    assert send_pending(committed_factory, channels, now=NOW).sent == 1
    assert len(fake.token_requests) == 2 and fake.received[-1].token == "token-2"


def test_a_token_wecom_calls_expired_is_fetched_again_and_the_message_sent(committed_factory, fake):
    channels = wecom(fake)
    add(committed_factory, channel="wecom", recipient="first", key="first")
    send_pending(committed_factory, channels, now=NOW)
    fake.expire_tokens = 1
    nid = add(committed_factory, channel="wecom", recipient="WangLi", key="k2")
    assert send_pending(committed_factory, channels, now=NOW).sent == 1
    assert [m.answered for m in fake.received] == [0, 42001, 0]
    assert [m.token for m in fake.received] == ["token-1", "token-1", "token-2"]
    assert row(committed_factory, nid).attempts == 1


def test_a_token_refused_again_after_a_refresh_is_a_retry_not_a_loop(committed_factory, fake):
    nid = add(committed_factory, channel="wecom", recipient="WangLi")
    fake.expire_tokens = 5
    assert send_pending(committed_factory, wecom(fake), now=NOW).retrying == 1
    assert len(fake.received) == 2 and len(fake.token_requests) == 2
    assert "42001" in row(committed_factory, nid).last_error


@pytest.mark.parametrize("code", [-1, 45009, 45033])
def test_busy_and_limits_are_retried_then_sent(committed_factory, fake, code):
    nid = add(committed_factory, channel="wecom", recipient="WangLi")
    fake.script["WangLi"] = [code]
    assert send_pending(committed_factory, wecom(fake), now=NOW).retrying == 1
    waiting = row(committed_factory, nid)
    assert (waiting.status, waiting.next_attempt_at) == ("pending", NOW + timedelta(minutes=1))
    assert str(code) in waiting.last_error
    assert send_pending(committed_factory, wecom(fake), now=NOW + timedelta(minutes=1)).sent == 1


@pytest.mark.parametrize("code", [81013, 60111])
def test_an_unknown_member_fails_at_once(committed_factory, fake, code):
    nid = add(committed_factory, channel="wecom", recipient="Nobody")
    fake.refuse["Nobody"] = code
    assert send_pending(committed_factory, wecom(fake), now=NOW).failed == 1
    failed = row(committed_factory, nid)
    assert (failed.status, failed.attempts) == ("failed", 1) and str(code) in failed.last_error


def test_a_recipient_that_is_no_user_id_fails_without_a_request(committed_factory, fake):
    nid = add(committed_factory, channel="wecom", recipient="wang li\r\nx")
    assert send_pending(committed_factory, wecom(fake), now=NOW).failed == 1
    assert "not a WeCom user id" in row(committed_factory, nid).last_error and fake.received == []


def test_a_wrong_secret_and_a_server_that_is_down_are_retried(committed_factory, fake):
    nid = add(committed_factory, channel="wecom", recipient="WangLi")
    assert send_pending(committed_factory, wecom(fake, secret="wrong"), now=NOW).retrying == 1
    assert "gettoken: 40001" in row(committed_factory, nid).last_error and fake.received == []
    down = wecom(fake, base=f"http://127.0.0.1:{free_port()}/cgi-bin/")
    assert send_pending(committed_factory, down, now=NOW + timedelta(minutes=1)).retrying == 1
    assert "ConnectionError" in row(committed_factory, nid).last_error


def test_a_long_notice_is_cut_to_wecoms_limit_on_a_character(fake):
    channel = wecom(fake)["wecom"]
    channel.send(Outgoing("WangLi", "主题", "湾底村" * 1000, "k", kind="change"))
    (arrived,) = fake.received
    assert len(arrived.text.encode()) <= CONTENT_BYTES and arrived.text.endswith("…")


def test_the_channel_comes_from_the_settings_only_when_configured(committed_factory, fake):
    assert "wecom" not in channels_from_settings(Settings.from_env({}))
    settings = Settings.from_env({"WECOM_CORP_ID": CORP_ID, "WECOM_SECRET": SECRET, "WECOM_AGENT_ID": str(AGENT_ID),
                                  "WECOM_API_BASE": fake.base.rstrip("/")})
    assert SECRET not in repr(settings) and SECRET not in repr(channels_from_settings(settings)["wecom"])
    add(committed_factory, channel="wecom", recipient="WangLi")
    assert send_pending(committed_factory, channels_from_settings(settings), now=NOW).sent == 1
    assert fake.received[0].user == "WangLi"


@pytest.mark.parametrize("environ, says", [
    ({"WECOM_CORP_ID": "ww1"}, "WECOM_SECRET, WECOM_AGENT_ID missing"),
    ({"WECOM_SECRET": "s", "WECOM_AGENT_ID": "7"}, "WECOM_CORP_ID missing"),
    ({"WECOM_CORP_ID": "ww1", "WECOM_SECRET": "s", "WECOM_AGENT_ID": "seven"}, "WECOM_AGENT_ID must be"),
    ({"WECOM_API_BASE": "http://qyapi.example.org/cgi-bin/"}, "plain http only on loopback"),
])
def test_a_half_configured_wecom_stops_the_start(environ, says):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert says in str(refused.value)
