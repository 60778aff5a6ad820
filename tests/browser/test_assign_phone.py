"""Filling a place by hand on a phone (issue 18): the assign page lists the cheapest people
first with what each costs, fits a 360 px screen, and replacing a holder takes two taps."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Assignment, Schedule
from scheduler.week.suggest import place_suggestions
from tests.browser.conftest import sign_in
from tests.browser.test_week_flow import solved

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}
WEEKS_AHEAD = 12  # a week of its own: the other browser tests use 2 to 11


def _replaceable(live, week):
    """A place of the draft someone else could take: (slot id, line, holder id, first suggestion)."""
    with live.factory() as session:
        draft = session.scalar(select(Schedule).where(Schedule.district_id == live.district_id,
                                                      Schedule.week_start == week, Schedule.state == "draft"))
        for a in session.scalars(select(Assignment).where(Assignment.schedule_id == draft.id)
                                 .order_by(Assignment.id)):
            found = place_suggestions(session, live.district_id, week, a.slot_id, a.line_index,
                                      replacing_id=a.person_id)
            if found.feasible:
                return a.slot_id, a.line_index, a.person_id, found.feasible[0].person
    pytest.fail("the demo week has no place anyone else could take")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_replacing_someone_on_a_phone(live_app, new_page, shots, lang):
    week = live_app.this_week + timedelta(weeks=WEEKS_AHEAD + (lang == "en"))
    solved(live_app, week)
    slot_id, line, holder, first = _replaceable(live_app, week)
    page = new_page(SMALL_PHONE, locale="zh-CN" if lang == "zh" else "en-US", mobile=True)
    sign_in(page, live_app, lang)
    page.goto(live_app.week_url(week, f"/slots/{slot_id}/lines/{line}/assign?replace={holder}"))
    ranked = page.locator("ol.ranked > li")
    assert ranked.count() >= 1
    assert first.name in ranked.first.inner_text()
    # Each suggestion shows its change of the plan's cost; nothing scrolls sideways.
    assert ranked.first.locator(".cost").inner_text().strip()[0] in "+−"
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    assert ranked.first.locator("input[type=radio]").is_checked()
    page.screenshot(path=shots / f"assign-phone-{lang}.png", full_page=True)
    page.locator("form.assign button[type=submit]").click()
    page.wait_for_url(lambda u: "/assign" not in u)
    assert first.name in page.inner_text(".flashes")
    with live_app.factory() as session:
        held = session.scalars(select(Assignment.person_id).join(Schedule).where(
            Schedule.district_id == live_app.district_id, Schedule.week_start == week,
            Schedule.state == "draft", Assignment.slot_id == slot_id, Assignment.line_index == line)).all()
    assert first.id in held and holder not in held
