"""The week grid and the dashboard figures built on it."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models import Assignment, OpenPlace
from scheduler.core.access import AccessDenied
from scheduler.home.dashboard import dashboard
from scheduler.week.drafts import get_or_create_draft, publish
from scheduler.week.view import week_view

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the Friday before, 10:00 in Ningbo


def utc(*a):
    return datetime(*a, tzinfo=UTC)


@pytest.fixture
def week(session, make):
    d = make.district()
    coordinator = make.user("coordinator", district_id=d.id)
    township = make.township(d, name="邱隘镇")
    village = make.site(d, township_id=township.id, name="下桥村")
    window = make.site(d, kind="window", name="司法所窗口")
    visit = make.slot(village, start=utc(2026, 12, 1, 1), lines=(("lawyer",), ("mediator",)))
    shift = make.slot(window, kind="shift", start=utc(2026, 12, 3, 6))
    first = make.slot(village, start=utc(2026, 12, 2, 1), choice_group="R1")
    second = make.slot(village, start=utc(2026, 12, 4, 1), choice_group="R1", choice_cost=20)
    lawyer = make.person(d, name="毛燕")
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    draft.assignments = [Assignment(slot_id=visit.id, person_id=lawyer.id, line_index=0),
                         Assignment(slot_id=second.id, person_id=lawyer.id, line_index=0)]
    draft.open_places = [OpenPlace(slot_id=visit.id, line_index=1, missing=1,
                                   reasons=[{"code": "unavailable", "zh": "均不可用", "en": "all unavailable"}])]
    session.flush()
    return d, coordinator, township, visit, shift, first, second


def test_grid_has_sites_days_people_and_reasons(session, week):
    d, coordinator, township, visit, shift, first, second = week
    view = week_view(session, coordinator, d.id, WEEK)
    rows = {r.name: r for r in view.rows}
    tuesday = rows["下桥村"].days[1][0]
    assert tuesday.start.hour == 9 and [s.person for s in tuesday.lines[0].seats] == ["毛燕"]
    assert tuesday.lines[1].open == 1 and tuesday.lines[1].reasons[0]["zh"] == "均不可用"
    # The staffed alternative of a request counts; the other alternative demands nothing.
    assert [s.counted for s in rows["下桥村"].days[2] + rows["下桥村"].days[4]] == [False, True]
    assert view.demanded == 2 + 1 + 1 and view.open == 1 + 1


def test_filters_by_kind_and_township(session, week):
    d, coordinator, township, *_ = week
    assert [r.name for r in week_view(session, coordinator, d.id, WEEK, kind="shift").rows] == ["司法所窗口"]
    assert [r.name for r in week_view(session, coordinator, d.id, WEEK, township_id=township.id).rows] == ["下桥村"]


def test_published_view_and_dashboard_figures(session, make, week):
    d, coordinator, *_ = week
    assert week_view(session, coordinator, d.id, WEEK, published=True).schedule is None
    publish(session, d.id, WEEK, coordinator, now=NOW)
    board = dashboard(session, coordinator, d.id, utc(2026, 12, 1, 4))
    this_week = board.weeks[0]
    assert this_week.week_start == WEEK and this_week.version == 1
    assert this_week.by_kind == {"shift": (1, 0, 1), "visit": (3, 2, 1)}
    assert this_week.changes == {"added": 0, "removed": 0, "moved": 0}
    with pytest.raises(AccessDenied):
        week_view(session, make.user("coordinator", district_id=make.district().id), d.id, WEEK)


def _statements(session, read) -> int:
    from sqlalchemy import event

    counted = []
    bind = session.get_bind()
    listener = lambda *_a, **_k: counted.append(1)  # noqa: E731
    event.listen(bind, "before_cursor_execute", listener)
    try:
        read()
    finally:
        event.remove(bind, "before_cursor_execute", listener)
    return len(counted)


def test_the_grid_reads_a_bounded_number_of_statements_whatever_the_weeks_size(session, make, week):
    d, coordinator, *_ = week
    session.flush()
    session.expire_all()
    small = _statements(session, lambda: week_view(session, coordinator, d.id, WEEK))
    # Ten times the sites, slots, people and seats.
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    for n in range(30):
        village = make.site(d, name=f"村{n}")
        person = make.person(d, name=f"律师{n}", roles=("lawyer", "mediator"))
        for day in range(3):
            slot = make.slot(village, start=utc(2026, 12, 1 + day, 1), lines=(("lawyer",), ("mediator",)))
            draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=day % 2))
    session.flush()
    session.expire_all()
    big_view = []
    big = _statements(session, lambda: big_view.append(week_view(session, coordinator, d.id, WEEK)))
    assert len(big_view[0].rows) == 32 and sum(len(s.lines[0].seats) + len(s.lines[1].seats)
                                               for r in big_view[0].rows for day in r.days for s in day
                                               if len(s.lines) == 2) >= 90
    assert big == small <= 9  # the account, two versions, slots, lines, roles, seats, open places


def test_a_seat_shows_the_role_the_line_asks_for(session, make, week):
    d, coordinator, township, visit, *_ = week
    both = make.person(d, name="双证", roles=("lawyer", "mediator"))
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    draft.assignments.append(Assignment(slot_id=visit.id, person_id=both.id, line_index=1))
    session.flush()
    view = week_view(session, coordinator, d.id, WEEK)
    slot = next(s for r in view.rows for day in r.days for s in day if s.slot_id == visit.id)
    assert [seat.held for seat in slot.lines[1].seats] == ["mediator"]
    assert [seat.held for seat in slot.lines[0].seats] == ["lawyer"]


def test_the_dashboards_figures_from_counts_match_the_grid(session, make, week):
    from scheduler.week.view import week_figures

    d, coordinator, township, visit, shift, first, second = week
    extra = make.person(d, name="二号", roles=("mediator",))
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    # An over-filled line counts as filled, never as more than asked.
    draft.assignments.extend([Assignment(slot_id=visit.id, person_id=extra.id, line_index=1),
                              Assignment(slot_id=shift.id, person_id=extra.id, line_index=0)])
    session.flush()
    view = week_view(session, coordinator, d.id, WEEK)
    expected: dict[str, list[int]] = {}
    for row in view.rows:
        for day in row.days:
            for slot in day:
                if slot.counted:
                    figures = expected.setdefault(slot.kind, [0, 0, 0])
                    figures[0] += sum(ln.count for ln in slot.lines)
                    figures[1] += sum(min(len(ln.seats), ln.count) for ln in slot.lines)
                    figures[2] += slot.open
    schedule, published, by_kind = week_figures(session, coordinator, d.id, WEEK)
    assert by_kind == {k: tuple(v) for k, v in expected.items()} == {"shift": (1, 1, 0), "visit": (3, 3, 0)}
    assert (schedule, published) == (view.schedule, view.published)
