"""Swaps and declines over HTTP, both sides, in Chinese and English: a provider asks a
colleague from My assignments, the colleague accepts on their swaps page and the week is
published (their calendar feed shows it); refusals say why in the reader's language; with
coordinator approval the dashboard offers Approve; pending declines show on the dashboard
and the week page with a re-plan action."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Assignment, Decline, SolveJob, SwapRequest
from scheduler.core.versions import current_draft, latest_published
from scheduler.feeds.tokens import issue_token
from scheduler.mine import self_service
from tests.web.conftest import NOW, build_app, login_as
from tests.web.swaps_access import published_place


@pytest.fixture
def team(session, make, world):
    """Person A (王律师) holds a published window shift three days ahead; 李律师 is a lawyer
    colleague with an account, 赵公证员 a notary with one."""
    li = make.person(world.district_a, name="李律师")
    zhao = make.person(world.district_a, name="赵公证员", roles=("notary",))
    users = {"li": make.user("provider", person_id=li.id, district_id=world.district_a.id),
             "zhao": make.user("provider", person_id=zhao.id, district_id=world.district_a.id)}
    slot = published_place(world)
    return {"p_li": li, "p_zhao": zhao, "slot": slot, **users}


def as_user(client, user):
    login_as(client, user)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def status(session, swap) -> str:
    """The swap's status as the app left it (its requests ran in their own sessions)."""
    session.refresh(swap)
    return swap.status


def section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


def test_asking_a_colleague_from_my_assignments(client, session, world, team):
    as_user(client, world.users["provider"])
    mine = text(client.get("/my/assignments?lang=en"))
    assert f'/my/assignments/{team["slot"].id}/swap' in mine and "Ask a colleague" in mine
    page = text(client.get(f"/my/assignments/{team['slot'].id}/swap?lang=en"))
    # Only the qualified colleague is offered.
    assert "李律师" in page and "0 h this week" in page and "赵公证员" not in page
    response = client.post(f"/my/assignments/{team['slot'].id}/swap?lang=en",
                           data={"person": team["p_li"].id, "note": "家里有事"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/swaps")
    swap = session.scalar(select(SwapRequest))
    assert (swap.from_person_id, swap.to_person_id, swap.reason) == (world.person_a.id, team["p_li"].id, "家里有事")
    outgoing = section(text(client.get("/my/swaps?lang=en")), "outgoing")
    assert "李律师" in outgoing and "Waiting for the colleague&#39;s answer" in outgoing and "Withdraw" in outgoing
    zh = section(text(client.get("/my/swaps?lang=zh")), "outgoing")
    assert "等待同事答复" in zh


def test_the_colleague_accepts_and_the_week_is_published_with_the_feed(client, session, world, team):
    token = issue_token(session, "person", team["p_li"].id, now=NOW)
    as_user(client, world.users["provider"])
    client.post(f"/my/assignments/{team['slot'].id}/swap", data={"person": team["p_li"].id})
    swap = session.scalar(select(SwapRequest))
    as_user(client, team["li"])
    incoming = section(text(client.get("/my/swaps?lang=en")), "incoming")
    assert "王律师" in incoming and "Accept" in incoming and "Say no" in incoming
    done = text(client.post(f"/my/swaps/{swap.id}/accept?lang=en", follow_redirects=True))
    assert "The place is yours: the new roster is published" in done
    version = latest_published(session, world.district_a.id, team["slot"].week_start)
    assert version.version == 2 and {a.person_id for a in version.assignments} == {team["p_li"].id}
    assert world.window_a.name in text(client.get(f"/feeds/{token}.ics"))


@pytest.mark.parametrize("lang, words", [
    ("en", "You have already asked a colleague to take this place"),
    ("zh", "您已请一位同事接替这个岗位"),
])
def test_a_second_request_for_one_place_is_refused_in_the_readers_language(client, session, world, team, lang,
                                                                          words):
    as_user(client, world.users["provider"])
    url = f"/my/assignments/{team['slot'].id}/swap?lang={lang}"
    client.post(url, data={"person": team["p_li"].id})
    response = client.post(url, data={"person": team["p_li"].id})
    assert response.status_code == 422 and words in text(response)
    assert len(session.scalars(select(SwapRequest)).all()) == 1


def test_a_forged_choice_of_an_unqualified_colleague_changes_nothing(client, session, world, team):
    as_user(client, world.users["provider"])
    client.post(f"/my/assignments/{team['slot'].id}/swap?lang=en", data={"person": team["p_zhao"].id})
    assert session.scalar(select(SwapRequest)) is None


def test_a_clash_is_refused_with_the_hard_rule_in_chinese(client, session, make, world, team):
    # 李律师 already holds a published shift overlapping the place.
    other = published_place(world, team["p_li"])
    assert other.start_at == team["slot"].start_at
    as_user(client, world.users["provider"])
    response = client.post(f"/my/assignments/{team['slot'].id}/swap?lang=zh", data={"person": team["p_li"].id})
    assert response.status_code == 422
    page = text(response)
    assert "时间冲突或路途来不及" in page and session.scalar(select(SwapRequest)) is None


def ask_and_accept(client, session, world, team):
    as_user(client, world.users["provider"])
    client.post(f"/my/assignments/{team['slot'].id}/swap", data={"person": team["p_li"].id})
    swap = session.scalar(select(SwapRequest))
    as_user(client, team["li"])
    return swap, text(client.post(f"/my/swaps/{swap.id}/accept?lang=en", follow_redirects=True))


@pytest.fixture
def approval_client(engine, session, tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    return build_app(engine, session, tmp_path, SWAP_APPROVAL="coordinator").test_client()


def test_with_coordinator_approval_the_dashboard_offers_approve(approval_client, session, world, team):
    client = approval_client
    swap, page = ask_and_accept(client, session, world, team)
    assert "A coordinator approves swaps here" in page and status(session, swap) == "accepted"
    assert latest_published(session, world.district_a.id, team["slot"].week_start).version == 1
    as_user(client, world.users["coord_a"])
    board = section(text(client.get(f"/districts/{world.district_a.id}?lang=en")), "answers")
    assert "王律师" in board and "李律师" in board and "Approve" in board and "Reject" in board
    response = client.post(f"/swaps/{swap.id}/approve?lang=en", data={"next": f"/districts/{world.district_a.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/districts/{world.district_a.id}"
    assert status(session, swap) == "applied"
    version = latest_published(session, world.district_a.id, team["slot"].week_start)
    assert (version.version, version.published_by_id) == (2, world.users["coord_a"].id)


def test_a_coordinator_rejects_with_a_reason_the_requester_sees(approval_client, session, world, team):
    client = approval_client
    swap, _ = ask_and_accept(client, session, world, team)
    as_user(client, world.users["coord_a"])
    page = text(client.post(f"/swaps/{swap.id}/reject?lang=en", data={"reason": ""}, follow_redirects=True))
    assert "Reason" in page and status(session, swap) == "accepted"
    client.post(f"/swaps/{swap.id}/reject", data={"reason": "李律师本周已排满"})
    assert status(session, swap) == "rejected"
    as_user(client, world.users["provider"])
    outgoing = section(text(client.get("/my/swaps?lang=zh")), "outgoing")
    assert "李律师本周已排满" in outgoing and "未同意" in outgoing


def test_the_requester_withdraws_and_the_colleague_says_no(client, session, world, team):
    as_user(client, world.users["provider"])
    client.post(f"/my/assignments/{team['slot'].id}/swap", data={"person": team["p_li"].id})
    swap = session.scalar(select(SwapRequest))
    page = text(client.post(f"/my/swaps/{swap.id}/withdraw?lang=en", follow_redirects=True))
    assert "withdrawn" in page and status(session, swap) == "withdrawn"
    client.post(f"/my/assignments/{team['slot'].id}/swap", data={"person": team["p_li"].id})
    again = session.scalars(select(SwapRequest).where(SwapRequest.status == "requested")).one()
    as_user(client, team["li"])
    client.post(f"/my/swaps/{again.id}/refuse", data={"reason": "那天开庭"})
    assert status(session, again) == "rejected"
    # Too late to accept now, and the page says so.
    page = text(client.post(f"/my/swaps/{again.id}/accept?lang=en", follow_redirects=True))
    assert "This request can no longer be changed: Refused." in page


def test_a_colleagues_swap_is_not_anyone_elses(client, session, world, team):
    as_user(client, world.users["provider"])
    client.post(f"/my/assignments/{team['slot'].id}/swap", data={"person": team["p_li"].id})
    swap = session.scalar(select(SwapRequest))
    as_user(client, team["zhao"])
    assert client.post(f"/my/swaps/{swap.id}/accept").status_code == 404
    assert client.post(f"/my/swaps/{swap.id}/withdraw").status_code == 404
    as_user(client, world.users["coord_b"])
    assert client.post(f"/swaps/{swap.id}/approve").status_code == 404
    assert status(session, swap) == "requested"


def test_declines_show_on_the_dashboard_and_the_week_with_a_re_plan(client, session, world, team):
    self_service.decline(session, world.users["provider"], team["slot"].id, "开庭 court", NOW)
    as_user(client, world.users["coord_a"])
    district = world.district_a.id
    week = team["slot"].week_start.isoformat()
    board = section(text(client.get(f"/districts/{district}?lang=en")), "answers")
    assert "王律师" in board and "开庭 court" in board and "Re-plan the week" in board
    week_page = section(text(client.get(f"/districts/{district}/weeks/{week}?lang=zh")), "answers")
    assert "开庭 court" in week_page and "重新安排本周" in week_page
    # Another week's page does not list it.
    other_week = (team["slot"].week_start + timedelta(weeks=1)).isoformat()
    assert "开庭 court" not in section(text(client.get(f"/districts/{district}/weeks/{other_week}")), "answers")
    response = client.post(f"/districts/{district}/weeks/{week}/replan")
    job = session.scalar(select(SolveJob))
    assert response.headers["Location"] == f"/jobs/{job.id}" and job.state == "queued"
    draft = current_draft(session, district, team["slot"].week_start)
    assert session.scalar(select(Assignment).where(Assignment.schedule_id == draft.id,
                                                   Assignment.slot_id == team["slot"].id)) is None
    board = section(text(client.get(f"/districts/{district}?lang=en")), "answers")
    assert "Out of the draft." in board and "Re-plan the week" not in board
    assert session.scalar(select(Decline.handled_at)) is None  # until a version without it is published


def test_a_re_plan_without_declines_says_so(client, world):
    as_user(client, world.users["coord_a"])
    page = text(client.post(f"/districts/{world.district_a.id}/weeks/2026-11-30/replan?lang=en",
                            follow_redirects=True))
    assert "Nobody has declined a place in this week" in page


def test_a_wrong_approval_setting_stops_the_app(engine, session, tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(ValueError, match="SWAP_APPROVAL must be one of automatic, coordinator"):
        build_app(engine, session, tmp_path, SWAP_APPROVAL="sometimes")
    monkeypatch.setenv("SWAP_APPROVAL", "coordinator")
    assert build_app(engine, session, tmp_path).config["SWAP_APPROVAL"] == "coordinator"
