"""The review page's "who will be told" reads a bounded number of statements however many
visits the week has, and loads as objects only the visits that differ between the versions."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from models import Assignment, Slot
from scheduler.week.drafts import get_or_create_draft, publish
from scheduler.week.review import who_is_told

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


def _statements(session, call) -> tuple[int, int, object]:
    """(statements run, slots loaded as objects, the call's answer)."""
    counted, slots, out = [], [], []
    listener = lambda *_a, **_k: counted.append(1)  # noqa: E731
    loaded = lambda *_a, **_k: slots.append(1)  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    event.listen(Slot, "load", loaded)
    try:
        out.append(call())
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
        event.remove(Slot, "load", loaded)
    return len(counted), len(slots), out[0]


def _week_with(session, make, villages: int):
    d = make.district()
    coordinator = make.user("coordinator", district_id=d.id)
    people = [make.person(d, name=f"律师{n}") for n in range(villages)]
    slots = [make.slot(make.site(d, name=f"村{n}"), start=datetime(2026, 12, 1, 1, tzinfo=UTC) + timedelta(hours=n))
             for n in range(villages)]
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    draft.assignments = [Assignment(slot_id=s.id, person_id=p.id, line_index=0) for s, p in zip(slots, people)]
    session.flush()
    publish(session, d.id, WEEK, coordinator, now=NOW)
    # The draft then moves one visit to another person.
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    session.expire(draft, ["assignments"])
    moved = next(a for a in draft.assignments if a.slot_id == slots[0].id)
    moved.person_id = people[-1].id
    session.flush()
    session.expire_all()
    return d, coordinator


def test_who_is_told_reads_as_much_for_forty_visits_as_for_three(session, make):
    small_district, small_actor = _week_with(session, make, 3)
    big_district, big_actor = _week_with(session, make, 40)
    small, _, small_report = _statements(session, lambda: who_is_told(session, small_actor, small_district.id, WEEK,
                                                                      NOW))
    big, slots, big_report = _statements(session, lambda: who_is_told(session, big_actor, big_district.id, WEEK, NOW))
    assert big == small
    assert slots <= 2  # the moved visit (once per version at most), not the forty
    # The move is announced to the two people and the village (here unreachable: no addresses).
    assert big_report.queued + len(big_report.unreachable) == 3 == small_report.queued + len(small_report.unreachable)
