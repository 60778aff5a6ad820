"""The assign page: ranked suggestions, who cannot and why, replacing a holder, repairs."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import Assignment, AvailabilityException
from scheduler.week.drafts import get_or_create_draft
from tests.factories import MONDAY


def utc(*a):
    return datetime(*a, tzinfo=UTC)


@pytest.fixture
def place(session, make, world):
    a = world.district_a
    near = make.person(a, name="近律师", lat=29.801, lon=121.551)
    far = make.person(a, name="远律师", lat=29.95, lon=121.8)
    other_site = make.site(a, name="乙村", lat=29.9, lon=121.7)
    visit = make.slot(world.village_a, start=utc(2026, 12, 1, 1))
    other = make.slot(other_site, start=utc(2026, 12, 1, 1))
    draft = get_or_create_draft(session, a.id, MONDAY, world.users["coord_a"])
    session.flush()
    base = f"/districts/{a.id}/weeks/{MONDAY.isoformat()}/slots/{visit.id}/lines/0"
    return {"near": near, "far": far, "visit": visit, "other": other, "draft": draft, "base": base,
            "adviser": world.person_a}


def _hold(session, place, slot, person):
    session.add(Assignment(schedule_id=place["draft"].id, slot_id=slot.id, person_id=person.id, line_index=0))
    session.flush()


def _text(response):
    return response.get_data(as_text=True)


def test_the_cheapest_come_first_with_what_they_cost(as_role, place):
    page = _text(as_role("coord_a").get(place["base"] + "/assign?lang=en"))
    # The village's standing adviser (王律师) first: no "not the standing adviser" cost.
    order = [page.index(name) for name in ("王律师", "近律师", "远律师")]
    assert order == sorted(order)
    assert "Who could take it, cheapest first" in page and "travel (km)" in page
    assert "not the standing adviser +50" in page
    zh = _text(as_role("coord_a").get(place["base"] + "/assign?lang=zh"))
    assert "路程（公里）" in zh and "可担任人员（成本由低到高）" in zh


def test_who_cannot_and_why(as_role, session, place):
    _hold(session, place, place["other"], place["near"])
    page = _text(as_role("coord_a").get(place["base"] + "/assign?lang=en"))
    blocked = page[page.index("cannot take it"):]
    assert "近律师" in blocked and "overlaps or cannot travel in time: 乙村" in blocked
    assert f'value="{place["near"].id}"' not in page  # not offered as a choice


def test_a_repair_is_offered_and_applied(as_role, session, place, world):
    session.add_all([AvailabilityException(person_id=p.id, kind="unavailable", start_at=utc(2026, 12, 1, 0),
                                           end_at=utc(2026, 12, 1, 0, 30)) for p in (place["far"], place["adviser"])])
    place["visit"].start_at = utc(2026, 12, 1, 0)
    _hold(session, place, place["other"], place["near"])
    client = as_role("coord_a")
    page = _text(client.get(place["base"] + "/assign?lang=en"))
    assert "Nobody in this district can take this place" in page
    assert "近律师 takes this place, leaving 乙村" in page and "远律师 takes their place there" in page
    response = client.post(place["base"] + "/repair", data={
        "lock_version": place["draft"].lock_version, "person": place["near"].id,
        "from_slot": place["other"].id, "from_line": 0, "replacement": place["far"].id})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#slot-{place['visit'].id}")
    held = set(session.execute(select(Assignment.slot_id, Assignment.person_id)
                               .where(Assignment.schedule_id == place["draft"].id)).all())
    assert held == {(place["visit"].id, place["near"].id), (place["other"].id, place["far"].id)}


def test_a_stale_repair_changes_nothing(as_role, session, place):
    _hold(session, place, place["other"], place["near"])
    response = as_role("coord_a").post(place["base"] + "/repair", data={
        "lock_version": place["draft"].lock_version + 1, "person": place["near"].id,
        "from_slot": place["other"].id, "from_line": 0, "replacement": place["far"].id})
    assert response.status_code == 302 and response.headers["Location"].endswith("/assign")
    assert session.scalars(select(Assignment.slot_id).where(
        Assignment.schedule_id == place["draft"].id)).all() == [place["other"].id]


def test_replacing_a_holder(as_role, session, place):
    _hold(session, place, place["visit"], place["far"])
    client = as_role("coord_a")
    full = _text(client.get(place["base"] + "/assign?lang=en"))
    assert "Every place of this line is taken" in full and f"?replace={place['far'].id}" in full
    page = _text(client.get(place["base"] + f"/assign?lang=en&replace={place['far'].id}"))
    assert "Replace 远律师" in page and f'value="{place["near"].id}"' in page
    response = client.post(place["base"] + f"/assign?replace={place['far'].id}",
                           data={"lock_version": place["draft"].lock_version, "person": place["near"].id})
    assert response.status_code == 302
    assert session.scalars(select(Assignment.person_id).where(
        Assignment.schedule_id == place["draft"].id)).all() == [place["near"].id]


def test_replacing_someone_not_in_the_place_is_404(as_role, place):
    assert as_role("coord_a").get(place["base"] + f"/assign?replace={place['near'].id}").status_code == 404


def test_the_week_page_links_each_place_to_its_suggestions(as_role, session, place, world):
    _hold(session, place, place["visit"], place["far"])
    week = _text(as_role("coord_a").get(f"/districts/{world.district_a.id}/weeks/{MONDAY.isoformat()}?lang=en"))
    assert f'{place["base"]}/assign?replace={place["far"].id}' in week  # a filled place: replace its holder
    other = f"/slots/{place['other'].id}/lines/0/assign"
    assert other in week  # an open place: who could fill it
