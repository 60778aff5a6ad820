"""scheduler.week.suggest and edits.move: suggestions for a place of a district's week, on the
week's own problem and draft, and applying a replacement or a repair as one edit."""
from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import Assignment, AvailabilityException, Schedule
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.week import edits
from scheduler.week.drafts import StaleDraft, get_or_create_draft
from scheduler.week.suggest import suggestions
from tests.factories import MONDAY

NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)


def utc(*a):
    return datetime(*a, tzinfo=UTC)


@pytest.fixture
def desk(make, session):
    district = make.district()
    coordinator = make.user("coordinator", district_id=district.id)
    village = make.site(district, name="甲村", lat=29.8, lon=121.55)
    far_site = make.site(district, name="乙村", lat=29.9, lon=121.7)
    near = make.person(district, name="近律师", lat=29.801, lon=121.551)
    far = make.person(district, name="远律师", lat=29.95, lon=121.8)
    visit = make.slot(village, start=utc(2026, 12, 1, 1))
    other = make.slot(far_site, start=utc(2026, 12, 1, 1))
    draft = get_or_create_draft(session, district.id, MONDAY, coordinator)
    session.flush()
    return {"district": district, "coordinator": coordinator, "near": near, "far": far, "visit": visit,
            "other": other, "draft": draft}


def _ask(session, d, slot=None, **kw):
    return suggestions(session, d["coordinator"], d["district"].id, MONDAY, (slot or d["visit"]).id, 0, **kw)


def _hold(session, d, slot, person, line=0):
    session.add(Assignment(schedule_id=d["draft"].id, slot_id=slot.id, person_id=person.id, line_index=line))
    session.flush()


def test_the_nearest_is_suggested_first_with_its_terms(session, desk):
    got = _ask(session, desk)
    assert [s.person.name for s in got.feasible] == ["近律师", "远律师"]
    first, second = got.feasible
    assert dict(first.terms)["km"] < dict(second.terms)["km"] and first.delta < second.delta
    assert first.fill == -1000 * desk["visit"].priority


def test_someone_busy_elsewhere_is_listed_with_the_rule_and_where(session, desk):
    _hold(session, desk, desk["other"], desk["near"])
    got = _ask(session, desk)
    assert [s.person.name for s in got.feasible] == ["远律师"]
    (busy,) = got.infeasible
    assert busy.person.name == "近律师"
    assert [(r.rule, r.en, r.where.site.name) for r in busy.reasons] == [
        (5, "overlaps or cannot travel in time", "乙村")]


def test_an_absence_is_a_reason_too(session, desk):
    session.add(AvailabilityException(person_id=desk["far"].id, kind="unavailable",
                                      start_at=utc(2026, 11, 30), end_at=utc(2026, 12, 6)))
    session.flush()
    got = _ask(session, desk)
    assert {s.person.name: [r.rule for r in s.reasons] for s in got.infeasible} == {"远律师": [4]}


def test_a_repair_when_nobody_is_free_and_applying_it(session, desk):
    # Nobody else can do the visit; 近律师 can if 远律师 takes the other village.
    session.add(AvailabilityException(person_id=desk["far"].id, kind="unavailable",
                                      start_at=utc(2026, 12, 1, 0), end_at=utc(2026, 12, 1, 0, 30)))
    desk["visit"].start_at = utc(2026, 12, 1, 0)
    _hold(session, desk, desk["other"], desk["near"])
    got = _ask(session, desk)
    assert got.feasible == ()
    (repair,) = got.repairs
    assert (repair.person.name, repair.leaves.slot.id, repair.replacement.name) == (
        "近律师", desk["other"].id, "远律师")
    version = desk["draft"].lock_version
    edits.move(session, desk["coordinator"], desk["district"].id, MONDAY,
               [(desk["other"].id, desk["near"].id, 0)],
               [(desk["visit"].id, desk["near"].id, 0), (desk["other"].id, desk["far"].id, 0)],
               version, now=NOW, action="repair")
    held = set(session.execute(select(Assignment.slot_id, Assignment.person_id)
                               .where(Assignment.schedule_id == desk["draft"].id)).all())
    assert held == {(desk["visit"].id, desk["near"].id), (desk["other"].id, desk["far"].id)}
    assert desk["draft"].lock_version > version


def test_replacing_a_holder(session, desk):
    _hold(session, desk, desk["visit"], desk["far"])
    full = _ask(session, desk)
    assert full.full and [p.name for p in full.holders] == ["远律师"]
    got = _ask(session, desk, replacing_id=desk["far"].id)
    assert [s.person.name for s in got.feasible] == ["近律师"]
    assert got.feasible[0].delta < 0  # nearer: the plan gets cheaper
    edits.move(session, desk["coordinator"], desk["district"].id, MONDAY, [(desk["visit"].id, desk["far"].id, 0)],
               [(desk["visit"].id, desk["near"].id, 0)], desk["draft"].lock_version, now=NOW, action="replace")
    assert session.scalars(select(Assignment.person_id).where(
        Assignment.schedule_id == desk["draft"].id)).all() == [desk["near"].id]


def test_a_move_breaking_a_rule_is_refused_and_changes_nothing(session, desk):
    _hold(session, desk, desk["other"], desk["near"])
    with pytest.raises(edits.EditRefused) as refused:
        edits.move(session, desk["coordinator"], desk["district"].id, MONDAY, [],
                   [(desk["visit"].id, desk["near"].id, 0)], desk["draft"].lock_version, now=NOW, action="repair")
    assert [v[0] for v in refused.value.violations] == [5]


def test_a_move_of_a_place_no_longer_held_is_stale(session, desk):
    with pytest.raises(StaleDraft):
        edits.move(session, desk["coordinator"], desk["district"].id, MONDAY, [(desk["other"].id, desk["near"].id, 0)],
                   [(desk["visit"].id, desk["near"].id, 0)], desk["draft"].lock_version, now=NOW, action="repair")


def test_replacing_someone_who_does_not_hold_the_place_is_404(session, desk):
    with pytest.raises(NotVisible):
        _ask(session, desk, replacing_id=desk["near"].id)
    # The answer holds the garbage collector off while it works: a refusal turns it back on.
    assert gc.isenabled()


def test_another_districts_coordinator_gets_nothing(session, desk, make):
    stranger = make.user("coordinator", district_id=make.district().id)
    with pytest.raises((AccessDenied, NotVisible)):
        suggestions(session, stranger, desk["district"].id, MONDAY, desk["visit"].id, 0)
    assert session.scalar(select(Schedule.lock_version).where(Schedule.id == desk["draft"].id)) is not None


def test_the_narrowed_reading_answers_as_the_whole_week_would(session, make):
    """Suggestions read only the people and times a place involves; on a week with weekly
    times, absences, undesired hours and a busy roster they equal solver.suggest on the
    whole week's problem, place by place."""
    import random
    from datetime import time as clock_time

    from models import AvailabilityRule
    from scheduler.week.problem import build_problem
    from scheduler.week.suggest import place_suggestions
    from solver.io import parse_problem
    from solver.problem import Assignment as Placed
    from solver.suggest import suggest

    rng = random.Random(7)
    district = make.district()
    sites = [make.site(district, lat=29.8 + rng.random() / 10, lon=121.5 + rng.random() / 10) for _ in range(3)]
    people = [make.person(district, roles=rng.choice([("lawyer",), ("mediator",), ("lawyer", "mediator")]),
                          lat=29.8 + rng.random() / 10, lon=121.5 + rng.random() / 10,
                          target_hours_week=rng.choice([None, 4.0])) for _ in range(10)]
    for person in people:
        for day in rng.sample(range(5), 4):
            # Spans that start before, at and inside the slots (09:00, 10:00, 14:00 local), some
            # followed by another from where they end.
            start = rng.choice([8, 9, 10, 11, 13, 14])
            middle = start + rng.choice([1, 2, 3])
            kind = rng.choice(["available", "available", "undesired"])
            session.add(AvailabilityRule(person_id=person.id, kind=kind, weekday=day,
                                         start_time=clock_time(start), end_time=clock_time(middle)))
            if rng.random() < 0.5:
                session.add(AvailabilityRule(person_id=person.id, kind=kind, weekday=day,
                                             start_time=clock_time(middle), end_time=clock_time(min(middle + 4, 23))))
    session.add(AvailabilityException(person_id=people[0].id, kind="unavailable",
                                      start_at=utc(2026, 12, 1), end_at=utc(2026, 12, 2)))
    from datetime import timedelta

    slots = [make.slot(rng.choice(sites), start=utc(2026, 11, 30, rng.choice([1, 2, 6])) + timedelta(days=rng.randrange(5)),
                       hours=rng.choice([1, 2, 3]), lines=(("lawyer",), ("mediator",))) for _ in range(10)]
    draft = get_or_create_draft(session, district.id, MONDAY, None)
    session.flush()
    full = build_problem(session, district.id, MONDAY)
    problem = parse_problem(full)
    roster = []
    for slot in slots[:5]:
        for line in (0, 1):
            got = suggest(problem, tuple(roster), slot.external_id, line)
            if got.feasible:
                roster.append(Placed(slot.external_id, got.feasible[0].person, line))
    ids = {p.external_id: p.id for p in people}
    by_ext = {s.external_id: s.id for s in slots}
    session.add_all([Assignment(schedule_id=draft.id, slot_id=by_ext[a.slot], person_id=ids[a.person],
                                line_index=a.line) for a in roster])
    session.flush()
    assert len(roster) >= 4
    compared = 0
    for slot in slots:
        for line in (0, 1):
            whole = suggest(problem, tuple(roster), slot.external_id, line, limit=100)
            narrow = place_suggestions(session, district.id, MONDAY, slot.id, line, limit=100)
            assert [(s.person.external_id, round(s.delta, 6)) for s in narrow.feasible] == \
                [(o.person, round(o.delta, 6)) for o in whole.feasible]
            assert {(s.person.external_id, tuple(r.rule for r in s.reasons)) for s in narrow.infeasible} == \
                {(o.person, tuple(b.rule for b in o.blocks)) for o in whole.infeasible}
            assert [(r.person.external_id, r.replacement.external_id, round(r.delta, 6)) for r in narrow.repairs] == \
                [(r.person, r.replacement, round(r.delta, 6)) for r in whole.repairs]
            compared += 1
    assert compared == 20
