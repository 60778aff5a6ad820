"""The draft against the published version: added, removed, moved, per person and site."""
from __future__ import annotations

from datetime import UTC, date, datetime

from models import Assignment
from scheduler.week.drafts import get_or_create_draft, publish
from scheduler.week.review import diff

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the Friday before, 10:00 in Ningbo


def utc(*a):
    return datetime(*a, tzinfo=UTC)


def test_diff_names_added_removed_and_moved(session, make):
    d = make.district()
    coordinator = make.user("coordinator", district_id=d.id)
    a_site, b_site = make.site(d, name="甲村"), make.site(d, name="乙村")
    tue = make.slot(a_site, start=utc(2026, 12, 1, 1))
    thu = make.slot(b_site, start=utc(2026, 12, 3, 1))
    mover, leaver, joiner = make.person(d, name="王一"), make.person(d, name="李二"), make.person(d, name="赵三")
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    draft.assignments = [Assignment(slot_id=tue.id, person_id=mover.id, line_index=0),
                         Assignment(slot_id=thu.id, person_id=leaver.id, line_index=0)]
    session.flush()
    publish(session, d.id, WEEK, coordinator, now=NOW)
    assert diff(session, coordinator, d.id, WEEK).changes == []
    draft.assignments = [Assignment(slot_id=thu.id, person_id=mover.id, line_index=0),
                         Assignment(slot_id=tue.id, person_id=joiner.id, line_index=0)]
    session.flush()
    result = diff(session, coordinator, d.id, WEEK)
    assert result.counts() == {"added": 1, "removed": 1, "moved": 1}
    (move,) = result.by_person()["王一"]
    assert (move.kind, move.before.site, move.after.site) == ("moved", "甲村", "乙村")
    assert move.before.start.hour == 9  # local time
    assert {c.kind for c in result.by_site()["甲村"]} == {"moved", "added"}
    assert [c.kind for c in result.by_person()["李二"]] == ["removed"]
