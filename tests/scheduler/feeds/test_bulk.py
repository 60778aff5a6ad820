"""Rendering many feeds at once: a bounded number of SQL statements whatever the number of
feeds, all or nothing when one fails, and the same feeds as one at a time."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from models import Assignment, FeedEvent, FeedRender, FeedToken
from scheduler.feeds import bulk
from scheduler.feeds.bulk import render_feeds
from scheduler.feeds.render import touched_feeds
from scheduler.week import drafts

NOW = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
WEEK = date(2026, 11, 30)
DOMAIN = "paiban.example.org"


def staffed_week(session, make, people: int) -> tuple[object, list[int]]:
    """A published week in which each of `people` lawyers serves a visit of their own, each
    with a live feed token (nothing rendered yet); returns the district and the people."""
    d = make.district()
    village = make.site(d, name="甲村", address="甲村村委会")
    draft = drafts.get_or_create_draft(session, d.id, WEEK, None)
    ids = []
    for n in range(people):
        person = make.person(d, name=f"律师{n}")
        slot = make.slot(village, start=datetime(2026, 11, 30, 1, tzinfo=UTC) + timedelta(hours=n))
        draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=0, source="manual"))
        session.add(FeedToken(subject_kind="person", subject_id=person.id, token_hash=f"{person.id:064d}",
                              created_at=NOW))
        ids.append(person.id)
    session.flush()
    drafts.publish(session, d.id, WEEK, None, now=NOW - timedelta(hours=1), feed_domain=DOMAIN)
    # Forget what the publish rendered: the tests below render these feeds afresh.
    session.execute(FeedEvent.__table__.delete())
    session.execute(FeedRender.__table__.delete())
    return d, ids


def statements(session, work) -> int:
    seen = []
    engine = session.get_bind().engine

    def count(*_args) -> None:
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def rendered(session) -> int:
    return session.scalar(select(func.count()).select_from(FeedRender))


def test_rendering_thirty_feeds_costs_the_statements_of_three(session, make):
    _, few = staffed_week(session, make, 3)
    _, many = staffed_week(session, make, 30)
    cost_few = statements(session, lambda: render_feeds(session, "person", few, NOW, domain=DOMAIN))
    cost_many = statements(session, lambda: render_feeds(session, "person", many, NOW, domain=DOMAIN))
    assert cost_many == cost_few <= 12
    assert rendered(session) == 33
    assert session.scalar(select(func.count()).select_from(FeedEvent)) == 33


def test_the_statements_grow_with_the_chunks_not_the_feeds(session, make):
    _, ids = staffed_week(session, make, 30)
    one_chunk = statements(session, lambda: render_feeds(session, "person", ids[:10], NOW, domain=DOMAIN))
    three = statements(session, lambda: render_feeds(session, "person", ids[10:], NOW, domain=DOMAIN, chunk=7))
    # 20 feeds in chunks of 7 is three rounds of the same queries.
    assert three == 3 * one_chunk


def test_an_unchanged_fresh_feed_is_neither_written_nor_rendered_again(session, make):
    _, ids = staffed_week(session, make, 4)
    first = render_feeds(session, "person", ids, NOW, domain=DOMAIN)
    assert sorted(first) == ids
    assert render_feeds(session, "person", ids, NOW + timedelta(minutes=1), domain=DOMAIN) == {}
    # The day after, the window moved: every feed is rendered again, its bytes the same.
    later = render_feeds(session, "person", ids, NOW + timedelta(days=1, minutes=1), domain=DOMAIN)
    assert {i: r.etag for i, r in later.items()} == {i: r.etag for i, r in first.items()}


def test_a_failure_in_the_middle_leaves_no_feed_half_written(session, make, monkeypatch):
    _, ids = staffed_week(session, make, 5)
    real = bulk.ical.render
    calls = []

    def fail_on_the_third(*args, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kw)

    monkeypatch.setattr(bulk.ical, "render", fail_on_the_third)
    with pytest.raises(RuntimeError), session.begin_nested():
        render_feeds(session, "person", ids, NOW, domain=DOMAIN)
    # Nothing of the chunk was written: no feed has events without their rendering.
    assert rendered(session) == 0
    assert session.scalar(select(func.count()).select_from(FeedEvent)) == 0
    monkeypatch.setattr(bulk.ical, "render", real)
    render_feeds(session, "person", ids, NOW, domain=DOMAIN)
    assert rendered(session) == 5


def test_the_feeds_a_week_touches_are_those_with_a_live_token(session, make):
    d, ids = staffed_week(session, make, 3)
    session.execute(FeedToken.__table__.update().where(FeedToken.subject_id == ids[0])
                    .values(revoked_at=NOW))
    touched = touched_feeds(session, d.id, WEEK)
    assert touched == {"person": ids[1:], "village": [], "site": []}
