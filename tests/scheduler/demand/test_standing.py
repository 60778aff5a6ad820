"""Window-shift templates and square events: every input problem at once, demand lines
replaced, deactivation and cancellation reaching the generated slots, access and audit."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import AuditEntry, ShiftTemplate, Slot
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.core.checking import LineInput, Refused
from scheduler.demand import standing
from scheduler.demand.generate import generate_week
from scheduler.demand.standing import EventInput, TemplateInput
from scheduler.week.problem import build_problem

MONDAY = date(2026, 12, 7)
LAWYER = LineInput(("lawyer",), 1, ())


@pytest.fixture
def ctx(make):
    a, b = make.district(), make.district()
    return {"a": a, "b": b, "coord": make.user("coordinator", district_id=a.id),
            "window": make.site(a, kind="window", name="甲窗口"), "square": make.site(a, kind="square", name="甲广场"),
            "village": make.site(a, name="甲村"), "window_b": make.site(b, kind="window")}


def template_input(ctx, **kw) -> TemplateInput:
    base = TemplateInput(site_id=ctx["window"].id, name="上午", weekday=0, start=time(9), end=time(12), priority=3,
                         lines=(LAWYER,))
    return replace(base, **kw)


def event_input(ctx, **kw) -> EventInput:
    start = datetime(2026, 12, 12, 1, tzinfo=UTC)
    base = EventInput(site_id=ctx["square"].id, title="宪法宣传日", start_at=start, end_at=start + timedelta(hours=3),
                      priority=4, lines=(LineInput(("lawyer",), 2, ()), LineInput(("volunteer", "legal_promoter"), 3)))
    return replace(base, **kw)


def problems(session, ctx, data) -> set[tuple[str, str]]:
    check = standing.check_template if isinstance(data, TemplateInput) else standing.check_event
    return {(p.field, p.code) for p in check(session, ctx["a"].id, data)}


def test_create_template_with_lines_and_audit(session, ctx):
    t = standing.create_template(session, ctx["coord"], ctx["a"].id, template_input(ctx, lines=(
        LineInput(("lawyer", "trainee_lawyer"), 2, ("family", "family")), LineInput(("notary",), 1))))
    assert [(ln.idx, ln.roles, ln.count, ln.skills) for ln in t.lines] == [
        (0, ["lawyer", "trainee_lawyer"], 2, ["family"]), (1, ["notary"], 1, [])]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "shift_template.create")).one()
    assert entry.details["start_time"] == "09:00:00" and entry.details["lines"][0]["count"] == 2


def test_template_problems_are_all_listed_at_once(session, ctx):
    bad = TemplateInput(site_id=None, name="", weekday=None, start=time(12), end=time(9), priority=7,
                        valid_from=date(2026, 12, 31), valid_to=date(2026, 12, 1),
                        lines=(LineInput((), 0, ("Bad Skill",)), LineInput(("wizard",), None)))
    assert problems(session, ctx, bad) == {
        ("site", "required"), ("name", "required"), ("weekday", "required"), ("end", "end_before_start"),
        ("priority", "priority_range"), ("valid_to", "validity_order"),
        ("lines-0-roles", "line_roles_required"), ("lines-0-count", "line_count_range"),
        ("lines-0-skills", "line_unknown_skills"), ("lines-1-roles", "unknown_roles"),
        ("lines-1-count", "line_count_required")}
    with pytest.raises(Refused) as caught:
        standing.create_template(session, ctx["coord"], ctx["a"].id, bad)
    assert len(caught.value.problems) == 11
    assert session.scalars(select(ShiftTemplate)).all() == []


@pytest.mark.parametrize("bad, good, expected", [
    (dict(end=time(9)), dict(end=time(9, 1)), ("end", "end_before_start")),
    (dict(priority=0), dict(priority=1), ("priority", "priority_range")),
    (dict(priority=6), dict(priority=5), ("priority", "priority_range")),
    (dict(lines=(LineInput(("lawyer",), 0),)), dict(lines=(LineInput(("lawyer",), 1),)),
     ("lines-0-count", "line_count_range")),
    (dict(lines=(LineInput(("lawyer",), 51),)), dict(lines=(LineInput(("lawyer",), 50),)),
     ("lines-0-count", "line_count_range")),
    (dict(lines=()), dict(lines=(LAWYER,)), ("lines", "lines_required")),
    (dict(lines=(LineInput((), 1),)), dict(lines=(LineInput(("mediator",), 1),)),
     ("lines-0-roles", "line_roles_required")),
    (dict(valid_from=date(2027, 1, 2), valid_to=date(2027, 1, 1)),
     dict(valid_from=date(2027, 1, 1), valid_to=date(2027, 1, 1)), ("valid_to", "validity_order")),
    (dict(name="x" * 65), dict(name="x" * 64), ("name", "too_long")),
    (dict(weekday=7), dict(weekday=6), ("weekday", "required")),
])
def test_each_template_rule_breaks_and_holds(session, ctx, bad, good, expected):
    assert problems(session, ctx, template_input(ctx, **bad)) == {expected}
    assert problems(session, ctx, template_input(ctx, **good)) == set()


def test_a_template_belongs_at_a_window_centre_or_station_of_the_district(session, ctx):
    assert problems(session, ctx, template_input(ctx, site_id=ctx["village"].id)) == {("site", "site_kind")}
    assert problems(session, ctx, template_input(ctx, site_id=ctx["window_b"].id)) == {("site", "site_foreign")}
    assert problems(session, ctx, template_input(ctx, site_id=999999)) == {("site", "site_foreign")}


def test_update_replaces_lines_and_audits_the_changes(session, ctx):
    t = standing.create_template(session, ctx["coord"], ctx["a"].id, template_input(ctx, lines=(
        LAWYER, LineInput(("notary",), 1))))
    standing.update_template(session, ctx["coord"], t.id, template_input(ctx, end=time(11, 30), lines=(
        LineInput(("notary",), 2),)))
    assert t.end_time == time(11, 30) and [(ln.roles, ln.count) for ln in t.lines] == [(["notary"], 2)]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "shift_template.update")).one()
    assert set(entry.details) == {"end_time", "lines"}
    standing.update_template(session, ctx["coord"], t.id, template_input(ctx, end=time(11, 30), lines=(
        LineInput(("notary",), 2),)))
    assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "shift_template.update")).all()) == 1


def test_deactivated_templates_generate_no_shifts(session, ctx):
    t = standing.create_template(session, ctx["coord"], ctx["a"].id, template_input(ctx))
    standing.set_template_active(session, ctx["coord"], t.id, False)
    assert generate_week(session, ctx["a"].id, MONDAY).created["shift"] == 0
    standing.set_template_active(session, ctx["coord"], t.id, True)
    assert generate_week(session, ctx["a"].id, MONDAY).created["shift"] == 1
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "shift_template")).all()
    assert actions == ["shift_template.create", "shift_template.deactivate", "shift_template.reactivate"]


def test_other_districts_templates_and_events_are_out_of_reach(session, ctx, make):
    coord_b = make.user("coordinator", district_id=ctx["b"].id)
    t = standing.create_template(session, ctx["coord"], ctx["a"].id, template_input(ctx))
    e = standing.create_event(session, ctx["coord"], ctx["a"].id, event_input(ctx))
    for call in (lambda: standing.get_template(session, coord_b, t.id),
                 lambda: standing.set_template_active(session, coord_b, t.id, False),
                 lambda: standing.update_event(session, coord_b, e.id, event_input(ctx)),
                 lambda: standing.cancel_event(session, coord_b, e.id, datetime(2026, 12, 1, tzinfo=UTC))):
        with pytest.raises(NotVisible):
            call()
    with pytest.raises(AccessDenied):
        standing.create_template(session, coord_b, ctx["a"].id, template_input(ctx))
    with pytest.raises(AccessDenied):
        standing.district_templates(session, coord_b, ctx["a"].id)


def test_event_problems_are_all_listed_at_once(session, ctx):
    start = datetime(2026, 12, 12, 1, tzinfo=UTC)
    bad = EventInput(site_id=ctx["window"].id, title=" ", start_at=start, end_at=start, priority=None,
                     lines=(LineInput(("lawyer",), 0),))
    assert problems(session, ctx, bad) == {("site", "site_kind"), ("title", "required"),
                                           ("end_at", "end_before_start"), ("priority", "required"),
                                           ("lines-0-count", "line_count_range")}
    assert problems(session, ctx, event_input(ctx, start_at=None, end_at=None)) == {
        ("start_at", "required"), ("end_at", "required")}
    assert problems(session, ctx, event_input(ctx)) == set()


def test_naive_event_times_are_a_programming_error(session, ctx):
    with pytest.raises(ValueError, match="timezone-aware"):
        standing.check_event(session, ctx["a"].id, event_input(ctx, start_at=datetime(2026, 12, 12, 9)))


def test_event_is_generated_and_cancelling_it_cancels_its_slots(session, ctx):
    e = standing.create_event(session, ctx["coord"], ctx["a"].id, event_input(ctx))
    assert generate_week(session, ctx["a"].id, MONDAY).created["event"] == 1
    slot = session.scalars(select(Slot).where(Slot.event_id == e.id)).one()
    assert [(ln.roles, ln.count) for ln in slot.lines] == [(["lawyer"], 2), (["volunteer", "legal_promoter"], 3)]
    before = datetime(2026, 12, 10, tzinfo=UTC)
    assert standing.cancel_event(session, ctx["coord"], e.id, before) == [slot]
    assert e.status == "cancelled" and slot.cancelled
    # The next solve of the week no longer sees the event's place.
    assert slot.external_id not in {s["id"] for s in build_problem(session, ctx["a"].id, MONDAY)["slots"]}
    with pytest.raises(Refused) as again:
        standing.cancel_event(session, ctx["coord"], e.id, before)
    assert [p.code for p in again.value.problems] == ["event_cancelled"]
    with pytest.raises(Refused) as edit:
        standing.update_event(session, ctx["coord"], e.id, event_input(ctx, title="改期"))
    assert [p.code for p in edit.value.problems] == ["event_cancelled"]


def test_an_event_that_is_over_cannot_be_cancelled(session, ctx):
    e = standing.create_event(session, ctx["coord"], ctx["a"].id, event_input(ctx))
    with pytest.raises(Refused) as over:
        standing.cancel_event(session, ctx["coord"], e.id, e.end_at)
    assert [p.code for p in over.value.problems] == ["event_over"]
    assert standing.cancel_event(session, ctx["coord"], e.id, e.end_at - timedelta(minutes=1)) == []


def test_update_event_replaces_its_lines(session, ctx):
    e = standing.create_event(session, ctx["coord"], ctx["a"].id, event_input(ctx))
    standing.update_event(session, ctx["coord"], e.id, event_input(ctx, lines=(LineInput(("mediator",), 2),),
                                                                    description="  "))
    assert [(ln.idx, ln.roles, ln.count) for ln in e.lines] == [(0, ["mediator"], 2)] and e.description is None
    events = standing.district_events(session, ctx["coord"], ctx["a"].id, datetime(2026, 12, 1, tzinfo=UTC))
    assert events == [e]
    assert standing.district_events(session, ctx["coord"], ctx["a"].id, e.end_at) == []


def test_people_published_for_a_cancelled_event_are_told_once(session, ctx, make):
    from models import Assignment, Notification
    from scheduler.week import drafts
    e = standing.create_event(session, ctx["coord"], ctx["a"].id, event_input(ctx))
    generate_week(session, ctx["a"].id, MONDAY)
    slot = session.scalars(select(Slot).where(Slot.event_id == e.id)).one()
    told = make.person(ctx["a"], name="王律师", email="wang@example.com")
    silent = make.person(ctx["a"], name="李律师", external_id="A-NOMAIL")
    draft = drafts.get_or_create_draft(session, ctx["a"].id, MONDAY, None)
    for i, person in enumerate((told, silent)):
        draft.assignments.append(Assignment(slot_id=slot.id, person_id=person.id, line_index=i))
    session.flush()
    drafts.publish(session, ctx["a"].id, MONDAY, None, now=datetime(2026, 12, 4, 2, tzinfo=UTC))
    standing.cancel_event(session, ctx["coord"], e.id, datetime(2026, 12, 10, tzinfo=UTC))
    sent = session.scalars(select(Notification).where(Notification.kind == "cancellation")).all()
    assert [n.recipient for n in sent] == ["wang@example.com"]
    assert "宪法宣传日" in sent[0].body and "cancelled" in sent[0].subject
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "event.cancel")).one()
    assert entry.details["queued"] == 1 and entry.details["unreachable"] == ["A-NOMAIL"]


def test_a_cancelled_event_that_was_never_published_tells_nobody(session, ctx):
    from models import Notification

    e = standing.create_event(session, ctx["coord"], ctx["a"].id, event_input(ctx))
    generate_week(session, ctx["a"].id, MONDAY)
    standing.cancel_event(session, ctx["coord"], e.id, datetime(2026, 12, 10, tzinfo=UTC))
    assert session.scalars(select(Notification)).all() == []
