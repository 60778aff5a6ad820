"""Swaps between providers: only qualified colleagues of the district, every hard rule checked
for both people (by the independent checker) when asked and again when applied, a new
published version when accepted (or when a coordinator approves), every step audited."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import Assignment, AuditEntry, Notification, Schedule, SwapRequest
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.core.versions import current_draft, latest_published
from scheduler.mine import self_service
from scheduler.swaps import lists as swap_lists
from scheduler.swaps import operations as swaps
from scheduler.week import drafts, edits
from scheduler.week.edits import EditRefused
from tests.factories import MONDAY

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def utc(day: int, hour: int) -> datetime:
    """`hour` UTC on the `day`th of December 2026 (the week of MONDAY, 30 November)."""
    return datetime(2026, 12, day, hour, tzinfo=UTC)


@pytest.fixture
def week(session, make):
    """A published week: Wang (asking) on a 3-hour Tuesday window shift, Li (the colleague)
    on a Wednesday one; Zhao is a notary, Sun a lawyer of another district."""
    d = make.district(name="甲区")
    window = make.site(d, kind="window", name="甲镇窗口")
    wang = make.person(d, name="王律师", email="wang@example.org")
    li = make.person(d, name="李律师", email="li@example.org")
    zhao = make.person(d, name="赵公证员", roles=("notary",))
    other = make.district(name="乙区")
    sun = make.person(other, name="孙律师")
    users = {name: make.user("provider", person_id=p.id, district_id=p.district_id)
             for name, p in (("wang", wang), ("li", li), ("zhao", zhao), ("sun", sun))}
    users["coord"] = make.user("coordinator", district_id=d.id, display_name="张协调")
    users["stranger"] = make.user("coordinator", district_id=other.id)
    tuesday = make.slot(window, kind="shift", start=utc(1, 1), hours=3)
    wednesday = make.slot(window, kind="shift", start=utc(2, 1), hours=3)
    draft = drafts.get_or_create_draft(session, d.id, MONDAY, None)
    draft.assignments += [Assignment(slot_id=tuesday.id, person_id=wang.id, line_index=0),
                          Assignment(slot_id=wednesday.id, person_id=li.id, line_index=0)]
    session.flush()
    drafts.publish(session, d.id, MONDAY, users["coord"], now=NOW)
    return dict(d=d, window=window, p_wang=wang, p_li=li, p_zhao=zhao, p_sun=sun, tuesday=tuesday,
                wednesday=wednesday, **users)


def published_pairs(session, d) -> set[tuple[int, int]]:
    version = latest_published(session, d.id, MONDAY)
    return {(a.slot_id, a.person_id) for a in version.assignments}


def actions(session, swap) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "swap_request", AuditEntry.object_id == str(swap.id)).order_by(AuditEntry.id)))


def test_the_offer_lists_only_qualified_colleagues_of_the_district_with_an_account(session, make, week):
    make.person(week["d"], name="周律师")  # no account: could not answer
    make.person(week["d"], name="吴律师", active=False)
    offer = swaps.offer(session, week["wang"], week["tuesday"].id, NOW)
    assert [c.person.name for c in offer.colleagues] == ["李律师"]
    (li,) = offer.colleagues
    assert (li.week_hours, li.busy, li.over_hours, li.fits) == (3.0, False, False, True)
    assert offer.hours == 3.0 and offer.open_swap is None


def test_accepting_publishes_a_new_version_with_the_colleague_and_audits_every_step(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, "家里有事", NOW)
    assert (swap.status, swap.reason) == ("requested", "家里有事")
    (incoming,), () = swap_lists.mine(session, week["li"], NOW)
    assert incoming.swap.id == swap.id and incoming.from_person.name == "王律师"
    swaps.accept(session, week["li"], swap.id, NOW)
    assert swap.status == "applied"
    version = latest_published(session, week["d"].id, MONDAY)
    assert version.version == 2 and version.published_by_id is None
    assert published_pairs(session, week["d"]) == {(week["tuesday"].id, week["p_li"].id),
                                                    (week["wednesday"].id, week["p_li"].id)}
    kept = session.scalar(select(Assignment).where(Assignment.schedule_id == current_draft(
        session, week["d"].id, MONDAY).id, Assignment.slot_id == week["tuesday"].id))
    assert (kept.person_id, kept.source, kept.locked) == (week["p_li"].id, "swap", True)
    assert actions(session, swap) == ["swap.request", "swap.accepted", "swap.approved", "swap.applied"]
    # Publishing told Wang why he is off the shift (the publish notices read the swap).
    mail = session.scalar(select(Notification).where(Notification.recipient == "wang@example.org"))
    assert "与同事调班（李律师）" in mail.body


def test_an_unqualified_colleague_is_refused(session, make, week):
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.ask(session, week["wang"], week["tuesday"].id, week["p_zhao"].id, None, NOW)
    assert refused.value.code == "unqualified" and refused.value.params["name"] == "赵公证员"
    # A skill the line needs counts too.
    week["tuesday"].lines[0].skills = ["family"]
    session.flush()
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    assert refused.value.code == "unqualified" and refused.value.params["skills"] == "family"
    assert session.scalar(select(SwapRequest)) is None


def test_a_colleague_of_another_district_is_refused(session, week):
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.ask(session, week["wang"], week["tuesday"].id, week["p_sun"].id, None, NOW)
    assert refused.value.code == "other_district"


def add_published(session, make, week, person, start, hours):
    slot = make.slot(make.site(week["d"], kind="window"), kind="shift", start=start, hours=hours)
    edits.assign(session, week["coord"], week["d"].id, MONDAY, slot.id, person.id, 0, now=NOW)
    drafts.publish(session, week["d"].id, MONDAY, week["coord"], now=NOW)
    return slot


def test_a_clash_is_refused_with_the_hard_rule(session, make, week):
    add_published(session, make, week, week["p_li"], utc(1, 2), 2)
    assert swaps.offer(session, week["wang"], week["tuesday"].id, NOW).colleagues[0].busy
    with pytest.raises(EditRefused) as refused:
        swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    assert [v[0] for v in refused.value.violations] == [5]


def test_the_hours_limit_is_refused_with_the_hard_rule(session, make, week):
    week["p_li"].max_hours_week = 5
    session.flush()
    assert swaps.offer(session, week["wang"], week["tuesday"].id, NOW).colleagues[0].over_hours
    with pytest.raises(EditRefused) as refused:
        swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    assert [v[0] for v in refused.value.violations] == [6]
    zh, en = refused.value.violations[0][1:3]
    assert (zh, en) == ("超出时数上限", "over the hours limit")


def test_rules_are_checked_again_on_acceptance(session, make, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    add_published(session, make, week, week["p_li"], utc(1, 3), 2)  # the week changed meanwhile
    with pytest.raises(EditRefused):
        swaps.accept(session, week["li"], swap.id, NOW)
    assert swap.status == "requested" and (week["tuesday"].id, week["p_wang"].id) in published_pairs(session, week["d"])


def test_withdrawing_before_acceptance(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    with pytest.raises(NotVisible):  # only the requester withdraws
        swaps.withdraw(session, week["li"], swap.id, NOW)
    swaps.withdraw(session, week["wang"], swap.id, NOW)
    assert swap.status == "withdrawn"
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.accept(session, week["li"], swap.id, NOW)
    assert refused.value.code == "not_open" and refused.value.params["status"] == "withdrawn"
    # The place can be offered again.
    assert swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW).status == "requested"


def test_no_withdrawing_after_acceptance(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    swaps.accept(session, week["li"], swap.id, NOW, approval="coordinator")
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.withdraw(session, week["wang"], swap.id, NOW)
    assert refused.value.code == "not_open"


def test_with_coordinator_approval_an_accepted_swap_waits_then_is_published(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    swaps.accept(session, week["li"], swap.id, NOW, approval="coordinator")
    assert swap.status == "accepted" and latest_published(session, week["d"].id, MONDAY).version == 1
    assert [r.swap.id for r in swap_lists.for_district(session, week["coord"], week["d"].id, NOW)] == [swap.id]
    with pytest.raises(NotVisible):
        swaps.approve(session, week["stranger"], swap.id, NOW)
    with pytest.raises(AccessDenied):
        swaps.approve(session, week["wang"], swap.id, NOW)
    swaps.approve(session, week["coord"], swap.id, NOW)
    version = latest_published(session, week["d"].id, MONDAY)
    assert swap.status == "applied" and (version.version, version.published_by_id) == (2, week["coord"].id)
    assert (week["tuesday"].id, week["p_li"].id) in published_pairs(session, week["d"])
    assert actions(session, swap)[-3:] == ["swap.accepted", "swap.approved", "swap.applied"]


def test_a_coordinator_rejects_with_a_reason(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    swaps.accept(session, week["li"], swap.id, NOW, approval="coordinator")
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.reject(session, week["coord"], swap.id, "  ", NOW)
    assert refused.value.code == "reason_required"
    swaps.reject(session, week["coord"], swap.id, "李律师本周已满", NOW)
    assert (swap.status, swap.decided_by_id) == ("rejected", week["coord"].id)
    (), (row,) = swap_lists.mine(session, week["wang"], NOW)
    assert row.answer == "李律师本周已满"
    with pytest.raises(swaps.SwapRefused):
        swaps.approve(session, week["coord"], swap.id, NOW)


def test_the_colleague_refuses(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    with pytest.raises(NotVisible):  # only the colleague asked answers
        swaps.refuse(session, week["zhao"], swap.id, None, NOW)
    swaps.refuse(session, week["li"], swap.id, "那天出差", NOW)
    assert swap.status == "rejected" and actions(session, swap) == ["swap.request", "swap.rejected"]
    assert published_pairs(session, week["d"]) == {(week["tuesday"].id, week["p_wang"].id),
                                                    (week["wednesday"].id, week["p_li"].id)}


def test_unpublished_work_in_the_draft_is_not_published_by_a_swap(session, make, week):
    extra = make.slot(make.site(week["d"]), start=utc(3, 1), hours=1)
    edits.assign(session, week["coord"], week["d"].id, MONDAY, extra.id, week["p_li"].id, 0, now=NOW)  # not published
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    swaps.accept(session, week["li"], swap.id, NOW)
    assert swap.status == "approved" and latest_published(session, week["d"].id, MONDAY).version == 1
    draft = current_draft(session, week["d"].id, MONDAY)
    assert set(session.execute(select(Assignment.slot_id, Assignment.person_id).where(
        Assignment.schedule_id == draft.id)).all()) >= {(week["tuesday"].id, week["p_li"].id),
                                                                      (extra.id, week["p_li"].id)}
    # The coordinator's next publish (a new request: nothing cached) carries it, and it is applied.
    session.flush()
    session.expire_all()
    drafts.publish(session, week["d"].id, MONDAY, week["coord"], now=NOW)
    assert swap.status == "applied"
    assert {(week["tuesday"].id, week["p_li"].id), (extra.id, week["p_li"].id)} <= published_pairs(session, week["d"])


@pytest.mark.parametrize("case, code", [
    ("foreign", "not_assigned"), ("started", "started"), ("twice", "already_asked"), ("declined", "declined"),
    ("self", "same_person"), ("long", "reason_too_long"),
])
def test_requests_that_cannot_be(session, make, week, case, code):
    slot, to, note, now = week["tuesday"].id, week["p_li"].id, None, NOW
    if case == "foreign":
        slot = week["wednesday"].id
    elif case == "started":
        now = week["tuesday"].start_at
    elif case == "twice":
        swaps.ask(session, week["wang"], slot, to, None, now)
    elif case == "declined":
        self_service.decline(session, week["wang"], slot, "开庭", now)
    elif case == "self":
        to = week["p_wang"].id
    else:
        note = "x" * 257
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.ask(session, week["wang"], slot, to, note, now)
    assert refused.value.code == code


def test_only_providers_ask_and_only_coordinators_of_the_district_see_the_list(session, week):
    with pytest.raises(AccessDenied):
        swaps.ask(session, week["coord"], week["tuesday"].id, week["p_li"].id, None, NOW)
    with pytest.raises(AccessDenied):
        swap_lists.for_district(session, week["stranger"], week["d"].id, NOW)
    with pytest.raises(AccessDenied):
        swap_lists.for_district(session, week["wang"], week["d"].id, NOW)


def test_the_approval_mode_is_checked(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    with pytest.raises(ValueError):
        swaps.accept(session, week["li"], swap.id, NOW, approval="sometimes")
    assert session.scalar(select(Schedule.id).where(Schedule.version == 2)) is None


def mails(session, to: str) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.recipient == to, Notification.kind == "swap")
                                .order_by(Notification.id)))


def test_each_step_is_told_by_mail_to_whom_it_concerns(session, week):
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, "家里有事", NOW)
    (request,) = mails(session, "li@example.org")
    assert request.subject.startswith("【调班请求】12月1日 09:00 / Swap request: 01 Dec 09:00")
    assert "王律师请您接替：" in request.body and "留言：家里有事" in request.body and "Swap" in request.body
    swaps.refuse(session, week["li"], swap.id, "那天出差", NOW)
    (answer,) = mails(session, "wang@example.org")
    assert "调班未成" in answer.body and "李律师的原因：那天出差" in answer.body
    # A coordinator's rejection reaches both; a withdrawal the colleague.
    second = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    swaps.accept(session, week["li"], second.id, NOW, approval="coordinator")
    assert "李律师已同意接替" in mails(session, "wang@example.org")[-1].body
    swaps.reject(session, week["coord"], second.id, "本周人手已定", NOW)
    assert "协调员的原因：本周人手已定" in mails(session, "wang@example.org")[-1].body
    assert "仍由王律师承担，您无需前往" in mails(session, "li@example.org")[-1].body
    third = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, None, NOW)
    swaps.withdraw(session, week["wang"], third.id, NOW)
    assert "王律师已撤回请您接替的请求" in mails(session, "li@example.org")[-1].body
    assert len(mails(session, "li@example.org")) == 5 and len(mails(session, "wang@example.org")) == 3
