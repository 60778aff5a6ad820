"""Accessibility of the pages people work in (issue 18): axe-core finds no serious or critical
violation on the coordinator's week (draft and published), review and assign pages, the
people and sites lists and the dashboard, nor on the provider's and the village
representative's own pages, in Chinese and in English; on a 360 px phone none of them scrolls
sideways and the menu button opens every menu item; the keyboard's focus ring is drawn.

One browser and one live app for the module (the session's), one signed-in context per role,
signed in once. The weeks used here (10 and 11 weeks ahead) are no other test's."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from models import Assignment, Notification, Pairing, Schedule, Site, Slot, User
from scheduler.auth.accounts import hash_password
from scheduler.core.clock import SystemClock
from scheduler.jobs.solve_jobs import request_solve, run_job
from scheduler.week.drafts import publish
from tests.browser.conftest import DESKTOP, PASSWORD, LiveApp, sign_in

pytestmark = pytest.mark.browser

DRAFT_WEEKS_AHEAD, PUBLISHED_WEEKS_AHEAD = 10, 11
SMALL_PHONE = {"width": 360, "height": 740}
BLOCKING = ("serious", "critical")
# Minor by axe's measure, refused all the same: a column of buttons has a heading for screen readers.
ALSO_REFUSED = ("empty-table-header",)
PROVIDER, VILLAGE = "a11y-provider", "a11y-village"
LOCALES = {"zh": "zh-CN", "en": "en-US"}


def _solve(live: LiveApp, week: date) -> None:
    with live.factory.begin() as session:
        if session.scalar(select(Schedule.id).where(Schedule.district_id == live.district_id,
                                                    Schedule.week_start == week).limit(1)):
            return
        job, _ = request_solve(session, live.district_id, week, None, time_limit=10)
    assert run_job(live.factory, job.id, clock=SystemClock()) == "done"


def _publish_quietly(live: LiveApp, week: date) -> None:
    """Publish the week's draft and drop the notices it wrote: the request flow counts the
    mail its people receive."""
    with live.factory.begin() as session:
        if session.scalar(select(Schedule.id).where(Schedule.district_id == live.district_id,
                                                    Schedule.week_start == week, Schedule.state == "published")):
            return
        before = session.scalar(select(func.coalesce(func.max(Notification.id), 0)))
        publish(session, live.district_id, week, None, now=datetime.now(UTC))
        session.execute(delete(Notification).where(Notification.id > before))


def _account(session, username: str, role: str, **links) -> None:
    if session.scalar(select(User.id).where(User.username == username)) is None:
        session.add(User(username=username, password_hash=hash_password(PASSWORD), role=role,
                         district_id=links.pop("district_id"), **links))


@pytest.fixture(scope="module")
def pages(live_app: LiveApp) -> dict[str, list[str]]:
    """The paths to check, by role, over a draft week and a published week of the demo."""
    live = live_app
    draft_week = live.this_week + timedelta(weeks=DRAFT_WEEKS_AHEAD)
    published_week = live.this_week + timedelta(weeks=PUBLISHED_WEEKS_AHEAD)
    _solve(live, draft_week)
    _solve(live, published_week)
    _publish_quietly(live, published_week)
    with live.factory.begin() as session:
        slot = session.scalar(select(Slot).where(Slot.district_id == live.district_id,
                                                 Slot.week_start == draft_week).order_by(Slot.start_at).limit(1))
        person_id = session.scalar(
            select(Assignment.person_id).join(Schedule, Schedule.id == Assignment.schedule_id)
            .where(Schedule.district_id == live.district_id, Schedule.week_start == published_week,
                   Schedule.state == "published").order_by(Assignment.person_id).limit(1))
        village_id = session.scalar(
            select(Site.id).join(Pairing, Pairing.site_id == Site.id)
            .where(Site.district_id == live.district_id).order_by(Site.external_id.desc()).limit(1))
        _account(session, PROVIDER, "provider", person_id=person_id, district_id=live.district_id)
        _account(session, VILLAGE, "village", village_id=village_id, district_id=live.district_id)
        slot_id = slot.id
    week = f"/districts/{live.district_id}/weeks/{draft_week}"
    return {
        "coordinator": [f"/districts/{live.district_id}", week, f"{week}/review",
                        f"{week}/slots/{slot_id}/lines/0/assign",
                        f"/districts/{live.district_id}/weeks/{published_week}?view=published",
                        "/people/", "/sites/"],
        "provider": ["/me", "/my/assignments", "/my/availability", "/my/visits", "/my/swaps", "/my/notices"],
        "village": ["/my-village", "/requests/", "/requests/new", "/my-village/visits", "/my/notices"],
    }


def _sign_in_with_password(page, live: LiveApp, username: str) -> None:
    page.goto(f"{live.url}/login?lang=zh")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(lambda u: "/login" not in u)


@pytest.fixture(scope="module")
def contexts(live_app: LiveApp, browser, pages):
    """A signed-in browser context per role (each signed in once for the module)."""
    made = {}
    for role in pages:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        context.set_default_timeout(20_000)
        page = context.new_page()
        if role == "coordinator":
            sign_in(page, live_app, "zh")
        else:
            _sign_in_with_password(page, live_app, PROVIDER if role == "provider" else VILLAGE)
        page.close()
        made[role] = context
    yield made
    for context in made.values():
        context.close()


def _open(context, live: LiveApp, path: str, lang: str, viewport=DESKTOP):
    page = context.new_page()
    page.set_viewport_size(viewport)
    glue = "&" if "?" in path else "?"
    response = page.goto(f"{live.url}{path}{glue}lang={lang}")
    assert response is not None and response.ok, (path, response and response.status)
    return page


# axe leaves a duplicated id to a person's review ("incomplete"): one that a label or an ARIA
# attribute names makes that label name another form's field, so none is allowed. (Hidden
# inputs such as every form's csrf_token repeat an id that nothing names: harmless.)
DUPLICATE_NAMED_IDS = """(() => {
  const named = new Set();
  for (const label of document.querySelectorAll('label[for]')) named.add(label.htmlFor);
  for (const e of document.querySelectorAll('[aria-labelledby], [aria-describedby], [aria-controls]'))
    for (const a of ['aria-labelledby', 'aria-describedby', 'aria-controls'])
      for (const id of (e.getAttribute(a) || '').split(/\\s+/)) if (id) named.add(id);
  return [...named].filter(id => document.querySelectorAll('#' + CSS.escape(id)).length > 1);
})()"""


def _described(path: str, violation: dict) -> str:
    nodes = "; ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                      for node in violation["nodes"][:5])
    return (f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(violation['nodes'])} nodes: {nodes}] {violation['helpUrl']}")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["coordinator", "provider", "village"])
def test_axe_finds_no_serious_or_critical_violation(live_app, pages, contexts, role, lang):
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    for path in pages[role]:
        page = _open(contexts[role], live_app, path, lang)
        assert page.evaluate("document.documentElement.lang").startswith(lang)
        results = axe.run(page)
        found += [_described(path, v) for v in results.response["violations"] if v["impact"] in BLOCKING or v["id"] in ALSO_REFUSED]
        found += [f"{path}: the id {name!r}, named by a label or an ARIA attribute, is used more than once"
                  for name in page.evaluate(DUPLICATE_NAMED_IDS)]
        page.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", ["coordinator", "provider", "village"])
def test_every_page_fits_a_360px_phone_and_its_menu_opens(live_app, pages, contexts, shots, role):
    for path in pages[role]:
        page = _open(contexts[role], live_app, path, "zh", SMALL_PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SMALL_PHONE["width"], (path, width)
        menu = page.locator("nav.main-nav")
        links = menu.locator("ul a")
        assert links.count() > 1 and not links.first.is_visible(), path  # folded behind the button
        menu.locator("summary").click()
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert links.nth(i).is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"], \
                (path, links.nth(i).inner_text())
        assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"], path
        if role == "coordinator" and path == pages[role][0]:
            page.screenshot(path=str(shots / "phone-menu-after.png"))
        page.close()


def test_the_menu_button_works_from_the_keyboard(live_app, pages, contexts):
    page = _open(contexts["provider"], live_app, pages["provider"][0], "en", SMALL_PHONE)
    first_link = page.locator("nav.main-nav ul a").first
    page.locator("nav.main-nav summary").focus()
    page.keyboard.press("Enter")
    assert first_link.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav.main-nav ul') !== null")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert first_link.is_hidden()
    page.close()


def _ring(page) -> tuple[str, str, str]:
    return tuple(page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                               "return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"))


def test_the_focus_ring_is_drawn_on_the_page_and_in_the_header(live_app, pages, contexts):
    page = _open(contexts["coordinator"], live_app, pages["coordinator"][0], "zh")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand, in the header
    assert page.evaluate("document.activeElement.classList.contains('brand')")
    assert _ring(page) == ("solid", "3px", "rgb(255, 216, 77)")  # --focus-ring-on-brand
    page.locator("main a").first.focus()  # after a key press: :focus-visible holds
    assert _ring(page) == ("solid", "3px", "rgb(11, 61, 145)")  # --focus-ring
    page.close()
