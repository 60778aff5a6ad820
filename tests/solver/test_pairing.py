"""The standing village-adviser pairing: hard rules, objective, optimality, reasons."""
from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.geo import km
from solver.pairing import pair
from solver.problem import Pair, Problem
from tests.solver.factories import person, problem, site

# ------------------------------------------------------------------ independent judges


def spec_capacity(q) -> int:
    return len(q.paired_sites) if q.max_paired_sites is None else q.max_paired_sites


def spec_eligible(p: Problem, s, q) -> bool:
    return (p.rules.supervisor_role in q.roles and set(s.needs) <= q.skills
            and s.id not in q.excluded_sites)


def spec_objective(p: Problem, pairs) -> float:
    """The spec's pairing objective, written from the spec text alone."""
    w, sites, people = p.weights, {s.id: s for s in p.sites}, {q.id: q for q in p.people}
    chosen = {(x.site, x.person) for x in pairs}
    total = sum(km(sites[s].lat, sites[s].lon, people[q].lat, people[q].lon) * w.km
                for s, q in chosen)
    total += w.change * sum(1 for q in p.people for s in q.paired_sites
                            if (s, q.id) not in chosen)
    paired = {s for s, _ in chosen}
    total += w.unfilled * sum(1 for s in p.sites if s.kind == "village" and s.id not in paired)
    return total


def violations(p: Problem, pairs, fixed=()) -> list[str]:
    """Every hard rule of the spec's standing pairing that `pairs` breaks."""
    sites, people = {s.id: s for s in p.sites}, {q.id: q for q in p.people}
    out = []
    per_site: dict[str, int] = {}
    per_person: dict[str, int] = {}
    for x in pairs:
        s, q = sites.get(x.site), people.get(x.person)
        if s is None or q is None or s.kind != "village":
            out.append(f"bad pair {x}")
            continue
        if not spec_eligible(p, s, q):
            out.append(f"{x.person} is not eligible for {x.site}")
        per_site[x.site] = per_site.get(x.site, 0) + 1
        per_person[x.person] = per_person.get(x.person, 0) + 1
    out += [f"{s} has {n} advisers" for s, n in per_site.items() if n > 1]
    out += [f"{q} holds {n} villages" for q, n in per_person.items()
            if n > spec_capacity(people[q])]
    for s in p.sites:
        if s.kind == "village" and s.id not in per_site:
            room = [q.id for q in p.people if spec_eligible(p, s, q)
                    and per_person.get(q.id, 0) < spec_capacity(q)]
            if room:
                out.append(f"{s.id} is unpaired while {room} have room")
    out += [f"fixed {x} missing" for x in fixed if x not in set(pairs)]
    return out


def brute_force(p: Problem, fixed=()) -> float:
    """The least objective over every pairing that obeys the hard rules."""
    villages = [s for s in p.sites if s.kind == "village"]
    fixed_site = {x.site: x.person for x in fixed}
    options = [[fixed_site[s.id]] if s.id in fixed_site else
               [None] + [q.id for q in p.people if spec_eligible(p, s, q)] for s in villages]
    best = math.inf
    for choice in itertools.product(*options):
        pairs = [Pair(s.id, q) for s, q in zip(villages, choice) if q is not None]
        if not violations(p, pairs, fixed):
            best = min(best, spec_objective(p, pairs))
    return best


def assert_sound(p: Problem, result, fixed=()) -> None:
    assert result.status == "optimal"
    assert violations(p, result.pairs, fixed) == []
    assert result.objective == pytest.approx(spec_objective(p, result.pairs), abs=1e-9)
    paired = {x.site for x in result.pairs}
    assert [u.site for u in result.unpaired_sites] == sorted(
        s.id for s in p.sites if s.kind == "village" and s.id not in paired)
    assert list(result.pairs) == sorted(result.pairs, key=lambda x: (x.site, x.person))


# ------------------------------------------------------------------ optimality

@st.composite
def small_problems(draw):
    nv, npeople = draw(st.integers(0, 5)), draw(st.integers(0, 4))
    coord = st.floats(-40, 40, allow_nan=False).map(lambda f: round(f, 2))
    skill_sets = st.sets(st.sampled_from(["land", "family"]), max_size=2)
    ids = [f"V{i}" for i in range(nv)]
    sites = [site(v, draw(coord), draw(coord),
                  needs=sorted(draw(skill_sets)) if draw(st.booleans()) else ())
             for v in ids]
    sites.append(site("W", draw(coord), draw(coord), kind="window"))
    known = ids + ["W", "GONE"]
    people = [person(f"L{i}", roles=draw(st.sampled_from([("lawyer",)] * 4 + [("mediator",)])),
                     skills=draw(skill_sets), x=draw(coord), y=draw(coord),
                     paired_sites=draw(st.sets(st.sampled_from(known), max_size=3)),
                     excluded_sites=draw(st.sets(st.sampled_from(known), max_size=2)),
                     max_paired_sites=draw(st.none() | st.integers(0, 3)))
              for i in range(npeople)]
    weights = dict(km=draw(st.sampled_from([0.0, 1.0, 7.5, 40.0])),
                   change=draw(st.sampled_from([0.0, 3.0, 100.0])),
                   unfilled=draw(st.sampled_from([0.0, 20.0, 1000.0])))
    return problem(sites=sites, people=people, **weights)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_pairing_is_optimal_against_brute_force(p):
    result = pair(p)
    assert_sound(p, result)
    assert result.objective == pytest.approx(brute_force(p), abs=1e-4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.data())
def test_fixed_pairs_are_kept_and_optimal_around_them(p, data):
    eligible = [Pair(s.id, q.id) for s in p.sites for q in p.people
                if s.kind == "village" and spec_eligible(p, s, q)]
    fixed = tuple(data.draw(st.lists(st.sampled_from(eligible), max_size=2, unique_by=lambda x: x.site))
                  if eligible else [])
    result = pair(p, fixed=fixed)
    over = any(sum(x.person == q.id for x in fixed) > spec_capacity(q) for q in p.people)
    if over:
        assert result.status == "infeasible"
        return
    assert_sound(p, result, fixed)
    assert result.objective == pytest.approx(brute_force(p, fixed), abs=1e-4)


# ------------------------------------------------------------------ hard rules, one by one

def pairs_of(result) -> dict[str, str]:
    return {x.site: x.person for x in result.pairs}


def test_only_holders_of_the_supervisor_role_are_paired():
    near_mediator = person("M", roles=["mediator"], x=0.1, max_paired_sites=1)
    far_lawyer = person("L", x=10, max_paired_sites=1)
    p = problem(sites=[site("V1")], people=[near_mediator, far_lawyer])
    assert pairs_of(pair(p)) == {"V1": "L"}
    from solver.problem import Rules
    p = Problem(**{**{f: getattr(p, f) for f in p.__slots__}, "rules": Rules(supervisor_role="mediator")})
    assert pairs_of(pair(p)) == {"V1": "M"}


@pytest.mark.parametrize("near_skills, expected", [((), "FAR"), (("land", "x"), "NEAR")])
def test_an_adviser_holds_every_needed_skill(near_skills, expected):
    p = problem(sites=[site("V1", needs=["land"])],
                people=[person("NEAR", skills=near_skills, x=1, max_paired_sites=1),
                        person("FAR", skills=["land"], x=20, max_paired_sites=1)])
    assert pairs_of(pair(p)) == {"V1": expected}


@pytest.mark.parametrize("excluded, expected", [(["V1"], "FAR"), (["V2"], "NEAR")])
def test_no_one_is_paired_with_a_village_they_are_excluded_from(excluded, expected):
    p = problem(sites=[site("V1")],
                people=[person("NEAR", x=1, excluded_sites=excluded, max_paired_sites=1),
                        person("FAR", x=20, max_paired_sites=1)])
    assert pairs_of(pair(p)) == {"V1": expected}


@pytest.mark.parametrize("limit, far_gets", [(1, 1), (2, 0)])
def test_max_paired_sites_limits_a_person(limit, far_gets):
    p = problem(sites=[site("V1", 0), site("V2", 1)],
                people=[person("NEAR", x=0.5, max_paired_sites=limit),
                        person("FAR", x=30, max_paired_sites=2)])
    assert list(pairs_of(pair(p)).values()).count("FAR") == far_gets


@pytest.mark.parametrize("current, far_gets", [(["V1"], 1), (["V1", "V2"], 0)])
def test_without_max_the_limit_is_the_current_count(current, far_gets):
    p = problem(sites=[site("V1", 0), site("V2", 1)],
                people=[person("NEAR", x=0.5, paired_sites=current),
                        person("FAR", x=30, max_paired_sites=2)])
    assert list(pairs_of(pair(p)).values()).count("FAR") == far_gets


def test_a_village_stays_unpaired_only_when_everyone_eligible_is_full():
    p = problem(sites=[site("V1", 0), site("V2", 1)],
                people=[person("L1", x=0.2, max_paired_sites=1)])
    result = pair(p)
    assert pairs_of(result) == {"V1": "L1"}
    (left,) = result.unpaired_sites
    assert left.site == "V2"
    assert [(r.code, dict(r.params)["count"]) for r in left.reasons] == [("all_at_limit", "1")]


def test_a_village_is_paired_even_when_leaving_it_would_cost_less():
    p = problem(sites=[site("V1")], people=[person("L1", x=50, max_paired_sites=1)],
                unfilled=1.0, change=0.0)
    result = pair(p)
    assert result.status == "optimal"
    assert pairs_of(result) == {"V1": "L1"}
    assert result.objective == pytest.approx(50.0, rel=1e-3)
    assert dict(result.stats)["lower_bound"] == pytest.approx(1.0)


def test_too_large_for_cp_sat_still_obeys_the_rules_but_is_not_called_optimal(monkeypatch):
    from solver.pairing import exact
    monkeypatch.setattr(exact, "MAX_EXACT_ARCS", 0)
    p = problem(sites=[site("V1"), site("V2", 1)],
                people=[person("L1", x=50, max_paired_sites=1),
                        person("L2", x=60, max_paired_sites=1)], unfilled=1.0, change=0.0)
    result = pair(p)
    assert result.status == "feasible"
    assert "greedy" in dict(result.stats)["method"]
    assert violations(p, result.pairs) == [] and len(result.pairs) == 2


def test_huge_weights_scale_the_integer_costs_down_and_stay_optimal():
    p = problem(sites=[site("V1"), site("V2", 3), site("V3", 9)],
                people=[person("L1", x=1, max_paired_sites=2), person("L2", x=8, max_paired_sites=1)],
                unfilled=1e13, change=1e12, km=3.0)
    result = pair(p)
    assert dict(result.stats)["cost_scale"] < 10**6
    assert_sound(p, result)
    assert result.objective == pytest.approx(brute_force(p), rel=1e-12)


def test_only_villages_are_paired():
    p = problem(sites=[site("W", kind="window"), site("C", kind="centre"), site("V1", 5)],
                people=[person("L1", max_paired_sites=3)])
    result = pair(p)
    assert pairs_of(result) == {"V1": "L1"}
    assert result.unpaired_sites == ()


# ------------------------------------------------------------------ objective

@pytest.mark.parametrize("change, kept", [(100.0, "CUR"), (0.0, "NEW")])
def test_keeping_a_current_pair_saves_the_change_cost(change, kept):
    p = problem(sites=[site("V1")],
                people=[person("CUR", x=5, paired_sites=["V1"]),
                        person("NEW", x=1, max_paired_sites=1)], change=change)
    result = pair(p)
    assert pairs_of(result) == {"V1": kept}
    assert result.objective == pytest.approx(spec_objective(p, result.pairs))


def test_every_current_pair_not_kept_costs_change_even_to_unknown_sites():
    p = problem(sites=[site("V1"), site("W", kind="window")],
                people=[person("L1", x=3, paired_sites=["V1", "W", "GONE"])],
                change=100.0, km=2.0)
    result = pair(p)
    assert pairs_of(result) == {"V1": "L1"}
    assert result.objective == pytest.approx(3 * 2.0 + 2 * 100.0, rel=1e-6)


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        pair(problem(sites=[site("V1")], people=[person("L1")], km=-1.0))


# ------------------------------------------------------------------ reasons

def reason_codes(result) -> dict[str, list[str]]:
    return {u.site: [r.code for r in u.reasons] for u in result.unpaired_sites}


def test_reasons_name_the_step_that_left_no_one():
    p = problem(sites=[site("V1", needs=["land"]), site("V2", needs=["family"]), site("V3"),
                       site("V4", 2)],
                people=[person("L1", skills=["family"], excluded_sites=["V2", "V3"],
                               max_paired_sites=1)])
    result = pair(p)
    assert pairs_of(result) == {"V4": "L1"}
    assert reason_codes(result) == {"V1": ["missing_skills"], "V2": ["all_excluded"],
                                    "V3": ["all_excluded"]}
    v1 = result.unpaired_sites[0].reasons[0]
    assert dict(v1.params)["skills"] == "land" and "land" in v1.zh and "land" in v1.en


def test_reasons_count_the_people_at_their_limit_and_the_excluded():
    p = problem(sites=[site("V1"), site("V2", 1), site("V3", 2)],
                people=[person("L1", max_paired_sites=1), person("L2", max_paired_sites=1),
                        person("L3", excluded_sites=["V1", "V2", "V3"], max_paired_sites=3)])
    result = pair(p)
    (left,) = result.unpaired_sites
    assert [(r.code, dict(r.params)["count"]) for r in left.reasons] == [
        ("all_at_limit", "2"), ("some_excluded", "1")]


def test_reason_when_no_one_holds_the_role():
    p = problem(sites=[site("V1")], people=[person("M", roles=["mediator"])])
    assert reason_codes(pair(p)) == {"V1": ["no_role"]}


# ------------------------------------------------------------------ fixed pairs

def test_a_fixed_pair_is_kept_and_uses_up_room():
    p = problem(sites=[site("V1", 0), site("V2", 1)],
                people=[person("NEAR", x=0.5, max_paired_sites=1),
                        person("FAR", x=30, max_paired_sites=1)])
    result = pair(p, fixed=(Pair("V1", "FAR"), Pair("V1", "FAR")))
    assert pairs_of(result) == {"V1": "FAR", "V2": "NEAR"}
    assert result.objective == pytest.approx(spec_objective(p, result.pairs))


def test_fixed_pairs_that_break_hard_rules_make_it_infeasible_and_are_all_named():
    p = problem(sites=[site("V1", needs=["land"]), site("V2"), site("W", kind="window")],
                people=[person("L1", max_paired_sites=1, excluded_sites=["V2"]),
                        person("M", roles=["mediator"], skills=["land"], max_paired_sites=2)])
    fixed = (Pair("V1", "L1"), Pair("V2", "L1"), Pair("W", "M"), Pair("NOPE", "GHOST"),
             Pair("V1", "M"))
    result = pair(p, fixed=fixed)
    assert result.status == "infeasible" and result.pairs == ()
    codes = sorted(r.code for r in result.conflicts)
    assert codes == sorted(["fixed_missing_skills", "fixed_excluded", "fixed_not_village",
                            "fixed_no_role", "fixed_unknown_site", "fixed_unknown_person",
                            "fixed_no_role", "fixed_site_twice", "fixed_over_limit"])
    assert all(r.zh and r.en for r in result.conflicts)


def test_valid_fixed_pairs_are_not_conflicts():
    p = problem(sites=[site("V1", needs=["land"])],
                people=[person("L1", skills=["land"], max_paired_sites=1)])
    result = pair(p, fixed=(Pair("V1", "L1"),))
    assert result.status == "optimal" and result.conflicts == ()

