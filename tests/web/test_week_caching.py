"""The week page answers 304 to a browser that has it while nothing it shows has changed,
and a fresh page as soon as something has (an edit, a swap, a decline, a solve)."""
from __future__ import annotations

from datetime import timedelta

from models import Decline, SwapRequest
from scheduler.jobs.solve_jobs import request_solve
from tests.web.test_week import WEEK, post, week  # noqa: F401 - the week fixture
from web.dates import app_clock


def fresh(client, url: str, tag: str):
    return client.get(url, headers={"If-None-Match": tag})


def test_an_unchanged_week_is_a_304_and_an_edit_changes_it(as_role, session, week):  # noqa: F811
    client = as_role("coord_a")
    first = client.get(week.url)
    tag = first.headers["ETag"].strip('"')
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    again = fresh(client, week.url, tag)
    assert again.status_code == 304 and not again.data
    post(client, f"/assignments/{week.lawyer_seat.id}/lock", lock_version=week.draft.lock_version)
    client.get(week.url)  # shows the "locked" message once, untagged
    after = fresh(client, week.url, tag)
    assert after.status_code == 200 and after.headers["ETag"].strip('"') != tag


def test_a_message_waiting_to_be_shown_is_never_answered_from_the_cache(as_role, week):  # noqa: F811
    client = as_role("coord_a")
    tag = client.get(week.url).headers["ETag"].strip('"')
    with client.session_transaction() as flashing:
        flashing["_flashes"] = [("info", "一条消息")]
    answer = fresh(client, week.url, tag)
    assert answer.status_code == 200 and "一条消息" in answer.get_data(as_text=True) and "ETag" not in answer.headers


def test_swaps_declines_jobs_filters_and_time_change_the_tag(as_role, session, week, world):  # noqa: F811
    client = as_role("coord_a")

    def tag(url=week.url) -> str:
        return client.get(url).headers["ETag"]

    tags = [tag()]
    session.add(Decline(slot_id=week.visit.id, person_id=world.person_a.id, reason="开庭", created_at=week.draft.created_at))
    session.flush()
    tags.append(tag())
    session.add(SwapRequest(slot_id=week.visit.id, from_person_id=world.person_a.id, to_person_id=world.person_b.id,
                            status="requested"))
    session.flush()
    tags.append(tag())
    request_solve(session, world.district_a.id, WEEK, None)
    session.flush()
    tags.append(tag())
    tags.append(tag(week.url + "?kind=visit"))
    app_clock(client.application).advance(timedelta(minutes=1))
    tags.append(tag())
    assert len(set(tags)) == len(tags), tags


def test_each_reader_has_their_own_tag(as_role, week, world):  # noqa: F811
    city = as_role("city").get(week.url).headers["ETag"]
    mine = as_role("coord_a").get(week.url).headers["ETag"]
    assert city != mine


def test_the_week_offers_one_township_at_a_time(as_role, make, session, week, world):  # noqa: F811
    other = make.township(world.district_a, name="五乡镇")
    session.flush()
    html = as_role("coord_a").get(week.url).get_data(as_text=True)
    assert 'class="township-index no-print"' in html and f"township={other.id}" in html
    narrowed = as_role("coord_a").get(f"{week.url}?township={other.id}").get_data(as_text=True)
    assert 'class="township-index' not in narrowed


def _statements(session, call) -> int:
    from sqlalchemy import event

    counted = []
    listener = lambda *_a, **_k: counted.append(1)  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    return len(counted)


def test_an_unchanged_grid_is_served_from_the_cache_in_each_language(as_role, session, week):  # noqa: F811
    client = as_role("coord_a")
    pages = []
    first = _statements(session, lambda: pages.append(client.get(week.url).get_data(as_text=True)))
    again = _statements(session, lambda: pages.append(client.get(week.url).get_data(as_text=True)))
    assert again <= first - 6  # the grid's own reads (versions, slots, lines, roles, seats, places) are skipped
    grids = [page[page.index('<table class="week-grid">'):page.index("</table>")] for page in pages]
    assert grids[0] == grids[1] and "王律师" in grids[1]
    english = client.get(week.url + "?lang=en").get_data(as_text=True)
    assert '<span class="role">Lawyer</span>' in english and '<span class="role">律师</span>' not in english
    post(client, f"/assignments/{week.lawyer_seat.id}/lock", lock_version=week.draft.lock_version)
    assert 'class="seat locked"' in client.get(week.url).get_data(as_text=True)
