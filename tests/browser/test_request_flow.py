"""A village request through the real app in Chromium, with a real SMTP server on loopback:
the representative requests a visit (after being told everything missing at once) -> the
coordinator solves and publishes -> the representative sees it scheduled with the adviser's
name -> the adviser declines (unavailable) -> the coordinator re-plans and publishes -> the
notices arrive over SMTP with the reason and the new time or person -> after the visit the
provider records the outcome and the representative rates it."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AvailabilityRule, Pairing, Person, Site, Slot, SolveJob, User, VisitRequest
from scheduler.auth.accounts import hash_password
from scheduler.core.versions import latest_published
from scheduler.notices.outbox import SmtpChannel, send_pending
from scheduler.notices.text import when
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, LiveApp, sign_in
from tests.smtp_server import loopback_smtp

pytestmark = pytest.mark.browser

# A week of its own (the week-flow tests use weeks 0-2 and 4-6 from now) that the provider's
# "coming eight weeks" still shows.
WEEK_OFFSET = 7
REP, REP_EMAIL = "wandi-rep", "wandi.rep@example.org"


def sign_in_as(page, live: LiveApp, username: str, lang: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live.url}/login?lang={lang}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto(f"{live.url}/?lang={lang}")


def account(live: LiveApp, username: str, role: str, **links) -> str:
    """The account for `links` (a person or a village), made with `username` if there is none."""
    with live.factory.begin() as session:
        person_id = links.get("person_id")
        found = session.scalar(select(User).where(User.person_id == person_id)) if person_id else \
            session.scalar(select(User).where(User.username == username))
        if found is not None:
            return found.username
        session.add(User(username=username, password_hash=hash_password(PASSWORD), role=role,
                         district_id=live.district_id, **links))
    return username


def village_and_adviser(live: LiveApp, week: date) -> tuple[int, int, list[tuple[date, str, str]]]:
    """A village with a standing adviser who has two weekly times of at least two hours, and
    two request windows inside them in `week`."""
    with live.factory() as session:
        for pairing in session.scalars(select(Pairing).join(Site, Site.id == Pairing.site_id)
                                       .where(Site.district_id == live.district_id).order_by(Site.external_id)):
            rules = [r for r in session.scalars(select(AvailabilityRule).where(
                AvailabilityRule.person_id == pairing.person_id, AvailabilityRule.kind == "available")
                .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time))
                if (r.end_time.hour * 60 + r.end_time.minute) - (r.start_time.hour * 60 + r.start_time.minute) >= 120]
            days = {r.weekday: r for r in rules}
            if len(days) >= 2:
                windows = []
                for rule in list(days.values())[:2]:
                    end = f"{rule.start_time.hour + 2:02d}:{rule.start_time.minute:02d}"
                    windows.append((week + timedelta(days=rule.weekday), f"{rule.start_time:%H:%M}", end))
                return pairing.site_id, pairing.person_id, windows
    raise AssertionError("the demo world has no village adviser with two free afternoons")


def solve_and_publish(page, live: LiveApp, week: date, version: int) -> None:
    page.goto(live.week_url(week) + "?lang=en")
    label = "Solve" if version == 1 else "Solve again around the locked places"
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    page.get_by_text(re.compile("The draft is ready.|failed", re.I)).first.wait_for(timeout=90_000)
    if "The draft is ready." not in page.inner_text("main"):
        with live.factory() as session:
            job = session.scalars(select(SolveJob).order_by(SolveJob.id.desc())).first()
            raise AssertionError(f"the solve failed: {job.error}")
    page.goto(live.week_url(week, "/review"))
    page.get_by_role("button", name=f"Publish as version {version}").click()
    page.wait_for_url(re.compile(r"view=published"))


def planned(live: LiveApp, request_id: int) -> tuple[Slot, list[Person]]:
    with live.factory() as session:
        slots = session.scalars(select(Slot).where(Slot.request_id == request_id)).all()
        version = latest_published(session, live.district_id, slots[0].week_start)
        staffed = [(s, [a.person for a in version.assignments if a.slot_id == s.id]) for s in slots]
        (slot, people), = [(s, p) for s, p in staffed if p]
        assert slot.site.timezone and all(p.role_names for p in people)  # loaded before the session ends
        session.expunge_all()
        return slot, people


def test_a_request_from_the_form_to_the_rating(live_app, new_page, shots):
    live = live_app
    week = live.this_week + timedelta(weeks=WEEK_OFFSET)
    village_id, _adviser_id, windows = village_and_adviser(live, week)
    with live.factory() as session:
        village_name = session.get(Site, village_id).name
    account(live, REP, "village", village_id=village_id, email=REP_EMAIL, display_name="村委会")

    # The representative asks for a visit, on a phone, in Chinese; the first try lacks things.
    rep = new_page(PHONE, mobile=True)
    sign_in_as(rep, live, REP, "zh")
    rep.locator("nav.main-nav summary").click()  # the phone's menu button
    rep.get_by_role("link", name="预约走访").first.click()
    rep.fill("#topic", "")
    rep.fill("#windows-0-day", windows[0][0].isoformat())
    rep.get_by_role("button", name="提交预约").click()
    problems = rep.locator(".problems li")
    assert problems.all_inner_texts() == ["请说明需要咨询或处理的事项。", "请选择服务类型：法律咨询、出具法律意见或参与纠纷调解。",
                                          "请填写涉及人数。", "时间 1：请填写开始时间。", "时间 1：请填写结束时间。"]
    assert rep.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rep.screenshot(path=shots / "request-problems-zh.png", full_page=True)
    rep.fill("#topic", "土地承包合同纠纷")
    rep.check("#kind-0")
    rep.fill("#people_count", "3")
    for i, (day, start, end) in enumerate(windows):
        rep.fill(f"#windows-{i}-day", day.isoformat())
        rep.fill(f"#windows-{i}-start", start)
        rep.fill(f"#windows-{i}-end", end)
    rep.get_by_role("button", name="提交预约").click()
    rep.wait_for_url(re.compile(r"/requests/\d+$"))
    request_id = int(rep.url.rsplit("/", 1)[1])
    assert "已受理" in rep.inner_text("#status")
    assert rep.inner_text("#owner")  # a named owner from the first moment

    # The coordinator solves the week and publishes it.
    desk = new_page(DESKTOP, locale="en-US")
    sign_in(desk, live, "en")
    desk.goto(f"{live.url}/requests/queue?lang=en")
    assert "土地承包合同纠纷" in desk.inner_text("table.requests")
    solve_and_publish(desk, live, week, 1)

    slot, people = planned(live, request_id)
    rep.goto(f"{live.url}/requests/{request_id}?lang=zh")
    assert "已排期" in rep.inner_text("#status")
    visit = rep.inner_text("#visit")
    assert all(p.name in visit for p in people) and "律师" in visit
    rep.screenshot(path=shots / "request-scheduled-zh.png", full_page=True)
    first = people[0]

    # The person who was to come becomes unavailable: they decline on their own page.
    provider = new_page(DESKTOP)
    sign_in_as(provider, live, account(live, "first-provider", "provider", person_id=first.id), "zh")
    provider.goto(f"{live.url}/my/assignments")
    row = provider.locator("tr", has_text=village_name).first
    row.locator("input[name=reason]").fill("开庭")
    row.get_by_role("button", name="不能参加").click()

    # The coordinator re-plans (the published version is `previous`) and publishes again.
    solve_and_publish(desk, live, week, 2)
    new_slot, newcomers = planned(live, request_id)
    assert not (new_slot.id == slot.id and first.id in {p.id for p in newcomers})

    # The notices go out through a real SMTP server on loopback.
    with loopback_smtp() as smtp:
        report = send_pending(live.factory, {"email": SmtpChannel(smtp.host, smtp.port, "noreply@example.org")},
                              now=datetime.now(UTC))
        assert report.failed == 0 and report.sent == len(smtp.received)
        scheduled, changed = smtp.to(REP_EMAIL)
        assert scheduled.subject.startswith(f"【预约已安排】{village_name}")
        assert changed.subject.startswith((f"【走访人员变更】{village_name}", f"【走访时间变更】{village_name}"))
        assert f"原定{first.name}" in changed.body and "本人申请不参加" in changed.body
        assert when(new_slot)[0] in changed.body and all(p.name in changed.body for p in newcomers)
        assert "开庭" not in changed.body
        if first.email:
            (told,) = smtp.to(first.email)
            assert "原因：本人申请不参加（开庭）" in told.body
        for person in newcomers:
            if person.email:
                assert any(f"新增：{when(new_slot)[0]}" in m.body for m in smtp.to(person.email))

    # Time passes: the visit has taken place.
    with live.factory.begin() as session:
        moved = session.get(Slot, new_slot.id)
        length = moved.end_at - moved.start_at
        moved.start_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        moved.end_at = moved.start_at + length
    sign_in_as(provider, live, account(live, "second-provider", "provider", person_id=newcomers[0].id), "zh")
    provider.goto(f"{live.url}/my/visits")
    card = provider.locator(f"#visit-{new_slot.id}")
    card.locator("input[name$=consultations]").fill("4")
    card.locator("input[name$=hours]").fill("2")
    card.get_by_role("button", name="保存服务成效").click()
    assert "服务成效已登记" in provider.inner_text(".flashes")

    rep.goto(f"{live.url}/requests/{request_id}")
    assert "已办结" in rep.inner_text("#status")
    rep.goto(f"{live.url}/my-village/visits")
    visit_card = rep.locator(f"#visit-{new_slot.id}")
    visit_card.locator("label", has_text="5").click()
    visit_card.locator("textarea").fill("解答很耐心")
    visit_card.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in rep.inner_text(".flashes")
    assert "您的评分：5 分" in rep.inner_text(f"#visit-{new_slot.id}")
    rep.screenshot(path=shots / "visit-rated-zh.png", full_page=True)
    with live.factory() as session:
        assert session.get(VisitRequest, request_id).status == "done"
