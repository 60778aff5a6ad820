"""A visitor without a session follows every same-site link of the public pages, from `/`:
no page (nor the public calendar) carries a mobile number of the world, a villager's data, or
an assignment from a draft, whether of a published district or of another district's
unpublished week."""
from __future__ import annotations

import re
from collections import deque
from datetime import time, timedelta
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from models import Assignment, Person, ShiftTemplate, ShiftTemplateLine, Site, User, VisitRequest
from scheduler.core.weeks import monday_of, to_local
from scheduler.week.drafts import get_or_create_draft, publish
from tests.factories import Factory
from tests.web.conftest import NOW

MAX_PAGES = 150
HREF = re.compile(r'href="([^"]+)"')


def _assign(session, district, slot, person):
    draft = get_or_create_draft(session, district.id, slot.week_start, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=len(draft.assignments)))
    session.flush()


def _world(session, world):
    make = Factory(session)
    start = (NOW + timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)
    week = monday_of(to_local(start).date())
    # A published week in A: person A visits A's village and serves at A's window.
    session.add(ShiftTemplate(site_id=world.window_a.id, name="上午", weekday=start.weekday(), start_time=time(9),
                              end_time=time(12), lines=[ShiftTemplateLine(idx=0, roles=["lawyer"], count=1,
                                                                          skills=[])]))
    _assign(session, world.district_a, make.slot(world.village_a, start=start, week_start=week), world.person_a)
    _assign(session, world.district_a, make.slot(world.window_a, start=start, week_start=week, kind="shift"),
            world.person_a)
    publish(session, world.district_a.id, week, None, now=NOW)
    # Then a draft in A, and B's week never published: their people must not appear.
    drafted = make.person(world.district_a, name="草稿甲律师", phone="13511112222")
    _assign(session, world.district_a, make.slot(world.village_a, start=start + timedelta(days=1), week_start=week),
            drafted)
    window_b = make.site(world.district_b, kind="window", name="乙镇司法所窗口")
    unpublished = make.person(world.district_b, name="未发布乙律师", phone="13633334444")
    _assign(session, world.district_b, make.slot(window_b, start=start, week_start=week, kind="shift"), unpublished)
    _assign(session, world.district_b, make.slot(world.village_b, start=start, week_start=week), unpublished)
    # Villagers' data: a request's topic and details, the representative's mobile, the village's own phone.
    session.add(VisitRequest(village_id=world.village_a.id, district_id=world.district_a.id, topic="宅基地纠纷某某",
                             details="张三家的邻居", kind="consultation", owner_id=world.users["coord_a"].id))
    world.users["village"].mobile = "13900005555"
    world.users["coord_a"].mobile = "13700006666"
    world.village_a.phone = "13800007777"
    session.flush()
    return ["草稿甲律师", "未发布乙律师", "宅基地纠纷某某", "张三家的邻居"]


def _crawl(client) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        answer = client.get(url)
        assert answer.status_code in (200, 302), (url, answer.status_code)
        body = answer.get_data(as_text=True)
        seen[url] = body
        for href in HREF.findall(body):
            link = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(link)
            same_site = (not parts.scheme and not parts.netloc) or (parts.scheme in ("http", "https")
                                                                    and parts.netloc == "localhost")
            if not same_site or parts.path.startswith(("/static", "/login")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_crawling_the_public_pages_finds_no_mobile_no_villager_data_no_draft(client, session, world):
    forbidden = _world(session, world)
    mobiles = {p for p in session.scalars(select(Person.phone)) if p} | \
        {m for m in session.scalars(select(User.mobile)) if m} | \
        {p for p in session.scalars(select(Site.phone).where(Site.kind == "village")) if p}
    pages = _crawl(client)
    visited = set(pages)
    # The crawl reached every kind of public page, the village's calendar included.
    assert {"/services", "/directory", "/referrals", f"/directory/{world.window_a.id}",
            f"/v/{world.village_a.external_id}", f"/v/{world.village_a.external_id}/calendar.ics"} <= visited
    assert "王律师" in pages[f"/v/{world.village_a.external_id}"]
    assert "王律师" in pages[f"/directory/{world.window_a.id}"]
    for url, body in pages.items():
        compact = re.sub(r"[\s-]", "", body)
        for number in mobiles:
            assert number not in compact, (url, number)
        for text in forbidden:
            assert text not in body, (url, text)
