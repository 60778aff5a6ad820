"""Two coordinators edit the same draft at the same moment (issue 13, known gap of row 9):
both read version v and pass the version check; the second one's write matched no row and
SQLAlchemy's StaleDataError escaped as a 500. Now it is `StaleDraft`, so the route tells the
editor, and the first edit stands."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from models import Assignment, Schedule
from scheduler.week.drafts import StaleDraft, get_or_create_draft
from scheduler.week.edits import assign
from tests.factories import Factory

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


@pytest.fixture
def shared_week(committed_factory):
    with committed_factory.begin() as session:
        make = Factory(session)
        d = make.district()
        coordinator = make.user("coordinator", district_id=d.id)
        village = make.site(d)
        first = make.slot(village, start=datetime(2026, 12, 1, 1, tzinfo=UTC))
        second = make.slot(village, start=datetime(2026, 12, 2, 1, tzinfo=UTC))
        people = [make.person(d), make.person(d)]
        get_or_create_draft(session, d.id, WEEK, coordinator)
        ids = (d.id, coordinator.id, first.id, second.id, [p.id for p in people])
    return ids


def test_the_second_of_two_simultaneous_edits_is_refused_as_stale(committed_factory, shared_week, backend):
    from models import User

    if backend == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: the second editor cannot read "
                    "before the first commits, so this race needs PostgreSQL")

    district_id, coordinator_id, first, second, (lawyer_a, lawyer_b) = shared_week
    a, b = committed_factory(), committed_factory()
    try:
        version = {s: get_or_create_draft(s, district_id, WEEK, None).lock_version for s in (a, b)}
        assert version[a] == version[b]
        assign(a, a.get(User, coordinator_id), district_id, WEEK, first, lawyer_a, 0,
               expected_lock_version=version[a], now=NOW)
        # b's UPDATE waits on a's row lock (PostgreSQL) until a commits, then matches no row.
        results: list[BaseException | None] = []

        def second_editor() -> None:
            try:
                assign(b, b.get(User, coordinator_id), district_id, WEEK, second, lawyer_b, 0,
                       expected_lock_version=version[b], now=NOW)
                results.append(None)
            except BaseException as error:  # the test inspects what was raised
                results.append(error)

        editor = threading.Thread(target=second_editor)
        editor.start()
        editor.join(0.5)
        a.commit()
        editor.join(30)
        assert len(results) == 1 and isinstance(results[0], StaleDraft), results
        b.rollback()
    finally:
        a.close()
        b.close()
    with committed_factory() as check:
        draft = check.scalar(select(Schedule).where(Schedule.district_id == district_id))
        made = check.scalars(select(Assignment.person_id).where(Assignment.schedule_id == draft.id)).all()
        assert made == [lawyer_a] and draft.lock_version == version[a] + 1
        assert check.scalar(select(func.count()).select_from(Assignment)) == 1
