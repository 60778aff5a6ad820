"""Keeping sites current: creating and editing sites (every problem at once), the village
visit rhythm, conflicts of interest, access and the audit log."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from sqlalchemy import select

from models import AuditEntry, Pairing, SiteExclusion
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.core.checking import Refused
from scheduler.demand.generate import generate_week
from scheduler.sites import admin as site_admin
from scheduler.sites.admin import SiteInput

TODAY = date(2026, 12, 3)  # a Thursday
GOOD = SiteInput(name="新村", lat=29.8, lon=121.5, address="新村村委会", phone="0574-88123456",
                 needs=("land",))
RHYTHM = dict(visit_every_weeks=2, visit_weekday=2, visit_start=time(9), visit_minutes=120)


@pytest.fixture
def ctx(make):
    a, b = make.district(), make.district()
    return {"a": a, "b": b, "coord": make.user("coordinator", district_id=a.id),
            "coord_b": make.user("coordinator", district_id=b.id), "town": make.township(a),
            "town_b": make.township(b), "village": make.site(a, name="甲村"), "window": make.site(a, kind="window")}


def codes(error: Refused) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in error.problems}


def refused(session, ctx, data: SiteInput, kind: str = "village") -> set[tuple[str, str]]:
    with pytest.raises(Refused) as caught:
        site_admin.create_site(session, ctx["coord"], ctx["a"].id, kind, "NEW-1", data, TODAY)
    return codes(caught.value)


def test_create_site_stores_it_with_the_district_zone_and_audits(session, ctx):
    site = site_admin.create_site(session, ctx["coord"], ctx["a"].id, "village", " NEW-1 ",
                                  replace(GOOD, township_id=ctx["town"].id, **RHYTHM), TODAY)
    assert (site.external_id, site.name, site.kind, site.timezone) == ("NEW-1", "新村", "village", "Asia/Shanghai")
    assert site.needs == ["land"] and site.township_id == ctx["town"].id
    # No anchor given: the rhythm counts from this week (its Monday).
    assert site.visit_anchor == date(2026, 11, 30)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "site.create"))
    assert entry.object_id == "NEW-1" and entry.details["visit_anchor"] == "2026-11-30"


def test_a_coordinator_creates_only_in_their_district(session, ctx):
    with pytest.raises(AccessDenied):
        site_admin.create_site(session, ctx["coord_b"], ctx["a"].id, "village", "NEW-2", GOOD, TODAY)


def test_every_problem_is_reported_at_once(session, ctx):
    bad = SiteInput(name=" ", lat=91, lon=-181, phone="call me", needs=("Land Law",), township_id=ctx["town_b"].id,
                    visit_every_weeks=60, visit_weekday=None, visit_start=time(9), visit_minutes=None)
    found = refused(session, ctx, bad)
    assert found == {("name", "required"), ("lat", "out_of_range"), ("lon", "out_of_range"), ("phone", "bad_phone"),
                     ("needs", "unknown_skills"), ("township", "foreign_township"),
                     ("visit_every_weeks", "out_of_range"), ("visit_weekday", "rhythm_incomplete"),
                     ("visit_minutes", "rhythm_incomplete")}


@pytest.mark.parametrize("field, bad, good", [
    ("lat", -90.01, -90), ("lat", 90.5, 90), ("lon", 180.1, 180), ("lon", -180.2, -180),
])
def test_coordinates_must_be_in_range(session, ctx, field, bad, good):
    assert (field, "out_of_range") in refused(session, ctx, replace(GOOD, **{field: bad}))
    site = site_admin.create_site(session, ctx["coord"], ctx["a"].id, "village", "NEW-1",
                                  replace(GOOD, **{field: good}), TODAY)
    assert getattr(site, field) == good


def test_missing_coordinates_are_required(session, ctx):
    assert {("lat", "required"), ("lon", "required")} <= refused(session, ctx, replace(GOOD, lat=None, lon=None))


def test_site_ids_are_unique_and_without_spaces(session, ctx):
    with pytest.raises(Refused) as taken:
        site_admin.create_site(session, ctx["coord"], ctx["a"].id, "village", ctx["village"].external_id, GOOD, TODAY)
    assert codes(taken.value) == {("external_id", "id_taken")}
    with pytest.raises(Refused) as spaces:
        site_admin.create_site(session, ctx["coord"], ctx["a"].id, "village", "NEW 1", GOOD, TODAY)
    assert codes(spaces.value) == {("external_id", "id_spaces")}
    with pytest.raises(Refused) as kind:
        site_admin.create_site(session, ctx["coord"], ctx["a"].id, "castle", "NEW-1", GOOD, TODAY)
    assert codes(kind.value) == {("kind", "required")}


def test_the_visit_rhythm_is_for_villages_only(session, ctx):
    assert refused(session, ctx, replace(GOOD, **RHYTHM), kind="window") == {("visit_every_weeks",
                                                                             "rhythm_only_villages")}
    window = site_admin.create_site(session, ctx["coord"], ctx["a"].id, "window", "NEW-W", GOOD, TODAY)
    assert window.visit_every_weeks is None and window.visit_anchor is None


def test_a_visit_must_end_by_midnight(session, ctx):
    late = replace(GOOD, **{**RHYTHM, "visit_start": time(23), "visit_minutes": 90})
    assert refused(session, ctx, late) == {("visit_minutes", "visit_past_midnight")}
    last = replace(GOOD, **{**RHYTHM, "visit_start": time(22, 30), "visit_minutes": 90})
    assert site_admin.create_site(session, ctx["coord"], ctx["a"].id, "village", "NEW-1", last, TODAY).visit_minutes == 90


def test_update_keeps_the_anchor_moves_it_to_monday_and_clears_it_with_the_rhythm(session, ctx):
    village = ctx["village"]
    site_admin.update_site(session, ctx["coord"], village.id,
                           replace(GOOD, **RHYTHM, visit_anchor=date(2026, 12, 10)), TODAY)
    assert village.visit_anchor == date(2026, 12, 7)
    site_admin.update_site(session, ctx["coord"], village.id, replace(GOOD, **RHYTHM), TODAY)
    assert village.visit_anchor == date(2026, 12, 7)
    site_admin.update_site(session, ctx["coord"], village.id, GOOD, TODAY)
    assert village.visit_every_weeks is None and village.visit_anchor is None


def test_update_audits_only_what_changed(session, ctx):
    village = ctx["village"]
    data = replace(site_admin.site_input_of(village), name="甲村（新）", phone="0574-1234567")
    site_admin.update_site(session, ctx["coord"], village.id, data, TODAY)
    site_admin.update_site(session, ctx["coord"], village.id, data, TODAY)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "site.update")).all()
    assert len(entries) == 1
    assert entries[0].details == {"name": ["甲村", "甲村（新）"], "phone": [None, "0574-1234567"]}


def test_another_districts_site_is_not_visible(session, ctx, make):
    other = make.site(ctx["b"])
    with pytest.raises(NotVisible):
        site_admin.update_site(session, ctx["coord"], other.id, GOOD, TODAY)
    with pytest.raises(NotVisible):
        site_admin.set_exclusion(session, ctx["coord"], other.id, "x", "y", TODAY)


def test_edited_rhythm_and_active_flag_drive_the_generated_visits(session, ctx):
    village = ctx["village"]
    monday = date(2026, 12, 7)
    site_admin.update_site(session, ctx["coord"], village.id,
                           replace(GOOD, **RHYTHM, visit_anchor=monday), TODAY)
    assert generate_week(session, ctx["a"].id, monday).created["visit"] == 1
    assert generate_week(session, ctx["a"].id, date(2026, 12, 14)).created["visit"] == 0  # every 2 weeks
    site_admin.update_site(session, ctx["coord"], village.id,
                           replace(GOOD, **RHYTHM, visit_anchor=monday, active=False), TODAY)
    assert generate_week(session, ctx["a"].id, date(2026, 12, 21)).created["visit"] == 0


def test_exclusion_by_id_or_unique_name_rewords_and_is_audited(session, ctx, make):
    person = make.person(ctx["a"], name="王律师", external_id="A-L1")
    saved = site_admin.set_exclusion(session, ctx["coord"], ctx["village"].id, "a-l1", "亲属在本村", TODAY)
    assert saved.created and not saved.current_adviser
    again = site_admin.set_exclusion(session, ctx["coord"], ctx["village"].id, "王律师", "代理本村诉讼", TODAY)
    assert not again.created and again.person is person
    rows = site_admin.exclusions(session, ctx["village"])
    assert [(row.reason, p.name) for row, p in rows] == [("代理本村诉讼", "王律师")]
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == ctx["village"].external_id)).all()
    assert actions == ["exclusion.set", "exclusion.set"]


def test_exclusion_input_problems_are_listed_together(session, ctx, make):
    make.person(ctx["a"], name="张律师", external_id="A-L2")
    make.person(ctx["a"], name="张律师", external_id="A-L3")
    make.person(ctx["b"], name="李律师", external_id="B-L1")
    site = ctx["village"].id
    for ref, reason, expected in [
        ("", "", {("person", "required"), ("reason", "required")}),
        ("张律师", "x" * 257, {("person", "person_ambiguous"), ("reason", "too_long")}),
        ("B-L1", "亲属", {("person", "person_not_found")}),  # another district's person
    ]:
        with pytest.raises(Refused) as caught:
            site_admin.set_exclusion(session, ctx["coord"], site, ref, reason, TODAY)
        assert codes(caught.value) == expected
    assert site_admin.exclusions(session, ctx["village"]) == []


def test_excluding_the_standing_adviser_is_flagged(session, ctx, make):
    person = make.person(ctx["a"], external_id="A-L4")
    session.add(Pairing(site_id=ctx["village"].id, person_id=person.id, valid_from=date(2026, 1, 1)))
    session.flush()
    assert site_admin.set_exclusion(session, ctx["coord"], ctx["village"].id, "A-L4", "亲属", TODAY).current_adviser


def test_remove_exclusion(session, ctx, make):
    person = make.person(ctx["a"], external_id="A-L5")
    site_admin.set_exclusion(session, ctx["coord"], ctx["village"].id, "A-L5", "亲属", TODAY)
    site_admin.remove_exclusion(session, ctx["coord"], ctx["village"].id, person.id)
    assert session.get(SiteExclusion, (person.id, ctx["village"].id)) is None
    with pytest.raises(NotVisible):
        site_admin.remove_exclusion(session, ctx["coord"], ctx["village"].id, person.id)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "exclusion.remove")).one()
    assert entry.details == {"person": "A-L5", "reason": "亲属"}
