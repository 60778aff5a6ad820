"""Issue 15's "done when", in the browser: a coordinator with no shell onboards the district's
villages and lawyers from the accounts pages (CSRF on, no JavaScript), the invitations go out
by e-mail or, for a village with only a mobile, by SMS; an invitee opens the link from the
outbox in a fresh browser, sets a password and is signed in; the link then works no more; the
village's notices now reach it by SMS; and the forgotten-password page answers a known and an
unknown name alike."""
from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import func, select

from models import Notification, Person, PersonRole, Site, User
from scheduler.notices.routing import village_reach
from tests.browser import conftest
from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Quiet-lantern-river-2026"
MOBILES = ["13800000001", "13800000002", "13800000003"]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """A live app of its own: an account per person and per village made here would meet the
    accounts the other browser tests make in the shared one. Its coordinator is renamed, so
    `sign_in`'s second-factor secrets (kept by username) stay apart too."""
    running = conftest.live_app.__wrapped__(tmp_path_factory)
    app = next(running)
    with app.factory.begin() as session:
        session.scalars(select(User).where(User.username == app.username)).one().username = "coord-onboarding"
    yield dataclasses.replace(app, username="coord-onboarding")
    next(running, None)


def count(live, *where) -> int:
    with live.factory() as session:
        return session.scalar(select(func.count(User.id)).where(User.district_id == live.district_id, *where))


def invitation(live, username: str) -> Notification:
    with live.factory() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return session.scalars(select(Notification).where(
            Notification.kind == "invitation", Notification.audience == f"user:{user.id}")).one()


def bulk(page, live, what: str, role: str | None = None) -> str:
    page.goto(f"{live.url}/accounts/")
    page.get_by_role("link", name="为全区批量开通账号").click()
    page.select_option("#what", what)
    page.select_option("#district", str(live.district_id))
    if role:
        page.select_option("#role", label=role)
    page.get_by_role("button", name="创建账号并发送邀请").click()
    return page.inner_text(".flashes")


def accept(page, link: str, name: str) -> None:
    page.goto(link)
    assert "设置密码" in page.inner_text("h1") and name in page.inner_text("main")
    page.fill("#new", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    assert "欢迎！密码已设置，您已登录。" in page.inner_text(".flashes")


def test_a_coordinator_onboards_villages_and_lawyers_from_the_browser(live_app, new_page, shots):
    with live_app.factory.begin() as session:
        villages = session.scalars(select(Site).where(Site.district_id == live_app.district_id,
                                                      Site.kind == "village", Site.active.is_(True))
                                   .order_by(Site.external_id)).all()
        # The demo villages have no phone: give three of them only a mobile, so SMS is used.
        for village, mobile in zip(villages, MOBILES, strict=False):
            village.phone = mobile
        lawyers = session.scalars(select(Person).where(
            Person.district_id == live_app.district_id, Person.active.is_(True),
            Person.roles.any(PersonRole.role == "lawyer")).order_by(Person.external_id)).all()
        n_villages, n_lawyers = len(villages), len(lawyers)
        lawyer_id, lawyer_name = lawyers[0].external_id, lawyers[0].name
        village_id, village_name = villages[0].external_id, villages[0].name
    assert (n_villages, n_lawyers) == (20, 13)  # the tiny demo world; all lawyers have an e-mail
    users_before = count(live_app)

    page = new_page(DESKTOP, javascript=False)
    sign_in(page, live_app, "zh")
    flash = bulk(page, live_app, "villages")
    assert f"已创建 {n_villages} 个账号。邀请：电子邮件 0 个，短信 3 个，{n_villages - 3} 个没有电子邮箱或手机号" in flash
    assert page.url.endswith("/accounts/?state=invited")
    assert count(live_app, User.role == "village") == n_villages
    page.screenshot(path=shots / "accounts-bulk-villages-zh.png", full_page=True)

    flash = bulk(page, live_app, "people", role="律师")
    assert f"已创建 {n_lawyers} 个账号。邀请：电子邮件 {n_lawyers} 个，短信 0 个，0 个没有" in flash
    assert count(live_app, User.role == "provider") == n_lawyers
    assert count(live_app) == users_before + n_villages + n_lawyers
    # A second run finds nobody left to invite.
    assert "已创建 0 个账号" in bulk(page, live_app, "villages")
    assert count(live_app) == users_before + n_villages + n_lawyers

    sms = invitation(live_app, village_id.lower())
    assert (sms.channel, sms.recipient) == ("sms", MOBILES[0]) and json.loads(sms.params)["link"] in sms.body
    mail = invitation(live_app, lawyer_id.lower())
    assert mail.channel == "email" and "@" in mail.recipient
    lawyer_link = json.loads(mail.params)["link"]
    assert lawyer_link.startswith(f"{live_app.url}/invitation/")

    # The lawyer, in a browser that is not signed in, sets a password and lands on their page.
    invitee = new_page(DESKTOP, javascript=False)
    accept(invitee, lawyer_link, lawyer_id.lower())
    assert invitee.url.endswith("/me") and lawyer_name in invitee.inner_text("h1")
    with live_app.factory() as session:
        # Using the link proved the address it went to.
        assert session.scalars(select(User.verified_email).where(User.username == lawyer_id.lower())).one() \
            == mail.recipient
    # The same link, opened again, is refused.
    again = invitee.goto(lawyer_link)
    assert again.status == 410 and "此链接无法使用" in invitee.inner_text("h1")
    assert "此链接已使用：每个链接只能使用一次。" in invitee.inner_text("[role=alert]")

    # The village reached only by SMS opens its link on a phone and sees its own page.
    phone = new_page(PHONE, mobile=True, javascript=False)
    phone.goto(json.loads(sms.params)["link"])
    phone.screenshot(path=shots / "invitation-phone-zh.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    accept(phone, json.loads(sms.params)["link"], village_id.lower())
    assert phone.url.endswith("/my-village") and village_name in phone.inner_text("main")
    with live_app.factory() as session:
        assert session.scalars(select(User.verified_mobile).where(User.username == village_id.lower())).one() \
            == MOBILES[0]
        # A visit's change reaches this village through its new representative, by SMS
        # (the publish side: tests/scheduler/notices/test_routing.py, test_sms.py).
        (reach,) = village_reach(session, session.scalars(select(Site).where(Site.external_id == village_id)).one())
        assert reach.audience == sms.audience and [(r.channel, r.recipient) for r in reach.routes] == \
            [("sms", MOBILES[0])]
        before = session.scalar(select(func.max(Notification.id)))

    # Forgotten password: the same answer for an unknown name and the lawyer's; only the lawyer's
    # proven address gets a link.
    stranger = new_page(DESKTOP, javascript=False)
    answers = []
    for name in ("no-such-user-15", lawyer_id.lower()):
        stranger.goto(f"{live_app.url}/login?lang=zh")
        stranger.get_by_role("link", name="忘记密码？").click()
        stranger.fill("#username", name)
        stranger.get_by_role("button", name="发送链接").click()
        answers.append(stranger.inner_text("main"))
    assert answers[0] == answers[1] and "如果有账号与您填写的内容相符" in answers[0]
    with live_app.factory() as session:
        sent = session.scalars(select(Notification).where(Notification.id > before)).all()
    assert [(n.kind, n.recipient) for n in sent] == [("password_reset", mail.recipient)]
