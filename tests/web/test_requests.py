"""Village requests over HTTP: the form answers every problem at once in the reader's
language, the village follows its request to the visit and the person who comes, and
coordinators take phone requests, work their queue, hand over, confirm, cancel and close."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from models import Assignment, RequestHandover, Slot, VisitRequest
from scheduler.core.weeks import monday_of, to_local
from scheduler.demand.generate import generate_week
from scheduler.week import drafts
from tests.web.conftest import NOW, login_as


def ahead(days: int = 5) -> datetime:
    return (NOW + timedelta(days=days)).astimezone().replace(
        hour=9, minute=0, second=0, microsecond=0)


def form_data(**overrides) -> dict:
    day = to_local(ahead()).date()
    data = {"topic": "土地承包纠纷", "kind": "consultation", "people_count": "3", "urgency": "normal",
            "windows-0-day": day.isoformat(), "windows-0-start": "09:00", "windows-0-end": "11:00",
            "windows-1-day": (day + timedelta(days=1)).isoformat(), "windows-1-start": "14:00",
            "windows-1-end": "16:00", "windows-2-day": "", "windows-2-start": "", "windows-2-end": ""}
    data.update(overrides)
    return data


def problems(page: str) -> list[str]:
    box = re.search(r'<section class="problems".*?</section>', page, re.S)
    return [html.unescape(t) for t in re.findall(r"<li>(.*?)</li>", box.group(0))] if box else []


@pytest.fixture
def village(client, world):
    login_as(client, world.users["village"])
    return client


def test_the_form_lists_every_problem_at_once_in_english(village, session):
    page = village.post("/requests/new?lang=en", data=form_data(
        topic="", kind="", people_count="0", **{"windows-0-start": "", "windows-1-end": "13:00"})).get_data(as_text=True)
    assert problems(page) == [
        "Say what the visit is about.",
        "Choose the kind of help: consultation, legal opinion or joining a mediation.",
        "The number of people must be a whole number, at least 1.",
        "Time 1: give the start time.",
        "Time 2: the end must be after the start.",
    ]
    assert "Please see to everything below at once (5):" in page
    # Each problem also sits next to its field, and what was typed stays.
    assert page.count('class="error"') >= 5 and "13:00" in page
    assert session.scalars(select(VisitRequest)).all() == []


def test_the_form_speaks_chinese_by_default(village):
    page = village.post("/requests/new", data=form_data(topic="")).get_data(as_text=True)
    assert problems(page) == ["请说明需要咨询或处理的事项。"]


def test_a_village_request_is_received_with_its_owner_and_followed_to_the_visit(village, world, session):
    response = village.post("/requests/new?lang=en", data=form_data())
    request = session.scalar(select(VisitRequest))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/requests/{request.id}")
    assert (request.owner_id, request.channel) == (world.users["coord_a"].id, "web")
    page = village.get(f"/requests/{request.id}?lang=en").get_data(as_text=True)
    assert "Received" in page and world.users["coord_a"].username in page
    # Published: the village sees when and who, with the role.
    week = monday_of(to_local(request.windows[0].start_at).date())
    generate_week(session, world.district_a.id, week)
    slot = session.scalar(select(Slot).where(Slot.request_id == request.id).order_by(Slot.start_at))
    draft = drafts.get_or_create_draft(session, world.district_a.id, week, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    drafts.publish(session, world.district_a.id, week, world.users["coord_a"], now=NOW)
    page = village.get(f"/requests/{request.id}?lang=en").get_data(as_text=True)
    assert "Scheduled" in page and "王律师 (Lawyer)" in page
    listing = village.get("/requests/?lang=zh").get_data(as_text=True)
    assert "已排期" in listing and "王律师（律师）" in listing


def test_a_village_sees_only_its_own_requests(client, world, session, make):
    other = make.user("village", village_id=world.village_b.id, district_id=world.district_b.id)
    login_as(client, world.users["village"])
    client.post("/requests/new", data=form_data())
    request = session.scalar(select(VisitRequest))
    login_as(client, other)
    assert client.get(f"/requests/{request.id}").status_code == 404
    assert "土地承包纠纷" not in client.get("/requests/").get_data(as_text=True)


@pytest.fixture
def coordinator(client, world):
    login_as(client, world.users["coord_a"])
    return client


def test_a_coordinator_takes_a_phone_request_and_it_is_in_their_queue(coordinator, world, session):
    page = coordinator.get("/requests/new?lang=en").get_data(as_text=True)
    assert "甲村" in page and "乙村" not in page and "By phone" in page
    refused = coordinator.post("/requests/new?lang=en", data=form_data()).get_data(as_text=True)
    assert problems(refused) == ["Choose the village (community) the request is for.",
                                 "Say how the request reached you: by phone or in person."]
    coordinator.post("/requests/new", data=form_data(village=str(world.village_a.id), channel="phone",
                                                     urgency="urgent"))
    request = session.scalar(select(VisitRequest))
    assert (request.channel, request.owner_id, request.urgency) == ("phone", world.users["coord_a"].id, "urgent")
    queue = coordinator.get("/requests/queue?lang=en").get_data(as_text=True)
    assert "土地承包纠纷" in queue and 'class="urgent"' in queue and "By phone" in queue


def test_hand_over_confirm_and_cancel_from_the_detail_page(coordinator, world, session):
    coordinator.post("/requests/new", data=form_data(village=str(world.village_a.id), channel="in_person"))
    request = session.scalar(select(VisitRequest))
    url = f"/requests/{request.id}"
    # Nothing chosen, no reason: both said at once.
    page = coordinator.post(f"{url}/handover?lang=en", data={"to_user": "0", "reason": ""},
                            follow_redirects=True).get_data(as_text=True)
    assert "Choose a coordinator of this district to hand the request to." in page and "Give the reason." in page
    coordinator.post(f"{url}/handover", data={"to_user": str(world.users["city"].id), "reason": "出差"})
    session.expire_all()
    assert request.owner_id == world.users["city"].id
    page = coordinator.get(f"{url}?lang=en").get_data(as_text=True)
    assert "Hand-overs" in page and "出差" in page
    confirm = coordinator.post(f"{url}/confirm?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "No published schedule serves this request yet." in confirm
    coordinator.post(f"{url}/cancel", data={"reason": "当事人已起诉"})
    session.expire_all()
    assert (request.status, request.cancel_reason) == ("cancelled", "当事人已起诉")
    assert "当事人已起诉" in coordinator.get(f"{url}?lang=en").get_data(as_text=True)


def test_the_handover_is_recorded_with_from_and_to(coordinator, world, session):
    coordinator.post("/requests/new", data=form_data(village=str(world.village_a.id), channel="phone"))
    request = session.scalar(select(VisitRequest))
    coordinator.post(f"/requests/{request.id}/handover", data={"to_user": str(world.users["city"].id),
                                                               "reason": "休假"})
    row = session.scalar(select(RequestHandover))
    assert (row.from_user_id, row.to_user_id, row.reason) == (world.users["coord_a"].id, world.users["city"].id, "休假")
