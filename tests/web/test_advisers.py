"""Re-pairing a district's villages in the browser: current pairing, proposal compared with
it, fixing pairs by hand, approval with history, and refusals in the reader's language."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import Pairing, PairingProposal
from scheduler.advisers.pairings import current_pairs


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def far_village(make, world):
    """A second village of district A, 140 km from its adviser but next to lawyer 赵律师, who
    holds none: the optimal pairing moves it (saves 140 km for one change costing 100)."""
    village = make.site(world.district_a, name="远村", lat=29.80, lon=123.0)
    near = make.person(world.district_a, name="赵律师", lat=29.80, lon=123.0, max_paired_sites=1)
    world.person_a.max_paired_sites = 2
    return village, near


def test_current_pairing_and_a_proposal_shown_against_it(as_role, world, make, session):
    village, near = far_village(make, world)
    session.add(Pairing(site_id=village.id, person_id=world.person_a.id, valid_from=date(2020, 1, 1)))
    session.flush()
    client = as_role("coord_a")
    current = page(client, f"/districts/{world.district_a.id}/advisers")
    assert "当前结对" in current and "甲村" in current and "远村" in current and "王律师" in current
    response = client.post(f"/districts/{world.district_a.id}/advisers/propose")
    assert response.status_code == 302
    proposal = session.scalars(select(PairingProposal)).one()
    assert response.headers["Location"].endswith(f"/advisers/proposals/{proposal.id}")
    shown = page(client, f"/advisers/proposals/{proposal.id}?lang=en")
    changes = shown[shown.index("Villages whose adviser would change"):]
    assert "远村" in changes and "赵律师" in changes and "甲村" not in changes
    assert "moved" in changes
    assert "甲村" in page(client, f"/advisers/proposals/{proposal.id}?show=all")


def test_approval_changes_the_pairing_from_the_chosen_day_and_keeps_history(as_role, world, make, session):
    village, near = far_village(make, world)
    session.add(Pairing(site_id=village.id, person_id=world.person_a.id, valid_from=date(2020, 1, 1)))
    session.flush()
    client = as_role("coord_a")
    client.post(f"/districts/{world.district_a.id}/advisers/propose")
    proposal = session.scalars(select(PairingProposal)).one()
    done = client.post(f"/advisers/proposals/{proposal.id}/approve?lang=en",
                       data={"effective_from": "2027-01-01"}, follow_redirects=True)
    assert "Approved: 1 pairs kept, 1 ended, 1 started on 2027-01-01." in done.get_data(as_text=True)
    assert current_pairs(session, [village.id], date(2027, 1, 1))[village.id].person_id == near.id
    assert current_pairs(session, [village.id], date(2026, 12, 1))[village.id].person_id == world.person_a.id
    again = client.post(f"/advisers/proposals/{proposal.id}/approve?lang=zh_Hans_CN",
                        data={"effective_from": "2027-01-01"}, follow_redirects=True)
    assert "此方案早已关闭（已批准）" in again.get_data(as_text=True)


def test_a_pair_fixed_by_hand_is_kept_in_the_next_proposal(as_role, world, make, session):
    village, near = far_village(make, world)
    session.add(Pairing(site_id=village.id, person_id=world.person_a.id, valid_from=date(2020, 1, 1)))
    session.flush()
    client = as_role("coord_a")
    client.post(f"/districts/{world.district_a.id}/advisers/propose")
    first = session.scalars(select(PairingProposal)).one()
    client.post(f"/advisers/proposals/{first.id}/repropose", data={f"fix-{village.id}": "current"})
    session.expire_all()
    second = session.scalars(select(PairingProposal).where(PairingProposal.id != first.id)).one()
    item = next(i for i in second.items if i.site_id == village.id)
    assert (item.person_id, item.fixed) == (world.person_a.id, True)
    assert session.get(PairingProposal, first.id).status == "discarded"


def test_approval_without_a_date_or_on_a_stale_proposal_is_refused(as_role, world, make, session):
    village, near = far_village(make, world)
    session.add(Pairing(site_id=village.id, person_id=world.person_a.id, valid_from=date(2020, 1, 1)))
    session.flush()
    client = as_role("coord_a")
    client.post(f"/districts/{world.district_a.id}/advisers/propose")
    client.post(f"/districts/{world.district_a.id}/advisers/propose")
    older, newer = session.scalars(select(PairingProposal).order_by(PairingProposal.id)).all()
    no_date = client.post(f"/advisers/proposals/{older.id}/approve", data={}, follow_redirects=True)
    assert "请选择新结对的开始日期" in no_date.get_data(as_text=True)
    client.post(f"/advisers/proposals/{newer.id}/approve", data={"effective_from": "2027-01-01"})
    stale = client.post(f"/advisers/proposals/{older.id}/approve?lang=en", data={"effective_from": "2027-01-01"},
                        follow_redirects=True)
    assert "changed since this proposal was made" in stale.get_data(as_text=True)
