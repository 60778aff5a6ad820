"""Solving a week again when the same place stays open (the usual case when re-planning
around a decline) replaces the draft's open places instead of colliding with them."""
from __future__ import annotations

from datetime import UTC, date, datetime

from scheduler.week.drafts import publish, store_solution
from solver.problem import Assignment as Assign
from solver.problem import OpenPlace, Reason, Solution

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the Friday before, 10:00 in Ningbo


def test_the_same_open_place_twice(session, make):
    d = make.district()
    slot = make.slot(make.site(d), start=datetime(2026, 12, 1, 1, tzinfo=UTC),
                     lines=(("lawyer",), ("notary",)))
    lawyer = make.person(d)
    reason = Reason(code="qualified", zh="无人符合条件", en="nobody qualified")
    same = Solution(status="feasible", objective=1.0, assignments=(Assign(slot.external_id, lawyer.external_id, 0),),
                    unfilled=(OpenPlace(slot.external_id, 1, 1, (reason,)),))
    store_solution(session, d.id, WEEK, same, None, now=NOW)
    publish(session, d.id, WEEK, None, now=NOW)  # the draft now holds copies of the published open places
    draft = store_solution(session, d.id, WEEK, same, None, now=NOW)
    assert [(o.slot_id, o.line_index, o.missing) for o in draft.open_places] == [(slot.id, 1, 1)]
