"""The public village page on a 360 px phone, as a citizen scanning the poster's QR code
reaches it: no sign-in, Chinese by default, nothing wider than the screen, the adviser and
the numbers to call, no mobile number; and the way there from `/`."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import Pairing, Site
from tests.browser.conftest import LiveApp

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def paired_village(live: LiveApp) -> tuple[str, str]:
    with live.factory() as session:
        site = session.scalar(select(Site).join(Pairing, Pairing.site_id == Site.id)
                              .where(Site.district_id == live.district_id, Pairing.valid_to.is_(None))
                              .order_by(Site.external_id))
        return site.external_id, site.name


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_citizen_finds_the_village_page_on_a_360px_phone(live_app, new_page, shots):
    external_id, name = paired_village(live_app)
    page = new_page(SMALL_PHONE, locale="zh-CN", mobile=True)
    page.goto(f"{live_app.url}/")
    assert page.locator("h1").inner_text() == "公共法律服务" and fits(page)
    page.locator("ul.districts a").first.click()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(rf"/v/{re.escape(external_id)}$"))
    assert page.locator("h1").inner_text() == name
    text = page.locator("main").inner_text()
    assert "法律顾问" in text and "12348" in text and "投诉监督" in text
    assert not MOBILE.search(text), MOBILE.search(text)
    assert page.locator(".subscribe img").is_visible() and fits(page)
    page.screenshot(path=str(shots / "portal-village-360.png"), full_page=True)
    page.goto(f"{live_app.url}/v/{external_id}?lang=en")
    assert "Hotline and complaints" in page.locator("main").inner_text() and fits(page)
