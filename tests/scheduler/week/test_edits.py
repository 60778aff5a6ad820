"""Hand edits of the draft are checked against the hard rules and never lost silently."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from models import Assignment, AuditEntry, AvailabilityRule
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.week.drafts import StaleDraft, get_or_create_draft
from scheduler.week.edits import EditRefused, assign, set_locked, unassign

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # the Friday before, 10:00 in Ningbo


def utc(*a):
    return datetime(*a, tzinfo=UTC)


@pytest.fixture
def week(session, make):
    d = make.district()
    coordinator = make.user("coordinator", district_id=d.id)
    village = make.site(d)
    morning = make.slot(village, start=utc(2026, 12, 1, 1), lines=(("lawyer",), ("trainee_lawyer",)))
    return d, coordinator, village, morning


def test_a_valid_assignment_is_made_and_audited(session, make, week):
    d, coordinator, village, morning = week
    lawyer = make.person(d)
    a = assign(session, coordinator, d.id, WEEK, morning.id, lawyer.id, 0, now=NOW)
    assert (a.source, a.made_by_id, a.locked) == ("manual", coordinator.id, False)
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == str(a.id))) == "assign"


@pytest.mark.parametrize("case", ["role", "availability", "clash", "full"])
def test_an_edit_breaking_a_hard_rule_is_refused_with_the_rule(session, make, week, case):
    d, coordinator, village, morning = week
    lawyer = make.person(d)
    expected = {"role": 2, "availability": 4, "clash": 5, "full": 9}[case]
    if case == "role":
        lawyer = make.person(d, roles=("volunteer",))
    elif case == "availability":
        session.add(AvailabilityRule(person_id=lawyer.id, weekday=1, start_time=time(14), end_time=time(18)))
        session.flush()
    elif case == "clash":
        other = make.slot(make.site(d), start=utc(2026, 12, 1, 2))
        assign(session, coordinator, d.id, WEEK, other.id, lawyer.id, 0, now=NOW)
    elif case == "full":
        assign(session, coordinator, d.id, WEEK, morning.id, make.person(d).id, 0, now=NOW)
    with pytest.raises(EditRefused) as refused:
        assign(session, coordinator, d.id, WEEK, morning.id, lawyer.id, 0, now=NOW)
    assert [v[0] for v in refused.value.violations] == [expected]
    zh, en = refused.value.violations[0][1:3]
    assert zh and en


def test_taking_off_the_last_supervisor_of_a_trainee_is_refused(session, make, week):
    d, coordinator, village, morning = week
    lawyer, trainee = make.person(d), make.person(d, roles=("trainee_lawyer",))
    supervisor = assign(session, coordinator, d.id, WEEK, morning.id, lawyer.id, 0, now=NOW)
    assign(session, coordinator, d.id, WEEK, morning.id, trainee.id, 1, now=NOW)
    with pytest.raises(EditRefused) as refused:
        unassign(session, coordinator, supervisor.id, now=NOW)
    assert refused.value.violations[0][0] == 10


def test_lock_unlock_and_stale_versions(session, make, week):
    d, coordinator, village, morning = week
    a = assign(session, coordinator, d.id, WEEK, morning.id, make.person(d).id, 0, now=NOW)
    draft = get_or_create_draft(session, d.id, WEEK, coordinator)
    seen = draft.lock_version
    set_locked(session, coordinator, a.id, True, expected_lock_version=seen, now=NOW)
    assert session.get(Assignment, a.id).locked
    with pytest.raises(StaleDraft):  # a second coordinator still holding the old page
        set_locked(session, coordinator, a.id, False, expected_lock_version=seen, now=NOW)
    unassign(session, coordinator, a.id, expected_lock_version=draft.lock_version, now=NOW)
    assert session.get(Assignment, a.id) is None


def test_other_districts_are_out_of_reach(session, make, week):
    d, coordinator, village, morning = week
    other = make.district()
    stranger = make.user("coordinator", district_id=other.id)
    with pytest.raises(AccessDenied):
        assign(session, stranger, d.id, WEEK, morning.id, make.person(d).id, 0, now=NOW)
    a = assign(session, coordinator, d.id, WEEK, morning.id, make.person(d).id, 0, now=NOW)
    with pytest.raises(NotVisible):
        set_locked(session, stranger, a.id, True, now=NOW)
    provider = make.user("provider", person_id=make.person(d).id)
    with pytest.raises(AccessDenied):
        unassign(session, provider, a.id, now=NOW)
