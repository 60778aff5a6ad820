"""Coordinators' management pages in the browser (CSRF on, no JavaScript needed): a window
shift with its demand lines added inline, a person's availability week on a phone and in
print, a site edited with every problem listed at once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Person, ShiftTemplate, Site
from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser


def first(live, model, **where):
    with live.factory() as session:
        return session.scalars(select(model).filter_by(district_id=live.district_id, **where)
                               .order_by(model.id).limit(1)).one()


def test_a_window_shift_with_two_demand_lines(live_app, new_page, shots):
    page = new_page(DESKTOP, javascript=False)
    sign_in(page, live_app, "zh")
    page.goto(f"{live_app.url}/demand")
    page.get_by_role("link", name="新增窗口值班").click()
    page.select_option("#site", index=1)
    page.fill("#name", "周日便民值班")
    page.select_option("#weekday", "6")
    page.fill("#start", "09:00")
    page.fill("#end", "11:30")
    page.check("#lines-0-roles-0")
    page.get_by_role("button", name="添加一行").click()
    page.check("#lines-1-roles-2")
    page.fill("#lines-1-count", "0")
    page.get_by_role("button", name="保存").first.click()
    assert "第 2 行：人数须在 1 至 50 之间。" in page.inner_text("#problems")
    page.fill("#lines-1-count", "1")
    page.locator(".actions").get_by_role("button", name="保存").click()
    assert "值班已添加。" in page.inner_text(".flashes")
    assert "周日便民值班" in page.inner_text("#shifts")
    with live_app.factory() as session:
        made = session.scalars(select(ShiftTemplate).where(ShiftTemplate.name == "周日便民值班")).one()
        assert [(ln.roles, ln.count) for ln in made.lines] == [(["lawyer"], 1), (["notary"], 1)]
    page.goto(f"{live_app.url}/districts/{live_app.district_id}/demand?from=2026-09-28&weeks=3")
    assert "国庆节" in page.inner_text("#calendar") and "调休上班日" in page.inner_text("#calendar")
    page.screenshot(path=shots / "demand-zh.png", full_page=True, clip={"x": 0, "y": 0, "width": 1440, "height": 1300})


def test_availability_week_on_a_phone(live_app, new_page, shots):
    person = first(live_app, Person)
    page = new_page(PHONE, mobile=True, javascript=False)
    sign_in(page, live_app, "zh")
    page.goto(f"{live_app.url}/people/{person.id}/availability")
    page.locator('td.slot a[aria-label^="星期二 14:00"]').click()
    assert page.input_value("#rule-start") == "14:00" and page.input_value("#rule-weekday") == "1"
    page.fill("#rule-end", "17:00")
    page.get_by_role("button", name="添加每周时间").first.click()
    assert "每周时间已添加。" in page.inner_text(".flashes")
    cell = page.locator('td.slot:has(a[aria-label^="星期二 15:00"])')
    assert "s-available" in cell.get_attribute("class")
    # The grid scrolls inside its box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=shots / "availability-phone-zh.png", full_page=True,
                    clip={"x": 0, "y": 0, "width": PHONE["width"], "height": 1500})


def test_availability_week_prints_the_grid_without_forms(live_app, new_page, tmp_path):
    person = first(live_app, Person)
    page = new_page(DESKTOP)
    sign_in(page, live_app, "en")
    page.goto(f"{live_app.url}/people/{person.id}/availability")
    page.emulate_media(media="print")
    assert page.locator("table.avail-grid").is_visible()
    assert not page.locator("#add").is_visible() and not page.locator(".week-nav").is_visible()
    page.pdf(path=str(tmp_path / "availability.pdf"), format="A4")
    assert (tmp_path / "availability.pdf").stat().st_size > 10_000


def test_editing_a_site_lists_every_problem_at_once(live_app, new_page):
    village = first(live_app, Site, kind="village")
    page = new_page(DESKTOP)
    sign_in(page, live_app, "en")
    page.goto(f"{live_app.url}/sites/{village.id}/edit")
    page.fill("#lat", "123")
    page.fill("#name", "")
    page.fill("#visit_minutes", "")
    page.get_by_role("button", name="Save").click()
    problems = page.inner_text("#problems")
    assert "Please fix these 3 problems" in problems, problems
    assert "Enter a value from -90 to 90." in problems and "Site name: This is required." in problems
