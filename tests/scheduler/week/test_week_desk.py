"""The coordinator's week desk: access checks around jobs and publishing, and the people
offered for an open place."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, Person, SolveJob
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.week.desk import (
    assignment_week,
    cancel_job,
    check_version,
    district_for,
    editable_assignment,
    job_for,
    live_job,
    publish_week,
    start_solve,
)
from scheduler.week.drafts import NothingToPublish, StaleDraft, get_or_create_draft
from scheduler.week.suggest import suggestions

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the Friday before, 10:00 in Ningbo


def utc(*a):
    return datetime(*a, tzinfo=UTC)


@pytest.fixture
def desk(session, make):
    d = make.district()
    other = make.district()
    return d, make.user("coordinator", district_id=d.id), make.user("coordinator", district_id=other.id)


def test_district_for_refuses_other_districts_and_unknown_ids(session, make, desk):
    d, mine, theirs = desk
    assert district_for(session, mine, d.id).id == d.id
    with pytest.raises(AccessDenied):
        district_for(session, theirs, d.id)
    with pytest.raises(AccessDenied):
        district_for(session, make.user("provider", person_id=make.person(d).id), d.id)
    with pytest.raises(NotVisible):
        district_for(session, make.user("coordinator", city_wide=True), 987654)


def test_a_solve_is_started_once_and_joined(session, desk):
    d, mine, theirs = desk
    job, new = start_solve(session, mine, d.id, WEEK, time_limit=7, now=NOW)
    again, new_again = start_solve(session, mine, d.id, WEEK, time_limit=7, now=NOW)
    assert new and not new_again and again.id == job.id and job.time_limit == 7
    assert live_job(session, mine, d.id, WEEK).id == job.id
    with pytest.raises(AccessDenied):
        start_solve(session, theirs, d.id, WEEK, time_limit=7, now=NOW)


def test_jobs_of_other_districts_look_absent(session, desk):
    d, mine, theirs = desk
    job, _ = start_solve(session, mine, d.id, WEEK, time_limit=7, now=NOW)
    assert job_for(session, mine, job.id) is job
    for actor, job_id in ((theirs, job.id), (mine, 987654)):
        with pytest.raises(NotVisible):
            job_for(session, actor, job_id)
    with pytest.raises(NotVisible):
        cancel_job(session, theirs, job.id)
    assert cancel_job(session, mine, job.id).cancel_requested
    assert session.get(SolveJob, job.id).cancel_requested


def test_publishing_checks_the_district_and_the_version(session, make, desk):
    d, mine, theirs = desk
    with pytest.raises(NothingToPublish):
        publish_week(session, mine, d.id, WEEK, None, now=NOW)
    draft = get_or_create_draft(session, d.id, WEEK, mine)
    with pytest.raises(AccessDenied):
        publish_week(session, theirs, d.id, WEEK, draft.lock_version, now=NOW)
    with pytest.raises(StaleDraft):
        publish_week(session, mine, d.id, WEEK, draft.lock_version + 1, now=NOW)
    assert publish_week(session, mine, d.id, WEEK, draft.lock_version, now=NOW).version == 1


def test_assignment_week_is_scoped(session, make, desk):
    d, mine, theirs = desk
    slot = make.slot(make.site(d))
    draft = get_or_create_draft(session, d.id, WEEK, mine)
    draft.assignments = [Assignment(slot_id=slot.id, person_id=make.person(d).id, line_index=0)]
    session.flush()
    assert assignment_week(session, mine, draft.assignments[0].id) == (d.id, WEEK)
    with pytest.raises(NotVisible):
        assignment_week(session, theirs, draft.assignments[0].id)


def test_suggestions_list_the_qualified_people_of_the_district(session, make, desk):
    d, mine, _ = desk
    village = make.site(d)
    slot = make.slot(village, start=utc(2026, 12, 1, 1), lines=(("lawyer", "notary"),))
    slot.lines[0].skills = ["family"]
    busy = make.slot(make.site(d), start=utc(2026, 12, 1, 2), hours=2)
    fits = make.person(d, name="甲", skills=("family",))
    make.person(d, name="乙", roles=("notary",), skills=("family", "land"))
    make.person(d, name="丙", skills=("family",))  # busy at the same time
    make.person(d, name="丁")  # lacks the skill
    make.person(d, name="戊", roles=("volunteer",), skills=("family",))  # lacks the role
    make.person(d, name="己", skills=("family",), active=False)
    make.person(make.district(), name="庚", skills=("family",))  # another district
    draft = get_or_create_draft(session, d.id, WEEK, mine)
    overlapping = session.scalar(select(Person).where(Person.name == "丙"))
    draft.assignments = [Assignment(slot_id=busy.id, person_id=overlapping.id, line_index=0)]
    session.flush()
    found = suggestions(session, mine, d.id, WEEK, slot.id, 0)
    assert sorted(s.person.name for s in found.feasible) == ["乙", "甲"]
    assert [(s.person.name, [r.rule for r in s.reasons]) for s in found.infeasible] == [("丙", [5])]
    assert found.lock_version == draft.lock_version and found.start.hour == 9
    # Someone already holding the place is not offered again.
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=fits.id, line_index=0))
    session.flush()
    found = suggestions(session, mine, d.id, WEEK, slot.id, 0)
    assert [p.name for p in found.holders] == ["甲"] and found.full
    assert "甲" not in {s.person.name for s in (*found.feasible, *found.infeasible)}


def test_suggestions_refuse_slots_outside_the_week(session, make, desk):
    d, mine, theirs = desk
    slot = make.slot(make.site(d))
    foreign = make.slot(make.site(make.district()))
    cancelled = make.slot(make.site(d), cancelled=True)
    for args in ((slot.id, 5), (foreign.id, 0), (cancelled.id, 0)):
        with pytest.raises(NotVisible):
            suggestions(session, mine, d.id, WEEK, *args)
    with pytest.raises(NotVisible):
        suggestions(session, mine, d.id, date(2026, 12, 7), slot.id, 0)
    with pytest.raises(AccessDenied):
        suggestions(session, theirs, d.id, WEEK, slot.id, 0)


@pytest.mark.parametrize("state, age", [("running", timedelta(minutes=6)), ("queued", timedelta(hours=2))])
def test_a_job_left_behind_by_a_dead_process_is_replaced(session, desk, state, age):
    d, mine, _ = desk
    job, _ = start_solve(session, mine, d.id, WEEK, time_limit=30, now=NOW)
    job.state = state
    job.created_at = job.started_at = NOW - age - timedelta(seconds=30)
    session.flush()
    fresh, new = start_solve(session, mine, d.id, WEEK, time_limit=30, now=NOW)
    assert new and fresh.id != job.id
    assert job.state == "failed" and "abandoned" in job.error


@pytest.mark.parametrize("state, age", [("running", timedelta(minutes=4)), ("queued", timedelta(minutes=50))])
def test_a_job_within_its_time_is_joined(session, desk, state, age):
    d, mine, _ = desk
    job, _ = start_solve(session, mine, d.id, WEEK, time_limit=30, now=NOW)
    job.state = state
    job.created_at = job.started_at = NOW - age - timedelta(seconds=30)
    session.flush()
    assert start_solve(session, mine, d.id, WEEK, time_limit=30, now=NOW) == (job, False)


def test_check_version_knows_a_page_without_a_draft_from_a_stale_one(session, desk):
    d, mine, _ = desk
    check_version(session, d.id, WEEK, None)
    with pytest.raises(StaleDraft):
        check_version(session, d.id, WEEK, 1)  # the page showed a draft that is gone
    draft = get_or_create_draft(session, d.id, WEEK, mine)
    check_version(session, d.id, WEEK, draft.lock_version)
    with pytest.raises(StaleDraft):
        check_version(session, d.id, WEEK, None)  # a draft appeared since the page was shown
    with pytest.raises(StaleDraft):
        check_version(session, d.id, WEEK, draft.lock_version + 1)


def test_publishing_without_the_version_of_an_existing_draft_is_stale(session, desk):
    d, mine, _ = desk
    get_or_create_draft(session, d.id, WEEK, mine)
    with pytest.raises(StaleDraft):
        publish_week(session, mine, d.id, WEEK, None, now=NOW)


def test_editing_a_published_assignment_starts_a_draft_copy(session, make, desk):
    d, mine, theirs = desk
    slot = make.slot(make.site(d))
    person = make.person(d)
    draft = get_or_create_draft(session, d.id, WEEK, mine)
    draft.assignments = [Assignment(slot_id=slot.id, person_id=person.id, line_index=0)]
    session.flush()
    version = publish_week(session, mine, d.id, WEEK, draft.lock_version, now=NOW)
    published_id = version.assignments[0].id
    with pytest.raises(NotVisible):
        editable_assignment(session, theirs, published_id)
    # While the draft exists, the published row is a stale page's.
    with pytest.raises(StaleDraft):
        editable_assignment(session, mine, published_id)
    session.delete(draft)
    session.flush()
    target = editable_assignment(session, mine, published_id)
    copy = session.get(Assignment, target)
    assert copy.schedule.state == "draft" and (copy.slot_id, copy.person_id) == (slot.id, person.id)
    assert editable_assignment(session, mine, target) == target


def test_a_job_whose_workers_lease_ran_out_is_lost_at_once_and_replaced(session, desk):
    """Well within its time limit (and the old five-minute grace), a running job whose lease
    ran out is no longer the week's live job, and Solve records it failed and starts anew;
    while its worker renews the lease it is joined."""
    from scheduler.jobs import leases

    d, mine, _ = desk
    job, _ = start_solve(session, mine, d.id, WEEK, time_limit=300, now=NOW)
    job.state, job.started_at, job.claimed_by = "running", NOW - timedelta(seconds=40), "dead-host:1:0"
    job.lease_until = NOW + timedelta(seconds=leases.LEASE_SECONDS - 1)
    session.flush()
    assert start_solve(session, mine, d.id, WEEK, time_limit=300, now=NOW) == (job, False)
    later = job.lease_until + leases.LOST_GRACE + timedelta(seconds=1)  # nobody renewed it
    assert later - job.started_at < timedelta(seconds=job.time_limit)
    assert live_job(session, mine, d.id, WEEK).id == job.id  # without a moment: as stored
    assert live_job(session, mine, d.id, WEEK, now=later) is None
    fresh, new = start_solve(session, mine, d.id, WEEK, time_limit=300, now=later)
    assert new and fresh.id != job.id
    assert job.state == "failed" and job.error.startswith(leases.WORKER_LOST) and job.finished_at == later
