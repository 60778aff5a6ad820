"""The week pages: the roster grid, filters, navigation, hand edits with their conflicts and
refusals, review and publish."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import Assignment, OpenPlace, Schedule, Site, Slot
from scheduler.week.drafts import get_or_create_draft

WEEK = date(2026, 11, 30)
URL = "/districts/{d}/weeks/2026-11-30"


def utc(*a):
    return datetime(*a, tzinfo=UTC)


@dataclass
class Week:
    url: str
    visit: Slot
    shift: Slot
    draft: Schedule
    lawyer_seat: Assignment


@pytest.fixture
def week(session, make, world):
    """District A's week: a village visit (lawyer seated, mediator open with a reason) and a
    window shift on Thursday; 王律师 holds the visit."""
    township = make.township(world.district_a, name="邱隘镇")
    world.village_a.township_id = township.id
    visit = make.slot(world.village_a, start=utc(2026, 12, 1, 1), lines=(("lawyer",), ("mediator",)))
    shift = make.slot(world.window_a, kind="shift", start=utc(2026, 12, 3, 6))
    draft = get_or_create_draft(session, world.district_a.id, WEEK, world.users["coord_a"])
    seat = Assignment(slot_id=visit.id, person_id=world.person_a.id, line_index=0)
    draft.assignments = [seat]
    draft.open_places = [OpenPlace(slot_id=visit.id, line_index=1, missing=1, reasons=[
        {"code": "no_role", "zh": "本区没有人民调解员", "en": "no mediator in the district"}])]
    session.flush()
    return Week(URL.format(d=world.district_a.id), visit, shift, draft, seat)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.headers.get("Location"))
    return response.get_data(as_text=True)


def cell(html: str, slot: Slot) -> str:
    start = html.index(f'id="slot-{slot.id}"')
    return html[start:html.index("</td>", start)]


def test_the_grid_shows_sites_days_people_and_open_places_in_chinese(as_role, week, world):
    html = page(as_role("coord_a"), week.url)
    assert "甲村" in html and "甲镇司法所窗口" in html
    assert html.index("星期一") < html.index("星期日")
    visit = cell(html, week.visit)
    assert "09:00–12:00" in visit and "王律师" in visit and "律师" in visit
    assert "1 个空缺" in visit and "本区没有人民调解员" in visit and "人民调解员" in visit
    # Tuesday's column holds the visit, Thursday's the shift.
    assert 'data-day="星期二' in html[html.rindex("<td", 0, html.index(f'id="slot-{week.visit.id}"')):]
    assert "14:00–17:00" in cell(html, week.shift)


def test_the_grid_speaks_english_with_the_solvers_english_reason(as_role, week):
    html = page(as_role("coord_a"), week.url + "?lang=en")
    visit = cell(html, week.visit)
    assert "1 open place" in visit and "no mediator in the district" in visit and "Mediator" in visit
    assert "本区没有人民调解员" not in visit and "Monday" in html


def test_a_locked_seat_shows_the_lock_and_an_unlock_button(as_role, session, week):
    week.lawyer_seat.locked = True
    session.flush()
    visit = cell(page(as_role("coord_a"), week.url + "?lang=en"), week.visit)
    assert 'class="lock"' in visit and 'alt="Locked"' in visit and "/unlock" in visit and f"/assignments/{week.lawyer_seat.id}/lock\"" not in visit


def test_filters_by_kind_and_township(as_role, week, world, session):
    client = as_role("coord_a")
    shifts = page(client, week.url + "?kind=shift")
    assert "甲镇司法所窗口" in shifts and f'id="slot-{week.visit.id}"' not in shifts
    township = world.village_a.township_id
    villages = page(client, week.url + f"?township={township}")
    assert f'id="slot-{week.visit.id}"' in villages and f'id="slot-{week.shift.id}"' not in villages


def test_a_bad_filter_is_reported_and_ignored(as_role, week):
    html = page(as_role("coord_a"), week.url + "?kind=nonsense&lang=en")
    assert "Not a valid choice" in html
    assert f'id="slot-{week.visit.id}"' in html and f'id="slot-{week.shift.id}"' in html


def test_week_navigation_keeps_the_view_and_goes_to_neighbouring_weeks(as_role, week, world):
    html = page(as_role("coord_a"), week.url + "?view=published&kind=visit")
    d = world.district_a.id
    prev = re.search(r'rel="prev" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    nxt = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert prev.startswith(f"/districts/{d}/weeks/2026-11-23?") and "view=published" in prev and "kind=visit" in prev
    assert nxt.startswith(f"/districts/{d}/weeks/2026-12-07?")


def test_a_day_inside_the_week_redirects_to_its_monday(as_role, week, world):
    response = as_role("coord_a").get(f"/districts/{world.district_a.id}/weeks/2026-12-03?kind=visit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/districts/{world.district_a.id}/weeks/2026-11-30?kind=visit")


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "1850-01-06"])
def test_a_bad_week_goes_to_this_week_with_a_message(as_role, world, bad):
    client = as_role("coord_a")
    response = client.get(f"/districts/{world.district_a.id}/weeks/{bad}?lang=en")
    assert response.status_code == 302 and f"/districts/{world.district_a.id}/weeks/" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is not a week this app can show" in html and "YYYY-MM-DD" in html


def test_draft_and_published_toggle(as_role, session, week, world):
    client = as_role("coord_a")
    assert "王律师" in page(client, week.url)
    published = page(client, week.url + "?view=published&lang=en")
    assert "Nothing has been published for this week yet." in published and "王律师" not in published
    assert "/lock\"" not in published and "seat-actions" not in published


def test_an_empty_week_invites_a_solve(as_role, world):
    html = page(as_role("coord_a"), f"/districts/{world.district_a.id}/weeks/2027-03-01?lang=en")
    assert "No work is planned for this week yet" in html and "/weeks/2027-03-01/solve" in html


def test_the_week_index_sends_a_district_coordinator_to_this_week(as_role, world):
    response = as_role("coord_a").get("/week")
    assert re.search(rf"/districts/{world.district_a.id}/weeks/\d{{4}}-\d\d-\d\d$", response.headers["Location"])


def test_the_city_coordinator_chooses_a_district(as_role, world):
    html = page(as_role("city"), "/week")
    assert world.district_a.name in html and world.district_b.name in html


def test_a_district_that_does_not_exist_is_404_for_the_city(as_role):
    assert as_role("city").get("/districts/987654/weeks/2026-11-30").status_code == 404


# --- hand edits ----------------------------------------------------------------------------

def post(client, url: str, **data):
    return client.post(url, data={k: "" if v is None else v for k, v in data.items()})


def test_lock_and_unlock_with_the_current_version(as_role, session, week):
    client = as_role("coord_a")
    response = post(client, f"/assignments/{week.lawyer_seat.id}/lock", lock_version=week.draft.lock_version,
                    next=week.url + "?kind=visit")
    assert response.status_code == 302 and response.headers["Location"].endswith(week.url + "?kind=visit")
    session.refresh(week.lawyer_seat)
    assert week.lawyer_seat.locked
    session.refresh(week.draft)
    post(client, f"/assignments/{week.lawyer_seat.id}/unlock", lock_version=week.draft.lock_version)
    session.refresh(week.lawyer_seat)
    assert not week.lawyer_seat.locked


def test_a_stale_page_gets_a_conflict_not_a_lost_update(as_role, session, week):
    client = as_role("coord_a")
    seen = week.draft.lock_version
    post(client, f"/assignments/{week.lawyer_seat.id}/lock", lock_version=seen)  # someone else's edit
    response = post(client, f"/assignments/{week.lawyer_seat.id}/unassign?lang=en", lock_version=seen)
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else changed this week&#39;s draft after you opened it" in html
    assert session.get(Assignment, week.lawyer_seat.id) is not None


def test_an_edit_without_the_version_is_refused_when_a_draft_exists(as_role, session, week):
    client = as_role("coord_a")
    post(client, f"/assignments/{week.lawyer_seat.id}/unassign", lock_version=None)
    session.expire_all()
    assert session.get(Assignment, week.lawyer_seat.id) is not None


def test_taking_someone_off(as_role, session, week):
    client = as_role("coord_a")
    response = post(client, f"/assignments/{week.lawyer_seat.id}/unassign", lock_version=week.draft.lock_version)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "王律师已从该位置撤下" in html
    assert session.scalar(select(Assignment).where(Assignment.id == week.lawyer_seat.id)) is None


def test_an_unsafe_next_is_ignored(as_role, week):
    response = post(as_role("coord_a"), f"/assignments/{week.lawyer_seat.id}/lock",
                    lock_version=week.draft.lock_version, next="//evil.example/x")
    assert response.headers["Location"].endswith(week.url)


def test_the_assign_page_offers_qualified_people(as_role, make, week, world):
    mediator = make.person(world.district_a, name="调解员甲", roles=("mediator",))
    make.person(world.district_b, name="调解员乙", roles=("mediator",))
    make.person(world.district_a, name="志愿者丙", roles=("volunteer",))
    html = page(as_role("coord_a"), f"{week.url}/slots/{week.visit.id}/lines/1/assign")
    assert "调解员甲" in html and "调解员乙" not in html and "志愿者丙" not in html
    assert f'value="{mediator.id}"' in html and f'value="{week.draft.lock_version}"' in html


def test_assigning_a_qualified_person(as_role, session, make, week, world):
    mediator = make.person(world.district_a, name="调解员甲", roles=("mediator",))
    client = as_role("coord_a")
    response = post(client, f"{week.url}/slots/{week.visit.id}/lines/1/assign", person=mediator.id,
                    lock_version=week.draft.lock_version)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{week.url}#slot-{week.visit.id}")
    made = session.scalar(select(Assignment).where(Assignment.person_id == mediator.id))
    assert (made.slot_id, made.line_index, made.source) == (week.visit.id, 1, "manual")
    assert "调解员甲" in cell(page(client, week.url), week.visit)


def test_an_assignment_breaking_a_hard_rule_is_refused_with_the_rule(as_role, session, make, week, world):
    # The mediator already works a slot at the same time elsewhere: hard rule 5.
    mediator = make.person(world.district_a, name="调解员甲", roles=("mediator",))
    elsewhere = make.slot(make.site(world.district_a, name="乙村"), start=utc(2026, 12, 1, 2), lines=(("mediator",),))
    week.draft.assignments.append(Assignment(slot_id=elsewhere.id, person_id=mediator.id, line_index=0))
    session.flush()
    client = as_role("coord_a")
    url = f"{week.url}/slots/{week.visit.id}/lines/1/assign"
    response = post(client, url + "?lang=en", person=mediator.id, lock_version=week.draft.lock_version)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Hard rule 5, overlaps or cannot travel in time" in html and "would break the hard rules" in html
    zh = post(client, url + "?lang=zh", person=mediator.id, lock_version=week.draft.lock_version)
    assert "硬性规则 5，时间冲突或路途来不及" in zh.get_data(as_text=True)
    assert session.scalar(select(Assignment).where(Assignment.slot_id == week.visit.id,
                                                   Assignment.person_id == mediator.id)) is None


def test_assigning_from_a_stale_page_is_a_conflict(as_role, session, make, week, world):
    mediator = make.person(world.district_a, name="调解员甲", roles=("mediator",))
    client = as_role("coord_a")
    url = f"{week.url}/slots/{week.visit.id}/lines/1/assign"
    response = post(client, url, person=mediator.id, lock_version=week.draft.lock_version + 1)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert "有人在您打开之后修改了本周草稿" in page(client, url)


def test_choosing_no_one_is_a_clear_error(as_role, make, week, world):
    make.person(world.district_a, roles=("mediator",))
    response = post(as_role("coord_a"), f"{week.url}/slots/{week.visit.id}/lines/1/assign?lang=en",
                    lock_version=week.draft.lock_version)
    assert response.status_code == 200 and "Choose a person." in response.get_data(as_text=True)


def test_a_slot_of_another_week_is_404(as_role, week, world):
    url = f"/districts/{world.district_a.id}/weeks/2026-12-07/slots/{week.visit.id}/lines/0/assign"
    assert as_role("coord_a").get(url).status_code == 404


# --- review and publish ---------------------------------------------------------------------

def test_review_lists_the_changes_by_person_and_by_site(as_role, week):
    html = page(as_role("coord_a"), week.url + "/review?lang=en")
    assert 'data-count="added">1<' in html and "By person" in html and "By site" in html
    assert "王律师" in html and "甲村" in html and "Publish as version 1" in html


def test_publishing_makes_a_version_and_says_so(as_role, session, week):
    client = as_role("coord_a")
    response = post(client, week.url + "/publish", lock_version=week.draft.lock_version)
    assert response.status_code == 302 and response.headers["Location"].endswith(week.url + "?view=published")
    html = page(client, response.headers["Location"])
    assert "已发布为第 1 版" in html and "王律师" in html
    versions = session.scalars(select(Schedule).where(Schedule.state == "published")).all()
    assert [v.version for v in versions] == [1]


def test_publishing_a_stale_draft_is_refused(as_role, session, week):
    client = as_role("coord_a")
    response = post(client, week.url + "/publish?lang=en", lock_version=week.draft.lock_version + 1)
    assert response.headers["Location"].endswith(week.url + "/review")
    assert "Someone else changed this week&#39;s draft" in page(client, week.url + "/review?lang=en")
    assert session.scalars(select(Schedule).where(Schedule.state == "published")).all() == []


def test_publishing_without_a_draft_says_what_to_do(as_role, world):
    client = as_role("coord_a")
    url = f"/districts/{world.district_a.id}/weeks/2027-03-01"
    client.post(url + "/publish?lang=en", data={"lock_version": ""})
    assert "There is no draft of this week to publish yet" in page(client, url + "/review?lang=en")


def test_the_grid_after_publishing_keeps_seats_editable_through_the_draft(as_role, session, week):
    client = as_role("coord_a")
    post(client, week.url + "/publish", lock_version=week.draft.lock_version)
    session.refresh(week.draft)
    html = page(client, week.url)
    assert f"/assignments/{week.lawyer_seat.id}/lock" in html and f'value="{week.draft.lock_version}"' in html
    assert "第 1 版已发布" in html


def test_every_seat_button_posts_the_version_the_page_shows(as_role, week):
    html = page(as_role("coord_a"), week.url)
    # One form carries the version and the CSRF token; every seat's buttons submit it.
    form = re.search(r'<form id="seat-actions" method="post".*?</form>', html, flags=re.S).group(0)
    assert f'name="lock_version" value="{week.draft.lock_version}"' in form and 'name="csrf_token"' in form
    buttons = re.findall(r'<button type="submit" form="seat-actions" formaction="(/assignments/\d+/\w+)" '
                         r'name="next" value="([^"]+)"', html)
    assert sorted(url for url, _ in buttons) == [f"/assignments/{week.lawyer_seat.id}/lock",
                                                 f"/assignments/{week.lawyer_seat.id}/unassign"]
    assert all(back == f"{week.url}#slot-{week.visit.id}" for _, back in buttons)


def test_sites_are_listed_once_each_and_only_from_the_district(as_role, session, make, week, world):
    make.slot(world.village_b, start=utc(2026, 12, 1, 1))
    html = page(as_role("city"), week.url)
    assert html.count(">甲村<") == 1 and "乙村" not in html
    assert session.scalar(select(Site.name).where(Site.id == world.village_b.id)) == "乙村"


def test_assigning_from_a_page_shown_before_the_draft_existed_is_a_conflict(as_role, session, make, week, world):
    mediator = make.person(world.district_a, name="调解员甲", roles=("mediator",))
    url = f"{week.url}/slots/{week.visit.id}/lines/1/assign"
    response = post(as_role("coord_a"), url, person=mediator.id, lock_version=None)
    assert response.status_code == 302
    assert session.scalar(select(Assignment).where(Assignment.person_id == mediator.id)) is None


def test_review_labels_follow_the_language_of_each_request(as_role, week):
    # Labels must be looked up per request, never folded into the compiled template.
    client = as_role("coord_a")
    assert "<dt>新增</dt>" in page(client, week.url + "/review?lang=zh")
    english = page(client, week.url + "/review?lang=en")
    assert "<dt>Added</dt>" in english and "<dt>Taken off</dt>" in english and "新增" not in english


def test_review_counts_places_and_locked_seats_of_the_draft(as_role, session, week):
    client = as_role("coord_a")
    post(client, f"/assignments/{week.lawyer_seat.id}/lock", lock_version=week.draft.lock_version)
    html = page(client, week.url + "/review?lang=en")
    assert re.search(r"<dt>Places</dt><dd>3 demanded, 2 open</dd>", html)
    assert re.search(r"<dt>Locked</dt><dd>1</dd>", html)
