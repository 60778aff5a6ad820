"""Re-pairing a district: propose, compare, fix by hand, approve all or nothing, history."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import Pairing, PairingProposal
from scheduler.advisers import pairings
from scheduler.advisers.pairings import ProposalError, approve, compare, history, propose

TODAY = date(2026, 12, 1)
START = date(2027, 1, 1)
NOW = datetime(2026, 12, 20, 2, tzinfo=UTC)  # when the coordinator approves


@pytest.fixture
def district(session, make):
    """Two villages 145 km apart; lawyer A lives next to village 1 but holds village 2, B the
    reverse: swapping saves 290 km for two changes (200), so the optimum swaps."""
    d = make.district()
    v1 = make.site(d, lat=29.80, lon=121.00)
    v2 = make.site(d, lat=29.80, lon=122.50)
    a = make.person(d, lat=29.80, lon=121.00, max_paired_sites=1)
    b = make.person(d, lat=29.80, lon=122.50, max_paired_sites=1)
    session.add_all([Pairing(site_id=v2.id, person_id=a.id, valid_from=date(2025, 1, 1)),
                     Pairing(site_id=v1.id, person_id=b.id, valid_from=date(2025, 1, 1))])
    session.flush()
    return d, v1, v2, a, b


def advisers(session, sites, on):
    current = pairings.current_pairs(session, [s.id for s in sites], on)
    return [current[s.id].person_id if s.id in current else None for s in sites]


def test_proposal_swaps_when_distance_saved_pays_for_the_change(session, district):
    d, v1, v2, a, b = district
    proposal = propose(session, None, d.id, TODAY)
    rows = {r.site: r for r in compare(session, proposal)}
    assert rows[v1.external_id].status == "moved" and rows[v2.external_id].status == "moved"
    assert rows[v1.external_id].km_after == 0.0 and rows[v1.external_id].km_before > 140
    # Proposing changes nothing yet.
    assert advisers(session, [v1, v2], START) == [b.id, a.id]


def test_short_moves_do_not_pay_for_their_change(session, make):
    d = make.district()
    v1, v2 = make.site(d, lat=29.8, lon=121.50), make.site(d, lat=29.8, lon=121.70)
    a = make.person(d, lat=29.8, lon=121.50, max_paired_sites=1)
    b = make.person(d, lat=29.8, lon=121.70, max_paired_sites=1)
    session.add_all([Pairing(site_id=v2.id, person_id=a.id, valid_from=date(2025, 1, 1)),
                     Pairing(site_id=v1.id, person_id=b.id, valid_from=date(2025, 1, 1))])
    session.flush()
    rows = compare(session, propose(session, None, d.id, TODAY))
    assert [r.status for r in rows] == ["kept", "kept"]  # 39 km saved < 2 changes x 100


def test_fixed_pairs_are_kept(session, district):
    d, v1, v2, a, b = district
    proposal = propose(session, None, d.id, TODAY, fixed={v1.id: b.id})
    rows = {r.site: r for r in compare(session, proposal)}
    assert rows[v1.external_id].status == "kept" and rows[v1.external_id].fixed
    assert rows[v2.external_id].status == "kept"


def test_fixed_pair_that_breaks_a_rule_is_refused(session, make, district):
    d, v1, v2, a, b = district
    volunteer = make.person(d, roles=("volunteer",))
    with pytest.raises(ProposalError):
        propose(session, None, d.id, TODAY, fixed={v1.id: volunteer.id})


def test_approval_ends_old_pairs_starts_new_ones_and_keeps_history(session, district):
    d, v1, v2, a, b = district
    proposal = propose(session, None, d.id, TODAY)
    counts = approve(session, None, proposal.id, START, now=NOW)
    assert counts == {"kept": 0, "ended": 2, "started": 2}
    assert advisers(session, [v1, v2], START) == [a.id, b.id]
    assert advisers(session, [v1, v2], TODAY) == [b.id, a.id]  # the past stays as it was
    assert [(p.person_id, p.valid_from, p.valid_to) for p in history(session, v1.id)] == [
        (b.id, date(2025, 1, 1), START), (a.id, START, None)]
    with pytest.raises(ProposalError, match="already approved"):
        approve(session, None, proposal.id, START, now=NOW)


def test_a_failure_half_way_leaves_the_old_pairing_intact(session, district, monkeypatch):
    d, v1, v2, a, b = district
    proposal = propose(session, None, d.id, TODAY)
    calls = []

    def fail_on_second(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(*args)

    real = pairings._start_pair
    monkeypatch.setattr(pairings, "_start_pair", fail_on_second)
    with pytest.raises(RuntimeError):
        with session.begin_nested():  # the transaction approval runs in
            approve(session, None, proposal.id, START, now=NOW)
    assert advisers(session, [v1, v2], START) == [b.id, a.id]
    assert session.get(PairingProposal, proposal.id).status == "open"
    assert len(session.scalars(select(Pairing).where(Pairing.site_id.in_([v1.id, v2.id]))).all()) == 2


def test_out_of_date_proposal_is_refused(session, district):
    d, v1, v2, a, b = district
    proposal = propose(session, None, d.id, TODAY)
    other = propose(session, None, d.id, TODAY)
    approve(session, None, other.id, START, now=NOW)
    with pytest.raises(ProposalError, match="changed since"):
        approve(session, None, proposal.id, START, now=NOW)


def test_unpaired_village_gets_reasons(session, make):
    d = make.district()
    make.site(d, needs=["dialect_ningbo"])
    make.person(d, skills=("family",), max_paired_sites=3)
    (row,) = compare(session, propose(session, None, d.id, TODAY))
    assert row.status == "unpaired" and row.proposed is None
    assert row.reasons and "dialect_ningbo" in " ".join(row.reasons)


def test_coordinators_act_only_in_their_district(session, make, district):
    from scheduler.advisers.pairings import current_pairing, discard, get_proposal
    from scheduler.core.access import AccessDenied, NotVisible

    d, v1, v2, a, b = district
    own = make.user("coordinator", district_id=d.id)
    stranger = make.user("coordinator", district_id=make.district().id)
    proposal = propose(session, own, d.id, TODAY)
    with pytest.raises(AccessDenied):
        propose(session, stranger, d.id, TODAY)
    with pytest.raises(AccessDenied):
        current_pairing(session, stranger, d.id, TODAY)
    for attempt in (lambda: get_proposal(session, stranger, proposal.id),
                    lambda: approve(session, stranger, proposal.id, START, now=NOW),
                    lambda: discard(session, stranger, proposal.id)):
        with pytest.raises(NotVisible):
            attempt()
    rows = current_pairing(session, own, d.id, TODAY)
    assert [(r.site, r.person_id) for r in rows] == [(v1.external_id, b.id), (v2.external_id, a.id)]
    assert discard(session, own, proposal.id).status == "discarded"
    with pytest.raises(ProposalError) as closed:
        approve(session, own, proposal.id, START, now=NOW)
    assert closed.value.code == "closed"
