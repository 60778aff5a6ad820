"""The district page as the coordinator's dashboard: this and next week's places by kind,
changes since the last publish, open village requests and villages overdue for a visit."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models import Assignment, RequestWindow, VisitRequest
from scheduler.core.weeks import monday_of, to_local
from scheduler.week.drafts import get_or_create_draft, publish
from tests.web.conftest import NOW


def this_monday() -> date:
    return monday_of(to_local(NOW).date())


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


def test_the_dashboard_shows_this_and_next_weeks_figures_and_changes(as_role, session, make, world):
    week = this_monday()
    start = datetime.combine(week + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=1)
    visit = make.slot(world.village_a, start=start, week_start=week, lines=(("lawyer",), ("mediator",)))
    coordinator = world.users["coord_a"]
    draft = get_or_create_draft(session, world.district_a.id, week, coordinator)
    draft.assignments = [Assignment(slot_id=visit.id, person_id=world.person_a.id, line_index=0)]
    session.flush()
    publish(session, world.district_a.id, week, coordinator, now=NOW)
    draft.assignments = []  # taken off after publishing
    session.flush()
    html = page(as_role("coord_a"), f"/districts/{world.district_a.id}?lang=en")
    this_week = section(html, "week-0")
    assert "This week" in this_week and "Draft" in this_week and "version 1 is published" in this_week
    assert "<td>Village visit</td><td class=\"num\">2</td><td class=\"num\">0</td>" in this_week
    assert "Changes since version 1: 0 added, 1 taken off, 0 moved." in this_week
    assert f'/districts/{world.district_a.id}/weeks/{week.isoformat()}"' in this_week
    next_week = section(html, "week-1")
    assert "Next week" in next_week and "Nothing has been solved for this week yet." in next_week
    assert f"/weeks/{(week + timedelta(weeks=1)).isoformat()}" in next_week
    # Each card's button opens its own week, and says so in Chinese too (it said "this week's").
    zh = page(as_role("coord_a"), f"/districts/{world.district_a.id}?lang=zh")
    assert all("打开这一周的排班" in section(zh, f"week-{n}") for n in (0, 1)) and "打开本周排班" not in zh


def test_the_dashboard_lists_open_requests_and_overdue_villages(as_role, session, make, world):
    world.village_a.visit_every_weeks = 4
    request = VisitRequest(village_id=world.village_a.id, district_id=world.district_a.id, topic="土地承包纠纷咨询",
                           kind="consultation", urgency="urgent", owner_id=world.users["coord_a"].id)
    request.windows = [RequestWindow(rank=0, start_at=datetime(2026, 12, 1, 1, tzinfo=UTC),
                                     end_at=datetime(2026, 12, 1, 3, tzinfo=UTC))]
    done = VisitRequest(village_id=world.village_a.id, district_id=world.district_a.id, topic="已办结",
                        kind="mediation", status="done", owner_id=world.users["coord_a"].id)
    session.add_all([request, done])
    session.flush()
    html = page(as_role("coord_a"), f"/districts/{world.district_a.id}")
    requests = section(html, "requests")
    assert "土地承包纠纷咨询" in requests and "已办结" not in requests
    assert "咨询" in requests and "紧急" in requests and "已受理" in requests
    overdue = section(html, "overdue")
    assert world.village_a.name in overdue and "每 4 周" in overdue and "从未走访" in overdue


def test_a_quiet_district_says_so(as_role, world):
    html = page(as_role("coord_a"), f"/districts/{world.district_a.id}?lang=en")
    assert "No open requests." in html and "Every village has had its visit on time." in html


def test_the_dashboard_reads_as_much_for_twelve_open_requests_as_for_two(as_role, session, make, world):
    from sqlalchemy import event

    client = as_role("coord_a")
    url = f"/districts/{world.district_a.id}"

    def add_requests(n: int) -> None:
        for i in range(n):
            village = make.site(world.district_a, name=f"请求村{i}")
            session.add(VisitRequest(village_id=village.id, district_id=world.district_a.id, topic="咨询",
                                     kind="consultation", owner_id=world.users["coord_a"].id))
        session.flush()

    def statements() -> int:
        counted = []
        listener = lambda *_a, **_k: counted.append(1)  # noqa: E731
        event.listen(session.get_bind(), "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", listener)
        return len(counted)

    add_requests(2)
    client.get(url)
    few = statements()
    add_requests(10)
    assert statements() == few
