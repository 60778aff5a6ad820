"""Availability kept by coordinators: the week grid read like the problem builder reads it,
changes through the provider's own functions, scope and audit."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import AuditEntry, AvailabilityException, AvailabilityRule
from scheduler.availability import desk
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.core.weeks import to_utc
from scheduler.mine.self_service import SelfServiceError

WEEK = date(2026, 11, 30)


@pytest.fixture
def ctx(make):
    a, b = make.district(), make.district()
    person = make.person(a, name="王律师", external_id="A-L1")
    return {"a": a, "person": person, "other": make.person(b),
            "coord": make.user("coordinator", district_id=a.id), "coord_b": make.user("coordinator", district_id=b.id),
            "city": make.user("coordinator", city_wide=True)}


def state(view, day: int, at: str) -> tuple[str, bool]:
    cell = view.cells[view.rows.index(time.fromisoformat(at))][day]
    return cell.state, cell.undesired


def test_add_rule_and_period_for_a_person_of_the_district_is_audited(session, ctx):
    rule = desk.add_rule(session, ctx["coord"], ctx["person"].id, 0, time(9), time(12), "available",
                         date(2026, 12, 1), None)
    assert (rule.person_id, rule.valid_from) == (ctx["person"].id, date(2026, 12, 1))
    start = to_utc(WEEK, time(14))
    period = desk.add_exception(session, ctx["city"], ctx["person"].id, start, start + timedelta(hours=2),
                                "unavailable", " 开庭 ")
    assert (period.source, period.note) == ("manual", "开庭")
    desk.delete_rule(session, ctx["coord"], ctx["person"].id, rule.id)
    desk.delete_exception(session, ctx["coord"], ctx["person"].id, period.id)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_id == "A-L1").order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["availability.rule_add", "availability.period_add",
                                           "availability.rule_remove", "availability.period_remove"]
    assert entries[0].details["start"] == "09:00:00" and entries[0].user_id == ctx["coord"].id


def test_other_districts_people_and_other_roles_are_refused(session, ctx, make):
    with pytest.raises(NotVisible):
        desk.add_rule(session, ctx["coord"], ctx["other"].id, 0, time(9), time(12), "available")
    with pytest.raises(NotVisible):
        desk.person_week(session, ctx["coord_b"], ctx["person"].id, WEEK)
    provider = make.user("provider", person_id=ctx["person"].id)
    with pytest.raises(AccessDenied):
        desk.person_week(session, provider, ctx["person"].id, WEEK)
    # A rule of someone else cannot be removed through this person's page.
    theirs = desk.add_rule(session, ctx["city"], ctx["other"].id, 0, time(9), time(12), "available")
    with pytest.raises(NotVisible):
        desk.delete_rule(session, ctx["coord"], ctx["person"].id, theirs.id)


@pytest.mark.parametrize("start, end, valid, code", [
    (time(12), time(12), (None, None), "time_order"),
    (time(9), time(12), (date(2026, 12, 2), date(2026, 12, 1)), "validity_order"),
])
def test_rule_problems_break_and_hold(session, ctx, start, end, valid, code):
    with pytest.raises(SelfServiceError) as caught:
        desk.add_rule(session, ctx["coord"], ctx["person"].id, 0, start, end, "available", *valid)
    assert caught.value.code == code
    # One minute more, or the same first and last day, is fine.
    fixed_end = (datetime.combine(WEEK, start) + timedelta(minutes=1)).time() if code == "time_order" else end
    fixed_valid = (valid[1], valid[1]) if code == "validity_order" else valid
    assert desk.add_rule(session, ctx["coord"], ctx["person"].id, 0, start, fixed_end, "available", *fixed_valid)


def test_periods_from_a_calendar_or_a_decline_cannot_be_removed(session, ctx):
    start = to_utc(WEEK, time(9))
    for source in ("calendar", "decline"):
        row = AvailabilityException(person_id=ctx["person"].id, kind="unavailable", start_at=start,
                                    end_at=start + timedelta(hours=1), source=source)
        session.add(row)
        session.flush()
        with pytest.raises(SelfServiceError) as caught:
            desk.delete_exception(session, ctx["coord"], ctx["person"].id, row.id)
        assert caught.value.code == f"from_{source}"


def test_grid_reads_rules_and_exceptions_like_the_solver(session, ctx):
    p = ctx["person"].id
    desk.add_rule(session, ctx["coord"], p, 0, time(9), time(12), "available")
    desk.add_rule(session, ctx["coord"], p, 0, time(11), time(12), "undesired")
    desk.add_rule(session, ctx["coord"], p, 2, time(9), time(12), "available", valid_from=date(2026, 12, 3))
    leave = to_utc(WEEK, time(10))
    desk.add_exception(session, ctx["coord"], p, leave, leave + timedelta(minutes=30), "unavailable", None)
    view = desk.person_week(session, ctx["coord"], p, WEEK)
    assert state(view, 0, "09:00") == ("available", False)
    assert state(view, 0, "10:00") == ("unavailable", False)
    assert state(view, 0, "11:30") == ("available", True)
    assert state(view, 0, "12:00") == ("outside", False)
    # Wednesday's rule starts next week, so this Wednesday is outside the available times.
    assert state(view, 2, "09:00") == ("outside", False)
    assert not view.always_available and len(view.week_rule_ids) == 2
    later = desk.person_week(session, ctx["coord"], p, WEEK + timedelta(days=7))
    assert state(later, 2, "09:00") == ("available", False)


def test_no_available_time_means_always_available(session, ctx):
    p = ctx["person"].id
    view = desk.person_week(session, ctx["coord"], p, WEEK)
    assert view.always_available and state(view, 4, "15:00") == ("available", False)
    desk.add_rule(session, ctx["coord"], p, 1, time(14), time(15), "undesired")
    view = desk.person_week(session, ctx["coord"], p, WEEK)
    assert view.always_available and state(view, 1, "14:30") == ("available", True)


def test_rows_widen_for_early_and_late_times_but_not_for_periods_over_midnight(session, ctx):
    p = ctx["person"].id
    assert (desk.person_week(session, ctx["coord"], p, WEEK).rows[0],
            desk.person_week(session, ctx["coord"], p, WEEK).rows[-1]) == (time(8), time(17, 30))
    night = datetime(2026, 12, 1, 22, tzinfo=UTC)  # 06:00 to 07:00 on Wednesday, local
    desk.add_exception(session, ctx["coord"], p, night, night + timedelta(hours=1), "unavailable", None)
    leave = to_utc(WEEK + timedelta(days=3), time())
    desk.add_exception(session, ctx["coord"], p, leave, leave + timedelta(days=2), "unavailable", None)
    desk.add_rule(session, ctx["coord"], p, 4, time(18), time(19, 15), "available")
    view = desk.person_week(session, ctx["coord"], p, WEEK)
    assert view.rows[0] == time(6) and view.rows[-1] == time(19)
    assert state(view, 2, "06:30") == ("unavailable", False)
    assert state(view, 3, "08:00") == ("unavailable", False)
    # A period that began before the week (Sunday 05:00) does not widen the grid either.
    earlier = to_utc(WEEK - timedelta(days=1), time(5))
    other = desk.person_week(session, ctx["coord"], p, WEEK)
    desk.add_exception(session, ctx["coord"], p, earlier, earlier + timedelta(hours=30), "unavailable", None)
    assert desk.person_week(session, ctx["coord"], p, WEEK).rows == other.rows


def test_holidays_and_make_up_days_are_marked(session, ctx):
    view = desk.person_week(session, ctx["coord"], ctx["person"].id, date(2026, 10, 5))
    assert view.days[0].holiday == "National Day (observed)" and view.days[0].works_as is None
    assert view.days[5].works_as == 2 and view.days[5].holiday is None
    assert [d.day for d in view.days] == [date(2026, 10, 5) + timedelta(days=i) for i in range(7)]


def test_coordinator_and_provider_share_the_same_rules(session, ctx, make):
    from scheduler.mine import self_service
    provider = make.user("provider", person_id=ctx["person"].id)
    own = self_service.add_rule(session, provider, 3, time(8), time(9), "available")
    view = desk.person_week(session, ctx["coord"], ctx["person"].id, WEEK)
    assert own in view.rules
    desk.delete_rule(session, ctx["coord"], ctx["person"].id, own.id)
    assert session.get(AvailabilityRule, own.id) is None
