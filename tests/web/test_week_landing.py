"""`/week` for a district coordinator opens the nearest week that has a draft or a published
version (this week first, then up to eight weeks ahead), says so when it moved ahead, and
keeps the week the URL asks for. NOW is Thursday 26 November 2026: this week starts on the
23rd, `MONDAY` (the 30th) is next week."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import utcnow
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.week.landing import LOOK_AHEAD_WEEKS, landing_week
from tests.factories import MONDAY

THIS_WEEK = date(2026, 11, 23)
NOTE_ZH = "本周尚无排班，已打开下一个有排班的周"
NOTE_EN = "This week has no roster yet"


def landed(client, query: str = "") -> tuple[str, str]:
    """Where `/week` sends the coordinator, and the page found there."""
    response = client.get("/week" + query)
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    return location, client.get(location).get_data(as_text=True)


def published(make, district, week: date):
    return make.schedule(district, week_start=week, state="published", version=1, published_at=utcnow())


def test_this_week_with_a_draft_opens_this_week(as_role, make, world):
    make.schedule(world.district_a, week_start=THIS_WEEK)
    make.schedule(world.district_a, week_start=MONDAY)
    location, html = landed(as_role("coord_a"))
    assert location.endswith(f"/districts/{world.district_a.id}/weeks/{THIS_WEEK}")
    assert NOTE_ZH not in html


def test_only_next_week_opens_next_week_and_says_so(as_role, make, world):
    make.schedule(world.district_a, week_start=MONDAY)
    client = as_role("coord_a")
    location, html = landed(client)
    assert location.endswith(f"/districts/{world.district_a.id}/weeks/{MONDAY}")
    assert f"{NOTE_ZH}（2026年11月30日起）" in html
    # Said once: the page asked again has no note.
    assert NOTE_ZH not in client.get(location).get_data(as_text=True)


def test_a_published_version_counts_too_and_the_note_is_translated(as_role, make, world):
    week = THIS_WEEK + timedelta(weeks=3)
    published(make, world.district_a, week)
    location, html = landed(as_role("coord_a"), "?lang=en")
    assert location.endswith(f"/weeks/{week}")
    assert NOTE_EN in html and ("14 December 2026" in html or "December 14, 2026" in html)


def test_nothing_planned_opens_this_week_without_a_note(as_role, make, world):
    # Beyond the look-ahead and before this week do not count.
    make.schedule(world.district_a, week_start=THIS_WEEK + timedelta(weeks=LOOK_AHEAD_WEEKS + 1))
    published(make, world.district_a, THIS_WEEK - timedelta(weeks=1))
    location, html = landed(as_role("coord_a"))
    assert location.endswith(f"/weeks/{THIS_WEEK}") and NOTE_ZH not in html


def test_the_week_in_the_url_is_never_overridden(as_role, make, world):
    make.schedule(world.district_a, week_start=MONDAY)
    location, html = landed(as_role("coord_a"), "?week=2026-11-25")
    assert location.endswith(f"/weeks/{THIS_WEEK}") and NOTE_ZH not in html
    location, _ = landed(as_role("coord_a"), "?week=2027-01-04")
    assert location.endswith("/weeks/2027-01-04")


def test_another_districts_schedule_does_not_count(as_role, make, world):
    make.schedule(world.district_b, week_start=MONDAY)
    published(make, world.district_b, THIS_WEEK)
    location, html = landed(as_role("coord_a"))
    assert location.endswith(f"/districts/{world.district_a.id}/weeks/{THIS_WEEK}") and NOTE_ZH not in html


def test_the_use_case_picks_the_nearest_week_and_checks_access(session, make, world):
    make.schedule(world.district_a, week_start=MONDAY + timedelta(weeks=2))
    published(make, world.district_a, MONDAY + timedelta(weeks=1))
    found = landing_week(session, world.users["coord_a"], world.district_a.id, date(2026, 11, 29))
    assert (found.week_start, found.moved_ahead) == (MONDAY + timedelta(weeks=1), True)
    with pytest.raises((AccessDenied, NotVisible)):
        landing_week(session, world.users["coord_b"], world.district_a.id, date(2026, 11, 29))


def test_a_city_coordinator_sees_each_districts_nearest_roster(as_role, make, world):
    make.schedule(world.district_a, week_start=MONDAY + timedelta(weeks=2))
    published(make, world.district_a, MONDAY + timedelta(weeks=1))
    response = as_role("city").get("/week")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = {d.name: html.split(f"<td>{d.name}</td>", 1)[1].split("</tr>", 1)[0]
            for d in (world.district_a, world.district_b)}
    nearest = MONDAY + timedelta(weeks=1)
    assert f'/districts/{world.district_a.id}/weeks/{nearest}">2026年12月7日 起的一周' in rows[world.district_a.name]
    assert f"未来 {LOOK_AHEAD_WEEKS} 周内没有排班" in rows[world.district_b.name]
