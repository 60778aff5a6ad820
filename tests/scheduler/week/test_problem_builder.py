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


def _rich_week(session, make):
    """A week with every part of a problem: weekly and dated times of each kind, pairings,
    exclusions, skills, a request's two times, locks, a published version, limits."""
    d = make.district()
    village, other_village = make.site(d, needs=["labour"]), make.site(d)
    a = make.person(d, skills=("labour",), max_hours_week=12, target_hours_week=6, max_slots_per_day=2)
    b = make.person(d, roles=("mediator", "lawyer"), max_paired_sites=3)
    c = make.person(d, roles=("trainee_lawyer",))  # no rules: always available
    session.add_all([
        AvailabilityRule(person_id=a.id, weekday=0, start_time=time(9), end_time=time(12)),
        AvailabilityRule(person_id=a.id, kind="undesired", weekday=1, start_time=time(9), end_time=time(10)),
        AvailabilityRule(person_id=b.id, weekday=1, start_time=time(8), end_time=time(18)),
        AvailabilityException(person_id=b.id, kind="unavailable", start_at=utc(2026, 12, 1, 2),
                              end_at=utc(2026, 12, 1, 3)),
        AvailabilityException(person_id=b.id, kind="available", start_at=utc(2026, 12, 3, 1),
                              end_at=utc(2026, 12, 3, 4)),
        AvailabilityException(person_id=c.id, kind="undesired", start_at=utc(2026, 12, 1, 1),
                              end_at=utc(2026, 12, 1, 2)),
        Pairing(site_id=village.id, person_id=a.id, valid_from=date(2026, 1, 1)),
        SiteExclusion(person_id=b.id, site_id=other_village.id, reason="亲属在该村"),
    ])
    first = make.slot(village, start=utc(2026, 11, 30, 1), lines=(("lawyer",), ("mediator", "trainee_lawyer")),
                      priority=4, choice_group="req-1", choice_cost=2.5)
    make.slot(village, start=utc(2026, 12, 1, 1), choice_group="req-1", choice_cost=0)
    make.slot(other_village, start=utc(2026, 12, 3, 1))
    draft = make.schedule(d)
    session.add(Assignment(schedule_id=draft.id, slot_id=first.id, person_id=a.id, line_index=0, locked=True))
    published = make.schedule(d, state="published", version=1, published_at=utc(2026, 11, 25))
    session.add(Assignment(schedule_id=published.id, slot_id=first.id, person_id=b.id, line_index=1))
    session.flush()
    return d, first, other_village, (a, b, c)


def test_week_problem_is_the_parsed_document(session, make):
    """`week_problem` skips the document for speed: it must build exactly what reading the
    document builds, whole and narrowed (by ids, by a query of ids, and in time)."""
    from sqlalchemy import select

    from models import Person
    from scheduler.week.problem import week_problem

    d, first, other_village, (a, b, c) = _rich_week(session, make)
    whole = week_problem(session, d.id, WEEK)
    assert whole == parse_problem(build_problem(session, d.id, WEEK))
    # Every part is there to compare, so the equality above is not of empty problems.
    pa, pb, pc = ({p.id: p for p in whole.people}[x.external_id] for x in (a, b, c))
    assert (len(pa.available), len(pa.undesired), len(pa.paired_sites), pa.target_hours) == (1, 1, 1, 6)
    assert (len(pb.available), len(pb.unavailable), pb.excluded_sites) == (2, 1, {other_village.external_id})
    assert (pc.available, len(pc.undesired)) == (None, 1)
    assert whole.pinned and whole.previous and any(s.choice == "req-1" for s in whole.slots)
    assert any(s.needs for s in whole.sites)
    narrowings = [
        {"person_ids": {a.id, c.id}, "slot_ids": {first.id}},
        {"person_ids": select(Person.id).where(Person.id != c.id)},
        {"within": [(first.start_at, first.end_at)]},
    ]
    for narrowing in narrowings:
        assert week_problem(session, d.id, WEEK, **narrowing) == parse_problem(
            build_problem(session, d.id, WEEK, **narrowing)), narrowing
