"""A coordinator's week in the browser: sign in, open the week from the dashboard, solve,
watch the job finish, review, publish and see the published week; in Chinese and in English,
on a phone, in print, and the job page with and without JavaScript."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from models import Schedule, SolveJob, utcnow
from scheduler.core.clock import SystemClock
from scheduler.jobs.solve_jobs import request_solve, run_job
from tests.browser.conftest import DESKTOP, PHONE, LiveApp, sign_in

pytestmark = pytest.mark.browser

# Each test works on its own week of the one demo district, so they run in any order.
FLOW_TEXT = {
    "zh": {"card": "#week-1", "open_week": "打开这一周的排班", "empty": "本周尚无排班任务", "solve": "开始排班",
           "ready": "草稿已生成", "open_draft": "打开草稿", "draft": "草稿", "review": "审核与发布",
           "publish": "发布为第 1 版", "published": "已发布为第 1 版", "published_toggle": "已发布"},
    "en": {"card": "#week-0", "open_week": "Open the week", "empty": "No work is planned for this week yet",
           "solve": "Solve", "ready": "The draft is ready.", "open_draft": "Open the draft", "draft": "Draft",
           "review": "Review and publish", "publish": "Publish as version 1", "published": "Published as version 1",
           "published_toggle": "Published"},
}


def solved(live: LiveApp, week: date) -> None:
    """Solve a week behind the scenes, for tests about how a solved week looks."""
    with live.factory.begin() as session:
        if session.query(Schedule).filter_by(district_id=live.district_id, week_start=week).first():
            return
        job, _ = request_solve(session, live.district_id, week, None, time_limit=10)
    assert run_job(live.factory, job.id, clock=SystemClock()) == "done"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_solve_review_and_publish_a_week(live_app, new_page, shots, lang):
    text = FLOW_TEXT[lang]
    page = new_page(DESKTOP, locale="zh-CN" if lang == "zh" else "en-US")
    sign_in(page, live_app, lang)
    page.goto(f"{live_app.url}/districts/{live_app.district_id}")
    card = page.locator(text["card"])
    card.get_by_role("link", name=text["open_week"]).click()
    page.wait_for_url(re.compile(r"/weeks/\d{4}-\d\d-\d\d$"))
    assert text["empty"] in page.inner_text("main")

    page.get_by_role("button", name=text["solve"], exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    page.get_by_text(text["ready"]).wait_for(timeout=60_000)

    page.get_by_role("link", name=text["open_draft"]).click()
    grid = page.locator("table.week-grid")
    grid.wait_for()
    assert page.locator(".seat").count() > 10
    assert text["draft"] in page.inner_text(".status-line")
    page.screenshot(path=shots / f"week-{lang}.png", full_page=True, clip={"x": 0, "y": 0, "width": 1440, "height": 1800})

    page.locator(".tabs").get_by_role("link", name=text["review"]).click()
    added = int(page.inner_text('[data-count="added"]'))
    assert added == page.locator("table.changes").first.locator("tbody tr").count() > 0
    page.screenshot(path=shots / f"review-{lang}.png")

    page.get_by_role("button", name=text["publish"]).click()
    page.wait_for_url(re.compile(r"view=published"))
    assert text["published"] in page.inner_text(".flashes")
    assert page.locator('.toggle a[aria-current="true"]').inner_text() == text["published_toggle"]
    assert page.locator(".seat").count() > 10 and page.locator(".seat-actions").count() == 0

    page.goto(f"{live_app.url}/districts/{live_app.district_id}")
    page.screenshot(path=shots / f"dashboard-{lang}.png", full_page=True)


def test_the_week_on_a_phone_stacks_the_days(live_app, new_page, shots):
    week = live_app.this_week + timedelta(weeks=2)
    solved(live_app, week)
    page = new_page(PHONE, mobile=True)
    sign_in(page, live_app, "zh")
    page.goto(live_app.week_url(week))
    page.locator("table.week-grid").wait_for()
    # Nothing scrolls sideways: the page fits the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator("table.week-grid tbody tr").filter(has=page.locator("td.day-cell:not(.empty)")).first
    days = row.locator("td.day-cell:not(.empty)")
    boxes = [days.nth(i).bounding_box() for i in range(days.count())]
    site = row.locator("th").bounding_box()
    # The site's name on top, then its days one under the other at full width.
    assert all(b["y"] > site["y"] and abs(b["x"] - boxes[0]["x"]) < 2 for b in boxes)
    assert all(later["y"] >= earlier["y"] + earlier["height"] for earlier, later in zip(boxes, boxes[1:]))
    assert boxes[0]["width"] > PHONE["width"] * 0.75
    assert page.locator("table.week-grid thead").is_hidden()
    assert re.match(r"星期[一二三四五六日]", page.evaluate(
        "(cell) => getComputedStyle(cell, '::before').content.replace(/\"/g, '')",
        days.first.element_handle()))
    page.screenshot(path=shots / "week-phone-zh.png")


def test_the_week_prints_on_a4_landscape_without_controls(live_app, new_page, tmp_path):
    week = live_app.this_week + timedelta(weeks=2)
    solved(live_app, week)
    page = new_page(DESKTOP)
    sign_in(page, live_app, "zh")
    page.goto(live_app.week_url(week))
    page.emulate_media(media="print")
    assert page.locator("table.week-grid caption").is_visible()
    for hidden in (".site-header", ".seat-actions", ".week-status", "form.filters", ".reasons"):
        assert page.locator(hidden).first.is_hidden(), hidden
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    (tmp_path / "week-print.pdf").write_bytes(pdf)
    width, height = (float(v) for v in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points


def running_job(live: LiveApp, week: date, **progress) -> int:
    with live.factory.begin() as session:
        job, _ = request_solve(session, live.district_id, week, None, time_limit=30)
        job.state, job.started_at, job.progress = "running", utcnow() - timedelta(seconds=3), progress
        return job.id


def update_job(live: LiveApp, job_id: int, **changes) -> None:
    with live.factory.begin() as session:
        job = session.get(SolveJob, job_id)
        for name, value in changes.items():
            setattr(job, name, value)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_job_page_follows_progress_live_and_cancels(live_app, new_page, shots, lang):
    week = live_app.this_week + timedelta(weeks=4 if lang == "zh" else 5)
    job_id = running_job(live_app, week, objective=5120.0, bound=4000.0, solutions=2)
    page = new_page(DESKTOP, locale="zh-CN" if lang == "zh" else "en-US")
    sign_in(page, live_app, lang)
    page.goto(f"{live_app.url}/jobs/{job_id}")
    assert page.inner_text('[data-job-field="objective"]') == "5,120.0"
    # The script polls the status: new figures appear without reloading the page.
    page.evaluate("window.notReloaded = true")
    update_job(live_app, job_id, progress={"objective": 4321.5, "bound": 4100.0, "solutions": 5})
    page.locator('[data-job-field="objective"]', has_text="4,321.5").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.inner_text('[data-job-field="solutions"]') == "5"
    assert page.inner_text('[data-job-field="gap"]') == "5.1%"
    page.screenshot(path=shots / f"job-{lang}.png")

    page.get_by_role("button", name="取消排班计算" if lang == "zh" else "Cancel the solve").click()
    state = page.locator('[data-job-field="state"]')
    assert ("已请求取消" if lang == "zh" else "cancel requested") in state.inner_text()
    update_job(live_app, job_id, state="cancelled", finished_at=utcnow())
    page.get_by_text("排班计算已取消" if lang == "zh" else "The solve was cancelled").wait_for()


def test_without_javascript_the_job_page_refreshes_itself(live_app, new_page):
    week = live_app.this_week + timedelta(weeks=6)
    job_id = running_job(live_app, week, objective=10.0, bound=9.0, solutions=1)
    page = new_page(DESKTOP, javascript=False)
    sign_in(page, live_app, "zh")
    page.goto(f"{live_app.url}/jobs/{job_id}")
    assert page.get_by_role("link", name="刷新查看最新进度").is_visible()
    update_job(live_app, job_id, state="done", finished_at=utcnow(), progress={"objective": 9.5, "bound": 9.5,
                                                                              "solutions": 2, "status": "optimal"})
    page.get_by_text("草稿已生成").wait_for(timeout=10_000)
    assert page.inner_text('[data-job-field="objective"]') == "9.5"
