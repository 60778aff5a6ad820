"""Which version of a week counts, over a real database: the newest published version, the
draft, the version before, and the newest published version of every week."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models import Schedule
from scheduler.core.versions import (
    current_draft,
    current_versions,
    latest_published,
    newest_versions,
    previous_version,
)
from tests.factories import MONDAY

PUBLISHED_AT = datetime(2026, 11, 27, 2, tzinfo=UTC)
NEXT_MONDAY = MONDAY + timedelta(days=7)


def published(make, district, version: int, week=MONDAY) -> Schedule:
    return make.schedule(district, week_start=week, state="published", version=version, published_at=PUBLISHED_AT)


def ids(session, query) -> set[int]:
    return set(session.scalars(query))


def test_latest_published_is_the_highest_version_and_never_the_draft(session, make):
    d = make.district()
    assert latest_published(session, d.id, MONDAY) is None
    first = published(make, d, 1)
    second = published(make, d, 2)
    make.schedule(d, state="draft")
    published(make, d, 5, week=NEXT_MONDAY)  # another week
    published(make, make.district(), 7)  # another district
    assert latest_published(session, d.id, MONDAY) == second
    assert latest_published(session, d.id, MONDAY, before_version=2) == first
    assert latest_published(session, d.id, MONDAY, before_version=1) is None


def test_the_current_draft_is_the_weeks_draft(session, make):
    d = make.district()
    published(make, d, 1)
    assert current_draft(session, d.id, MONDAY) is None
    draft = make.schedule(d, state="draft")
    make.schedule(d, state="draft", week_start=NEXT_MONDAY)
    make.schedule(make.district(), state="draft")
    assert current_draft(session, d.id, MONDAY) == draft


def test_the_previous_version_is_the_published_one_just_before(session, make):
    d = make.district()
    first = published(make, d, 1)
    third = published(make, d, 3)  # numbers may skip
    published(make, d, 1, week=NEXT_MONDAY)
    assert previous_version(session, third) == first
    assert previous_version(session, first) is None


def test_newest_versions_holds_the_newest_published_version_of_every_week(session, make):
    a, b = make.district(), make.district()
    published(make, a, 1)
    a_newest = published(make, a, 2)
    make.schedule(a, state="draft")
    a_next = published(make, a, 1, week=NEXT_MONDAY)
    b_newest = published(make, b, 4)
    make.schedule(b, state="draft", week_start=NEXT_MONDAY)  # a week with only a draft has none
    everything = ids(session, newest_versions())
    assert {a_newest.id, a_next.id, b_newest.id} <= everything
    assert not everything & set(session.scalars(select(Schedule.id).where(
        Schedule.district_id.in_((a.id, b.id)), Schedule.id.not_in((a_newest.id, a_next.id, b_newest.id)))))
    assert ids(session, newest_versions(a.id)) == {a_newest.id, a_next.id}
    assert ids(session, newest_versions(a.id, first_week=NEXT_MONDAY)) == {a_next.id}
    assert ids(session, newest_versions(a.id, last_week=MONDAY)) == {a_newest.id}


def test_current_versions_are_the_newest_of_the_weeks_that_can_touch_the_window(session, make):
    d = make.district()
    before = published(make, d, 1, week=MONDAY - timedelta(days=14))
    newest = published(make, d, 2)
    published(make, d, 1)
    later = published(make, d, 1, week=NEXT_MONDAY)
    # A window inside the week of MONDAY: a week two weeks earlier cannot reach into it, nor
    # can the next week until the window reaches it.
    begin = datetime(2026, 12, 2, tzinfo=UTC)
    got = ids(session, current_versions(begin, begin + timedelta(days=1)))
    assert newest.id in got and before.id not in got and later.id not in got
    assert later.id in ids(session, current_versions(begin, begin + timedelta(days=6)))


def test_a_remembering_session_asks_once_until_it_writes(session, make):
    from sqlalchemy import event

    from scheduler.core.versions import remember_versions

    d = make.district()
    version = published(make, d, 1)
    session.flush()
    asked = []
    listener = lambda *_a, **_k: asked.append(1)  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        plain = [current_draft(session, d.id, MONDAY) for _ in range(3)]
        assert len(asked) == 3 and plain == [None] * 3
        remember_versions(session)
        asked.clear()
        assert [latest_published(session, d.id, MONDAY) for _ in range(3)] == [version] * 3
        assert current_draft(session, d.id, MONDAY) is None and current_draft(session, d.id, MONDAY) is None
        assert len(asked) == 2  # one question each
        draft = make.schedule(d, state="draft")  # a write: the session forgets
        asked.clear()
        assert current_draft(session, d.id, MONDAY) is draft and len(asked) >= 1
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
