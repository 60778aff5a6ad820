"""Storing solutions in the week's draft, publishing immutable versions, stale editors."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import Assignment, AuditEntry, Schedule
from models.schedule import PublishedScheduleChanged
from scheduler.week.drafts import NothingToPublish, StaleDraft, publish, store_solution
from solver.problem import Assignment as Assign
from solver.problem import OpenPlace, Reason, Solution

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the Friday before, 10:00 in Ningbo


@pytest.fixture
def week(session, make):
    d = make.district()
    village = make.site(d)
    slot = make.slot(village, start=datetime(2026, 12, 1, 1, tzinfo=UTC),
                     lines=(("lawyer",), ("mediator",)))
    return d, slot, make.person(d), make.person(d, roles=("mediator",)), make.person(d)


def solution(*assignments, unfilled=()):
    return Solution(status="feasible", objective=123.0, assignments=tuple(assignments), unfilled=tuple(unfilled))


def test_solution_goes_into_one_draft_with_its_open_places(session, week):
    d, slot, lawyer, mediator, _ = week
    reason = Reason(code="nobody_qualified", zh="无人具备所需角色和技能", en="nobody holds the role and skills")
    draft = store_solution(session, d.id, WEEK, solution(
        Assign(slot.external_id, lawyer.external_id, 0),
        unfilled=[OpenPlace(slot.external_id, 1, 1, (reason,))]), None, now=NOW)
    assert [(a.person_id, a.line_index) for a in draft.assignments] == [(lawyer.id, 0)]
    (open_place,) = draft.open_places
    assert open_place.reasons[0]["zh"] == "无人具备所需角色和技能"
    again = store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, mediator.external_id, 1)), None,
                           now=NOW)
    assert again.id == draft.id and again.open_places == []
    assert [a.person_id for a in again.assignments] == [mediator.id]


def test_solving_again_into_the_same_places_replaces_them(session, week):
    d, slot, lawyer, mediator, _ = week
    same = solution(Assign(slot.external_id, lawyer.external_id, 0), Assign(slot.external_id, mediator.external_id, 1))
    store_solution(session, d.id, WEEK, same, None, now=NOW)
    draft = store_solution(session, d.id, WEEK, same, None, now=NOW)
    assert sorted(a.person_id for a in draft.assignments) == sorted([lawyer.id, mediator.id])


def test_locked_assignments_survive_a_solve(session, week):
    d, slot, lawyer, mediator, other = week
    draft = store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, lawyer.external_id, 0)), None,
                           now=NOW)
    draft.assignments[0].locked = True
    session.flush()
    draft = store_solution(session, d.id, WEEK, solution(
        Assign(slot.external_id, lawyer.external_id, 0), Assign(slot.external_id, mediator.external_id, 1)), None,
        now=NOW)
    assert sorted((a.person_id, a.locked) for a in draft.assignments) == [(lawyer.id, True), (mediator.id, False)]


def test_publish_makes_numbered_immutable_versions_and_audits(session, week):
    d, slot, lawyer, mediator, other = week
    store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, lawyer.external_id, 0)), None, now=NOW)
    v1 = publish(session, d.id, WEEK, None, now=NOW)
    store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, other.external_id, 0)), None, now=NOW)
    v2 = publish(session, d.id, WEEK, None, now=NOW)
    assert (v1.version, v2.version) == (1, 2)
    assert [a.person_id for a in v1.assignments] == [lawyer.id]
    assert [a.person_id for a in v2.assignments] == [other.id]
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.district_id == d.id)).all()
    assert actions.count("publish") == 2 and actions.count("solve") == 2
    v1.assignments[0].person_id = other.id
    with pytest.raises(PublishedScheduleChanged):
        session.flush()
    session.rollback()


def test_published_version_rows_cannot_be_deleted_or_edited(session, week):
    d, slot, lawyer, *_ = week
    store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, lawyer.external_id, 0)), None, now=NOW)
    v1 = publish(session, d.id, WEEK, None, now=NOW)
    session.delete(session.scalars(select(Assignment).where(Assignment.schedule_id == v1.id)).one())
    with pytest.raises(PublishedScheduleChanged):
        session.flush()
    session.rollback()


def test_the_draft_stays_editable_after_publishing(session, week):
    d, slot, lawyer, *_ = week
    draft = store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, lawyer.external_id, 0)), None,
                           now=NOW)
    publish(session, d.id, WEEK, None, now=NOW)
    draft.assignments[0].locked = True
    session.flush()
    assert session.scalar(select(Schedule).where(Schedule.id == draft.id)).assignments[0].locked


def test_stale_editor_gets_a_conflict_not_a_lost_update(session, week):
    d, slot, lawyer, mediator, _ = week
    draft = store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, lawyer.external_id, 0)), None,
                           now=NOW)
    seen = draft.lock_version
    store_solution(session, d.id, WEEK, solution(Assign(slot.external_id, mediator.external_id, 1)), None,
                   expected_lock_version=seen, now=NOW)
    with pytest.raises(StaleDraft, match="changed since you opened it"):
        publish(session, d.id, WEEK, None, expected_lock_version=seen, now=NOW)


def test_publishing_without_a_draft_says_so(session, make):
    with pytest.raises(NothingToPublish):
        publish(session, make.district().id, WEEK, None, now=NOW)


def test_publish_includes_hand_edits_made_earlier_in_the_same_session(session, make, week):
    from scheduler.week.edits import assign

    d, slot, lawyer, *_ = week
    coordinator = make.user("coordinator", district_id=d.id)
    draft = store_solution(session, d.id, WEEK, solution(), None, now=NOW)
    assert draft.assignments == []  # the list is loaded now; the edit below bypasses it
    assign(session, coordinator, d.id, WEEK, slot.id, lawyer.id, 0, now=NOW)
    version = publish(session, d.id, WEEK, coordinator, now=NOW)
    assert [a.person_id for a in version.assignments] == [lawyer.id]
