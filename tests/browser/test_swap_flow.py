"""Swaps and declines in a real browser, on a phone, in Chinese: a lawyer asks a colleague from
My assignments, the colleague accepts on their Swaps page and the week is published with the
colleague in the place; another place is declined and the coordinator re-plans that week from
the district dashboard (in English) and watches the solve finish."""
from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, AvailabilityException, AvailabilityRule, Person, PersonRole, Site, User
from scheduler.auth.accounts import hash_password
from scheduler.core.versions import current_draft, latest_published
from scheduler.core.weeks import to_utc
from scheduler.jobs import solve_jobs as jobs
from scheduler.week import drafts
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, LiveApp, sign_in
from tests.factories import Factory

pytestmark = pytest.mark.browser


def login(page, live: LiveApp, username: str, lang: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live.url}/login?lang={lang}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto(f"{live.url}/?lang={lang}")


def two_lawyers_and_a_window(live: LiveApp, week):
    """A window, two lawyers of the district without accounts or plans that week, and a
    Tuesday morning inside the colleague's weekly times (if they have any)."""
    with live.factory.begin() as session:
        window = session.scalar(select(Site).where(Site.district_id == live.district_id, Site.kind == "window",
                                                   Site.active).order_by(Site.id).limit(1))
        busy = set(session.scalars(select(AvailabilityException.person_id).where(
            AvailabilityException.start_at < to_utc(week + timedelta(days=7), time()),
            AvailabilityException.end_at > to_utc(week, time()))))
        taken = set(session.scalars(select(User.person_id).where(User.person_id.is_not(None))))
        lawyers = [p for p in session.scalars(
            select(Person).join(PersonRole).where(Person.district_id == live.district_id, Person.active,
                                                  PersonRole.role == "lawyer").order_by(Person.id))
            if p.id not in busy | taken and p.max_hours_week >= 4]
        def window_of(person):
            """A weekday and start of two free hours in the person's weekly times (None: any)."""
            rules = session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == person.id,
                                                                   AvailabilityRule.kind == "available")).all()
            if not rules:
                return 1, time(9)
            for rule in rules:
                if datetime.combine(week, rule.end_time) - datetime.combine(week, rule.start_time) >= timedelta(hours=2):
                    return rule.weekday, rule.start_time
            return None

        asking = lawyers[0]
        colleague, (weekday, start) = next((p, window_of(p)) for p in lawyers[1:] if window_of(p) is not None)
        day = week + timedelta(days=weekday)
        users = {}
        for person in (asking, colleague):
            user = User(username=f"swap-{person.external_id}".lower(), password_hash=hash_password(PASSWORD),
                        role="provider", person_id=person.id, district_id=live.district_id)
            session.add(user)
            users[person.id] = user.username
        make = Factory(session)
        begin = to_utc(day, start)
        places = [make.slot(session.get(Site, window.id), kind="shift", start=begin + timedelta(hours=h), hours=1,
                            week_start=week) for h in (0, 1)]
        draft = drafts.get_or_create_draft(session, live.district_id, week, None)
        for place in places:
            session.add(Assignment(schedule_id=draft.id, slot_id=place.id, person_id=asking.id, line_index=0))
        session.flush()
        session.expire(draft, ["assignments"])
        drafts.publish(session, live.district_id, week, None, now=datetime.now(UTC))
        return (asking.id, asking.name, users[asking.id]), (colleague.id, colleague.name, users[colleague.id]), \
            window.name, [p.id for p in places]


def test_a_swap_on_a_phone_and_a_re_plan_from_the_dashboard(live_app, new_page, shots):
    live = live_app
    week = live.this_week + timedelta(weeks=4)
    (asking_id, asking_name, asking_user), (colleague_id, colleague_name, colleague_user), window, places = \
        two_lawyers_and_a_window(live, week)

    phone = new_page(PHONE, mobile=True)
    login(phone, live, asking_user, "zh")
    phone.goto(f"{live.url}/my/assignments/{places[0]}/swap")
    assert window in phone.inner_text("main")
    phone.locator("label", has_text=colleague_name).click()
    phone.fill("input[name=note]", "家里有事，麻烦帮忙")
    phone.screenshot(path=shots / "swap-ask-phone-zh.png", full_page=True)
    phone.get_by_role("button", name="发送调班请求").click()
    phone.wait_for_url(re.compile(r"/my/swaps$"))
    assert f"请求已发给{colleague_name}" in phone.inner_text(".flashes")
    assert "等待同事答复" in phone.inner_text("#outgoing")
    phone.screenshot(path=shots / "swap-asked-phone-zh.png", full_page=True)

    login(phone, live, colleague_user, "zh")
    phone.goto(f"{live.url}/my/swaps")
    incoming = phone.inner_text("#incoming")
    assert asking_name in incoming and "家里有事，麻烦帮忙" in incoming
    phone.screenshot(path=shots / "swap-incoming-phone-zh.png", full_page=True)
    phone.get_by_role("button", name="同意接替").click()
    assert "新排班已发布" in phone.inner_text(".flashes")
    with live.factory() as session:
        version = latest_published(session, live.district_id, week)
        holders = {a.slot_id: a.person_id for a in version.assignments}
    assert holders[places[0]] == colleague_id and holders[places[1]] == asking_id

    # The other place is declined; the coordinator re-plans the week from the dashboard.
    login(phone, live, asking_user, "zh")
    phone.goto(f"{live.url}/my/assignments")
    row = phone.locator("tr", has=phone.locator(f"form[action$='/assignments/{places[1]}/decline']"))
    row.locator("input[name=reason]").fill("开庭")
    row.get_by_role("button", name="不能参加").click()
    desk = new_page(DESKTOP, locale="en-US")
    sign_in(desk, live, "en")
    desk.goto(f"{live.url}/districts/{live.district_id}?lang=en")
    answers = desk.locator("#answers")
    assert asking_name in answers.inner_text() and "开庭" in answers.inner_text()
    desk.screenshot(path=shots / "declines-dashboard-en.png", full_page=True)
    answers.locator("tr", has_text="开庭").get_by_role("button", name="Re-plan the week").click()
    desk.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_id = int(desk.url.rsplit("/", 1)[1])
    assert jobs.wait_for(live.factory, job_id, timeout=90).state == "done"
    with live.factory() as session:
        draft = current_draft(session, live.district_id, week)
        assert (places[1], asking_id) not in {(a.slot_id, a.person_id) for a in draft.assignments}
