"""SMS through the real Alibaba Cloud SDK pointed at a fake on loopback (SMS_ENDPOINT): what
arrives (signature with the test secret, template per kind, parameters, normalised number,
sign name), retries for throttling and a network that is down, no retry for a refused number
or template, all through `send_pending` and a real database."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from models import Notification
from scheduler.core.config import Settings, SettingsError
from scheduler.notices.outbox import Outgoing, channels_from_settings, send_pending
from scheduler.notices.sms import DeliveryError, SmsChannel, derived_params, normalise_mobile, short
from tests.fakes.sms_server import ACCESS_KEY_ID, ACCESS_KEY_SECRET, fake_sms, signature_ok
from tests.scheduler.notices.test_notices import week  # noqa: F401  (a fixture)
from tests.scheduler.notices.test_outbox import row
from tests.smtp_server import free_port

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)
SIGN = "宁波公共法律服务"
TEMPLATES = {"change": "SMS_100000001", "cancellation": "SMS_100000002", "reminder": "SMS_100000003"}
BODY = "湾底村您好：\n\n原定王律师（律师）本人申请不参加。\n现改为12月3日（周四）14:00–16:00，李律师（律师）前来。\n\n" \
       "此邮件由公共法律服务排班系统自动发送，请勿直接回复。\n\n----\n\nDear Wandi,\n"


@pytest.fixture
def fake():
    with fake_sms() as server:
        yield server


def sms(fake, secret=ACCESS_KEY_SECRET, endpoint=None, templates=TEMPLATES) -> dict[str, SmsChannel]:
    return {"sms": SmsChannel(ACCESS_KEY_ID, secret, SIGN, templates, endpoint=endpoint or fake.endpoint,
                              protocol="http", timeout=3)}


def add(factory, recipient="13800138000", key="k1", channel="sms", kind="change", params=None, fallback=None,
        subject="【走访时间变更】湾底村 / Visit moved", body=BODY, due=NOW) -> int:
    with factory.begin() as session:
        row = Notification(channel=channel, recipient=recipient, subject=subject, body=body, kind=kind,
                           dedupe_key=key, next_attempt_at=due, created_at=due, audience="village:3",
                           params=json.dumps(params, ensure_ascii=False) if params is not None else None,
                           fallback=json.dumps(fallback, ensure_ascii=False) if fallback is not None else None)
        session.add(row)
        session.flush()
        return row.id


def test_what_arrives_is_signed_with_the_template_of_its_kind_its_parameters_and_the_number(committed_factory, fake):
    change = add(committed_factory, recipient="+86 138 0013 8000", key="change:slot 4:village 3")
    reminder = add(committed_factory, recipient="86-139-0000-1111", key="reminder:slot 5:person 7", kind="reminder",
                   params={"day": "12月3日（周四）", "time": "14:00–16:00", "place": "湾底村村委会"})
    report = send_pending(committed_factory, sms(fake), now=NOW)
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    first, second = fake.received
    assert first.signature_ok and second.signature_ok
    assert (first.phone, first.template, first.sign_name, first.out_id) == \
        ("13800138000", "SMS_100000001", SIGN, "change:slot 4:village 3")
    # No parameters written: derived from the notice, Chinese only, without the sign brackets.
    assert first.params == {"subject": "走访时间变更 湾底村",
                            "text": "原定王律师（律师）本人申请不参加。现改为12月3日（周四）14:00…"}
    assert (second.phone, second.template) == ("13900001111", "SMS_100000003")
    assert second.params == {"day": "12月3日（周四）", "time": "14:00–16:00", "place": "湾底村村委会"}
    for nid in (change, reminder):
        assert (row(committed_factory, nid).status, row(committed_factory, nid).sent_at) == ("sent", NOW)
    assert send_pending(committed_factory, sms(fake), now=NOW + timedelta(hours=1)).sent == 0
    assert len(fake.received) == 2


def test_the_fake_checks_the_signature_against_the_request_as_it_arrived(committed_factory, fake):
    add(committed_factory)
    send_pending(committed_factory, sms(fake), now=NOW)
    (arrived,) = fake.received
    assert signature_ok(arrived.request, ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    assert not signature_ok(arrived.request, ACCESS_KEY_ID, "another secret")
    assert not signature_ok(arrived.request, "another key", ACCESS_KEY_SECRET)
    tampered = replace(arrived.request, raw_query=arrived.request.raw_query.replace("13800138000", "13800138001"))
    assert not signature_ok(tampered, ACCESS_KEY_ID, ACCESS_KEY_SECRET)


def test_a_wrong_secret_is_refused_by_the_provider_and_tried_again_later(committed_factory, fake):
    nid = add(committed_factory)
    assert send_pending(committed_factory, sms(fake, secret="wrong"), now=NOW).retrying == 1
    waiting = row(committed_factory, nid)
    assert (waiting.status, waiting.attempts) == ("pending", 1) and "SignatureDoesNotMatch" in waiting.last_error
    assert fake.sent() == []


def test_throttling_is_retried_after_a_backoff_then_sent(committed_factory, fake):
    nid = add(committed_factory)
    fake.throttle("13800138000", 2)
    assert send_pending(committed_factory, sms(fake), now=NOW).retrying == 1
    waiting = row(committed_factory, nid)
    assert (waiting.status, waiting.next_attempt_at) == ("pending", NOW + timedelta(minutes=1))
    assert "isv.BUSINESS_LIMIT_CONTROL" in waiting.last_error
    assert send_pending(committed_factory, sms(fake), now=NOW + timedelta(seconds=30)).retrying == 0
    assert send_pending(committed_factory, sms(fake), now=NOW + timedelta(minutes=1)).retrying == 1
    assert send_pending(committed_factory, sms(fake), now=NOW + timedelta(minutes=3)).sent == 1
    assert row(committed_factory, nid).attempts == 3
    assert [r.answered for r in fake.received] == ["isv.BUSINESS_LIMIT_CONTROL"] * 2 + ["OK"]


def test_http_throttling_and_server_errors_are_retried(committed_factory, fake):
    throttled, broken = add(committed_factory, key="a"), add(committed_factory, recipient="13900001111", key="b")
    fake.http_errors.update({"13800138000": (400, "Throttling.User"), "13900001111": (503, "ServiceUnavailable")})
    assert send_pending(committed_factory, sms(fake), now=NOW).retrying == 2
    assert "Throttling.User" in row(committed_factory, throttled).last_error
    assert "ServiceUnavailable" in row(committed_factory, broken).last_error


@pytest.mark.parametrize("code", ["isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL",
                                  "isv.TEMPLATE_MISSING_PARAMETERS"])
def test_a_refused_number_template_or_sign_fails_at_once(committed_factory, fake, code):
    nid = add(committed_factory)
    fake.refuse["13800138000"] = code
    assert send_pending(committed_factory, sms(fake), now=NOW).failed == 1
    failed = row(committed_factory, nid)
    assert (failed.status, failed.attempts) == ("failed", 1) and code in failed.last_error


def test_a_number_that_is_not_a_chinese_mobile_fails_without_a_request(committed_factory, fake):
    nid = add(committed_factory, recipient="+1 415 555 0100")
    assert send_pending(committed_factory, sms(fake), now=NOW).failed == 1
    failed = row(committed_factory, nid)
    assert "not a mainland Chinese mobile number" in failed.last_error and "555 0100" not in failed.last_error
    assert fake.received == []


def test_a_kind_without_a_template_fails_and_says_which_variable(committed_factory, fake):
    nid = add(committed_factory, kind="swap")
    assert send_pending(committed_factory, sms(fake), now=NOW).failed == 1
    assert "SMS_TEMPLATE_SWAP" in row(committed_factory, nid).last_error and fake.received == []


def test_a_provider_that_is_down_is_retried(committed_factory):
    nid = add(committed_factory)
    down = {"sms": SmsChannel(ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN, TEMPLATES, endpoint=f"127.0.0.1:{free_port()}",
                              protocol="http", timeout=2)}
    assert send_pending(committed_factory, down, now=NOW).retrying == 1
    assert row(committed_factory, nid).last_error.startswith("SMS request failed")


def test_long_parameters_are_cut_to_one_variable(fake):
    channel = sms(fake)["sms"]
    channel.send(Outgoing("13800138000", "s", "b", "k", kind="change",
                          params={"place": "【鄞州区】" + "首南街道湾底村村民委员会二楼公共法律服务工作室" * 2, "n": "3"}))
    (arrived,) = fake.received
    assert arrived.params["n"] == "3"
    place = arrived.params["place"]
    assert len(place) == 35 and place.endswith("…") and place.startswith("鄞州区 首南街道") and "【" not in place


def test_a_link_is_never_cut_and_a_reset_code_goes_by_its_own_template(fake):
    link = "https://paiban.example.gov.cn/password/reset/" + "A" * 43
    channel = SmsChannel(ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN, dict(Settings.from_env({
        "SMS_ACCESS_KEY_ID": ACCESS_KEY_ID, "SMS_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET, "SMS_SIGN_NAME": SIGN,
        "SMS_TEMPLATE_RESET": "SMS_5", "SMS_TEMPLATE_INVITATION": "SMS_6"}).sms_templates),
        endpoint=fake.endpoint, protocol="http", timeout=3)
    channel.send(Outgoing("13800138000", "s", "b", "k", kind="password_reset", params={"username": "wang", "link": link}))
    channel.send(Outgoing("13800138000", "s", "b", "k2", kind="invitation", params={"link": link}))
    assert [(r.template, r.params["link"]) for r in fake.received] == [("SMS_5", link), ("SMS_6", link)]


def test_a_notice_to_a_village_uses_the_village_template_of_its_kind_when_there_is_one(fake):
    channel = SmsChannel(ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN, dict(Settings.from_env({
        "SMS_ACCESS_KEY_ID": ACCESS_KEY_ID, "SMS_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET, "SMS_SIGN_NAME": SIGN,
        "SMS_TEMPLATE_CHANGE": "SMS_1", "SMS_TEMPLATE_CHANGE_VILLAGE": "SMS_11", "SMS_TEMPLATE_REMINDER": "SMS_3"})
        .sms_templates), endpoint=fake.endpoint, protocol="http", timeout=3)
    village = {"village": "湾底村", "when": "12月3日 14:00", "what": "走访时间变更"}
    for key, kind, params in (("a", "change", village), ("b", "change", {"name": "王律师", "week": "2026-11-30"}),
                              ("c", "reminder", {"village": "湾底村", "when": "明天", "people": "王律师"})):
        channel.send(Outgoing("13800138000", "s", "b", key, kind=kind, params=params))
    assert [r.template for r in fake.received] == ["SMS_11", "SMS_1", "SMS_3"]
    assert fake.received[0].params == village


@pytest.mark.parametrize("written", ["13800138000", "+86 138 0013 8000", "86-138-0013-8000", "0086 13800138000",
                                     "138-0013-8000", "(+86) 138.0013.8000"])
def test_chinese_mobiles_are_normalised(written):
    assert normalise_mobile(written) == "13800138000"


@pytest.mark.parametrize("written", ["", "1380013800", "138001380001", "23800138000", "+1 415 555 0100",
                                     "+85 13800138000", "13800138000\r\nx", "12800138000"])
def test_anything_else_is_a_permanent_failure(written):
    with pytest.raises(DeliveryError) as refused:
        normalise_mobile(written)
    assert refused.value.permanent and "不是中国大陆手机号" in str(refused.value)


def test_derived_parameters_and_cutting():
    assert derived_params("【明日提醒】湾底村 / Reminder", "您好：\n\n明天走访。\n") == \
        {"subject": "明日提醒 湾底村", "text": "明天走访。"}
    assert derived_params("重设密码 / Reset", "【公共法律服务】重设密码请打开链接。")["text"] == "公共法律服务 重设密码请打开链接。"
    assert short("a" * 35) == "a" * 35 and short("a" * 36) == "a" * 34 + "…"


def test_the_channel_comes_from_the_settings_only_when_configured(committed_factory, fake):
    assert "sms" not in channels_from_settings(Settings.from_env({}))
    settings = Settings.from_env({"SMS_ACCESS_KEY_ID": ACCESS_KEY_ID, "SMS_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
                                  "SMS_SIGN_NAME": SIGN, "SMS_ENDPOINT": fake.url, "SMS_TEMPLATE_CHANGE": "SMS_9"})
    assert ACCESS_KEY_SECRET not in repr(settings)
    add(committed_factory)
    assert send_pending(committed_factory, channels_from_settings(settings), now=NOW).sent == 1
    (arrived,) = fake.received
    assert arrived.signature_ok and arrived.template == "SMS_9"


@pytest.mark.parametrize("environ, says", [
    ({"SMS_ACCESS_KEY_ID": "id"}, "SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME missing"),
    ({"SMS_ACCESS_KEY_SECRET": "s", "SMS_SIGN_NAME": "x", "SMS_TEMPLATE_CHANGE": "SMS_1"}, "SMS_ACCESS_KEY_ID missing"),
    ({"SMS_ACCESS_KEY_ID": "id", "SMS_ACCESS_KEY_SECRET": "s", "SMS_SIGN_NAME": "x"}, "at least one template"),
    ({"SMS_ENDPOINT": "http://sms.example.org"}, "plain http only on loopback"),
])
def test_a_half_configured_sms_stops_the_start(environ, says):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert says in str(refused.value)


def test_a_village_with_only_a_mobile_is_told_by_sms_from_the_publish_to_the_provider(session, week, fake):  # noqa: F811
    """The issue's end: a published move reaches a village that has only a mobile, by SMS,
    with the village template of a change and its parameters."""
    from sqlalchemy.orm import sessionmaker

    from tests.scheduler.notices.test_notices import NOW as PUBLISHED
    from tests.scheduler.notices.test_notices import put

    week["rep"].email = None
    week["village"].phone = "+86 139 0574 1234"
    put(session, week, (week["first"], week["wang"]))
    session.query(Notification).delete()
    put(session, week, (week["second"], week["wang"]))
    factory = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint",
                           expire_on_commit=False)
    templates = {**TEMPLATES, "change/village": "SMS_100000011"}
    report = send_pending(factory, sms(fake, templates=templates), now=PUBLISHED + timedelta(days=1))
    assert report.sent >= 1 and report.failed == 0
    (village,) = [r for r in fake.received if r.phone == "13905741234"]
    assert (village.signature_ok, village.template, village.sign_name) == (True, "SMS_100000011", SIGN)
    assert village.params["village"] == "湾底村" and village.params["what"] == "走访时间变更"
    assert village.params["when"].startswith("12月3日")

