"""The problem built from the database is a valid roster-problem/1 with the right content."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from models import Assignment, AvailabilityException, AvailabilityRule, Pairing, SiteExclusion
from scheduler.week.problem import build_problem
from solver.io import parse_problem

WEEK = date(2026, 11, 30)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def person_doc(doc, external_id):
    return next(p for p in doc["people"] if p["id"] == external_id)


def test_availability_is_expanded_from_rules_and_exceptions(session, make):
    d = make.district()
    p = make.person(d, max_hours_week=12, target_hours_week=6)
    session.add_all([
        AvailabilityRule(person_id=p.id, weekday=0, start_time=time(9), end_time=time(12)),
        AvailabilityRule(person_id=p.id, weekday=2, start_time=time(14), end_time=time(18)),
        AvailabilityRule(person_id=p.id, kind="undesired", weekday=2, start_time=time(17), end_time=time(18)),
        AvailabilityException(person_id=p.id, kind="unavailable", start_at=utc(2026, 12, 2, 6),
                              end_at=utc(2026, 12, 2, 8), source="calendar", note="开庭"),
        # An exception outside the week is not part of it.
        AvailabilityException(person_id=p.id, kind="unavailable", start_at=utc(2026, 12, 9, 6),
                              end_at=utc(2026, 12, 9, 8)),
    ])
    session.flush()
    doc = build_problem(session, d.id, WEEK)
    me = person_doc(doc, p.external_id)
    assert me["available"] == [
        {"start": "2026-11-30T09:00:00", "end": "2026-11-30T12:00:00"},
        {"start": "2026-12-02T14:00:00", "end": "2026-12-02T18:00:00"},
    ]
    assert me["unavailable"] == [{"start": "2026-12-02T14:00:00", "end": "2026-12-02T16:00:00"}]
    assert me["undesired"] == [{"start": "2026-12-02T17:00:00", "end": "2026-12-02T18:00:00"}]
    assert (me["max_hours"], me["target_hours"]) == (12, 6)
    parse_problem(doc)


def test_person_without_rules_is_always_available(session, make):
    d = make.district()
    p = make.person(d)
    assert "available" not in person_doc(build_problem(session, d.id, WEEK), p.external_id)


def test_pairings_exclusions_and_other_districts(session, make):
    d, other = make.district(), make.district()
    village = make.site(d)
    lawyer = make.person(d)
    make.person(other)  # never in this district's problem
    session.add(Pairing(site_id=village.id, person_id=lawyer.id, valid_from=date(2026, 1, 1)))
    conflict = make.site(d)
    session.add(SiteExclusion(person_id=lawyer.id, site_id=conflict.id, reason="亲属在该村"))
    session.flush()
    doc = build_problem(session, d.id, WEEK)
    assert [p["id"] for p in doc["people"]] == [lawyer.external_id]
    me = person_doc(doc, lawyer.external_id)
    assert me["paired_sites"] == [village.external_id]
    assert me["excluded_sites"] == [conflict.external_id]


def test_slots_locked_assignments_and_published_version(session, make):
    d = make.district()
    village = make.site(d)
    lawyer, other = make.person(d), make.person(d)
    slot = make.slot(village, start=utc(2026, 12, 1, 1), lines=(("lawyer",), ("mediator",)), priority=4)
    draft = make.schedule(d)
    session.add(Assignment(schedule_id=draft.id, slot_id=slot.id, person_id=lawyer.id, line_index=0, locked=True))
    session.add(Assignment(schedule_id=draft.id, slot_id=slot.id, person_id=other.id, line_index=0, locked=False))
    published = make.schedule(d, state="published", version=1, published_at=utc(2026, 11, 25))
    session.add(Assignment(schedule_id=published.id, slot_id=slot.id, person_id=other.id, line_index=0))
    session.flush()
    doc = build_problem(session, d.id, WEEK)
    assert doc["slots"] == [{
        "id": slot.external_id, "site": village.external_id, "kind": "visit",
        "start": "2026-12-01T09:00:00", "end": "2026-12-01T12:00:00", "priority": 4,
        "demand": [{"roles": ["lawyer"], "count": 1}, {"roles": ["mediator"], "count": 1}],
    }]
    assert doc["pinned"] == [{"slot": slot.external_id, "person": lawyer.external_id, "line": 0}]
    assert doc["previous"] == [{"slot": slot.external_id, "person": other.external_id, "line": 0}]
    problem = parse_problem(doc)
    assert problem.slots[0].priority == 4
