"""The demo world: deterministic, realistic in its proportions, and consistent."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest

from scheduler.demo import build_world
from scheduler.demo.geography import LAT_MAX, LAT_MIN, LON_MAX, LON_MIN
from scheduler.demo.model import VisitRhythm, week_number
from solver.geo import km

WEEK = date(2026, 11, 30)
CJK = re.compile(r"^[\u4e00-\u9fff·]+$")


@pytest.fixture(scope="module")
def district():
    return build_world("district", 3, WEEK)


@pytest.fixture(scope="module")
def tiny():
    return build_world("tiny", 3, WEEK)


def test_same_seed_same_world_and_other_seed_another():
    assert build_world("tiny", 11, WEEK) == build_world("tiny", 11, WEEK)
    a, b = build_world("tiny", 11, WEEK), build_world("tiny", 12, WEEK)
    assert [p.name for p in a.people] != [p.name for p in b.people]
    assert [s.lat for s in a.sites] != [s.lat for s in b.sites]


def test_the_week_changes_only_dated_things():
    a = build_world("tiny", 5, WEEK)
    b = build_world("tiny", 5, WEEK + timedelta(weeks=1))
    assert a.sites == b.sites and a.pairings == b.pairings and a.organisations == b.organisations
    assert [replace(p, exceptions=()) for p in a.people] == [replace(p, exceptions=()) for p in b.people]
    assert a.requests != b.requests


@pytest.mark.parametrize("size, week", [("town", WEEK), ("tiny", WEEK + timedelta(days=1)),
                                        ("tiny", "2026-11-30")])
def test_bad_arguments_are_refused(size, week):
    with pytest.raises(ValueError):
        build_world(size, 1, week)


def test_district_counts(district):
    assert [d.name for d in district.districts] == ["鄞州区"]
    assert 18 <= len(district.townships) <= 24
    assert sum(s.kind == "village" for s in district.sites) == 300
    assert len(district.people) == 3200


def test_tiny_counts(tiny):
    assert len(tiny.townships) == 3
    assert 15 <= sum(s.kind == "village" for s in tiny.sites) <= 30
    assert len(tiny.people) == 40


def test_role_proportions_follow_the_source_figures(district):
    roles = Counter(p.roles[0] for p in district.people)
    n = len(district.people)
    assert 0.13 <= roles["lawyer"] / n <= 0.17
    assert roles.most_common(1)[0][0] == "mediator"
    # 18,895 mediators : 5,000 publicity volunteers : 1,860 legal promoters city-wide
    assert roles["mediator"] / roles["volunteer"] == pytest.approx(18895 / 5000, rel=0.1)
    assert roles["volunteer"] / roles["legal_promoter"] == pytest.approx(5000 / 1860, rel=0.1)
    for few in ("trainee_lawyer", "notary", "forensic_expert"):
        assert 0 < roles[few] < roles["lawyer"] / 5


def test_every_village_has_exactly_one_lawyer_holding_its_needs(district):
    people = {p.external_id: p for p in district.people}
    villages = {s.external_id: s for s in district.sites if s.kind == "village"}
    paired = Counter(pr.site for pr in district.pairings)
    assert set(paired) == set(villages) and set(paired.values()) == {1}
    assert any(v.needs for v in villages.values())
    for pr in district.pairings:
        lawyer = people[pr.person]
        assert "lawyer" in lawyer.roles
        assert set(villages[pr.site].needs) <= set(lawyer.skills)
    held = Counter(pr.person for pr in district.pairings)
    for pid, n in held.items():
        assert n <= people[pid].max_paired_sites <= 3


def test_pairs_are_local(district):
    people = {p.external_id: p for p in district.people}
    sites = {s.external_id: s for s in district.sites}
    dist = sorted(km(people[pr.person].lat, people[pr.person].lon, sites[pr.site].lat,
                     sites[pr.site].lon) for pr in district.pairings)
    assert dist[len(dist) // 2] < 2.0  # half the advisers live or work next door
    assert sum(d > 15 for d in dist) < len(dist) * 0.05


def test_visit_rhythms_mostly_fit_the_advisers_week(district):
    people = {p.external_id: p for p in district.people}
    sites = {s.external_id: s for s in district.sites}
    fits = 0
    for pr in district.pairings:
        r = sites[pr.site].rhythm
        assert r.every_weeks in (2, 4) and 0 <= r.phase < r.every_weeks
        assert r.weekday in range(5) and r.half_day in ("am", "pm")
        start = r.start.hour * 60
        fits += any(a.weekday == r.weekday and a.start.hour * 60 + a.start.minute <= start
                    and start + r.duration_minutes <= a.end.hour * 60 + a.end.minute
                    for a in people[pr.person].available)
    assert fits >= 0.85 * len(district.pairings)


def test_rhythm_is_due_every_n_weeks():
    r = VisitRhythm(every_weeks=4, weekday=1, half_day="pm", duration_minutes=120,
                    phase=week_number(WEEK) % 4)
    due = [r.is_due(WEEK + timedelta(weeks=k)) for k in range(8)]
    assert due == [True, False, False, False, True, False, False, False]


def test_coordinates_lie_in_ningbo(district, tiny):
    for world in (district, tiny):
        for thing in (*world.districts, *world.townships, *world.sites, *world.people):
            assert LAT_MIN <= thing.lat <= LAT_MAX and LON_MIN <= thing.lon <= LON_MAX, thing


def test_names_are_chinese(district):
    for p in district.people:
        assert CJK.match(p.name) and 2 <= len(p.name) <= 4, p.name
    for thing in (*district.townships, *district.sites, *district.organisations):
        assert CJK.match(thing.name), thing.name
    surnames = Counter(p.name[0] for p in district.people)
    assert surnames.most_common(1)[0][0] in "陈王张李"
    assert len(surnames) > 40


def test_contacts_are_plausible_and_unique(district):
    phones = [p.phone for p in district.people]
    assert all(re.fullmatch(r"1[3-9]\d{9}", ph) for ph in phones)
    assert len(set(phones)) == len(phones)
    emails = [p.email for p in district.people]
    assert len(set(emails)) == len(emails) and all(e.endswith("@example.org") for e in emails)


def test_people_belong_to_fitting_organisations(district):
    kinds = {o.external_id: o.kind for o in district.organisations}
    expected = {"lawyer": {"law_firm", "legal_aid_centre"}, "trainee_lawyer": {"law_firm"},
                "notary": {"notary_office"}, "grassroots_worker": {"judicial_office"},
                "mediator": {"mediation_committee"}, "volunteer": {"volunteer_team"},
                "legal_promoter": {"volunteer_team"}}
    for p in district.people:
        if p.roles[0] in expected:
            assert kinds[p.organisation] in expected[p.roles[0]], p


def test_weekly_patterns_differ_by_role(district):
    def off_hours_share(role):
        rules = [r for p in district.people if p.roles[0] == role for r in p.available]
        return sum(r.weekday >= 5 or r.start.hour >= 18 for r in rules) / len(rules)

    assert off_hours_share("volunteer") > 0.8
    assert off_hours_share("lawyer") < 0.15
    assert off_hours_share("grassroots_worker") < 0.05
    for p in district.people:
        assert p.available and all(r.start < r.end for r in p.available)
        for e in p.exceptions:
            assert WEEK <= e.day < WEEK + timedelta(weeks=4)
            assert e.kind in ("unavailable", "undesired") and e.note


def test_every_township_has_a_window_and_the_centre_its_windows(district):
    windows = Counter(s.township for s in district.sites if s.kind == "window")
    assert all(windows[t.code] == 1 for t in district.townships)
    centre = [s.name for s in district.sites if s.township is None and s.kind == "window"]
    assert any("法律援助" in n for n in centre) and any("公证" in n for n in centre)
    assert any("人民调解" in n for n in centre) and any("值班律师" in n for n in centre)
    template_sites = {t.site for t in district.shift_templates}
    assert all(s.external_id in template_sites for s in district.sites if s.kind == "window")


def test_square_events_need_supervised_trainees(district):
    assert district.events
    squares = {s.external_id for s in district.sites if s.kind == "square"}
    for e in district.events:
        assert e.site in squares and e.day.weekday() >= 5
        roles = [line.roles for line in e.demand]
        assert ("trainee_lawyer",) in roles and ("lawyer",) in roles


def test_requests_offer_two_to_four_windows_in_their_week(district):
    villages = {s.external_id for s in district.sites if s.kind == "village"}
    assert 4 <= sum(r.windows[0].day < WEEK + timedelta(weeks=1) for r in district.requests) <= 15
    for r in district.requests:
        assert r.site in villages and CJK.match(r.topic)
        assert r.kind in ("consultation", "legal_opinion", "mediation")
        assert r.urgency in ("normal", "urgent") and r.channel in ("web", "phone", "in_person")
        assert r.people_count >= 1 and r.received < r.windows[0].day
        assert 2 <= len(r.windows) <= 4 and len(set(r.windows)) == len(r.windows)
        assert len({week_number(w.day) for w in r.windows}) == 1


@pytest.mark.slow
def test_city_is_ningbo_and_its_yinzhou_is_the_district_world(district):
    city = build_world("city", 3, WEEK)
    assert len(city.districts) == 10
    assert {d.name for d in city.districts} >= {"海曙区", "鄞州区", "余姚市", "宁海县", "象山县"}
    assert 140 <= len(city.townships) <= 160
    assert sum(s.kind == "village" for s in city.sites) == 3000
    assert len(city.people) == 25000
    assert len({s.external_id for s in city.sites}) == len(city.sites)
    assert len({p.external_id for p in city.people}) == len(city.people)
    yz = [s for s in city.sites if s.district == "330212"]
    assert yz == list(district.sites)
    assert [(p.external_id, p.name, p.roles) for p in city.people if p.district == "330212"] == \
        [(p.external_id, p.name, p.roles) for p in district.people]
