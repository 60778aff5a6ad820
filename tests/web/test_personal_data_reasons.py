"""The refusal of a reason holding an ID card or mobile number (issue 13, row 16), over HTTP:
one sentence in the reader's language for a decline, a swap request, a colleague's "no" and a
request's hand-over, and nothing stored; a request's details written "138 1234 5678" are
refused as before only 13812345678 was."""
from __future__ import annotations

import html

from sqlalchemy import select

from models import Decline, RequestHandover, SwapRequest, VisitRequest
from tests.web.conftest import login_as
from tests.web.swaps_access import published_place
from tests.web.test_requests import form_data, problems

EN = ("Remove the ID card or phone number from the reason: reasons are kept and shown to others, so they must "
      "hold no one's personal data.")
ZH = "请删除原因中的身份证号或电话号码：原因会被保存并给他人看到，不能含有任何人的个人信息。"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_decline_with_a_phone_number_in_its_reason(client, session, world):
    slot = published_place(world)
    login_as(client, world.users["provider"])
    url = f"/my/assignments/{slot.id}/decline"
    assert ZH in text(client.post(url, data={"reason": "开庭，急事打 138 1234 5678"}, follow_redirects=True))
    assert EN in text(client.post(f"{url}?lang=en", data={"reason": "开庭 １３８１２３４５６７８"}, follow_redirects=True))
    assert session.scalar(select(Decline)) is None


def test_a_swap_request_and_a_colleagues_no_with_a_phone_number(client, session, world, make):
    slot = published_place(world)
    li = make.person(world.district_a, name="李律师")
    li_user = make.user("provider", person_id=li.id, district_id=world.district_a.id)
    login_as(client, world.users["provider"])
    page = text(client.post(f"/my/assignments/{slot.id}/swap?lang=en",
                            data={"person": li.id, "note": "家里有事 +86 138-1234-5678"}, follow_redirects=True))
    assert EN in page and session.scalar(select(SwapRequest)) is None
    client.post(f"/my/assignments/{slot.id}/swap", data={"person": li.id, "note": "家里有事"})
    swap = session.scalar(select(SwapRequest))
    login_as(client, li_user)
    page = text(client.post(f"/my/swaps/{swap.id}/refuse?lang=zh", data={"reason": "那天开庭 138 1234 5678"},
                            follow_redirects=True))
    assert ZH in page
    session.refresh(swap)
    assert swap.status == "requested"


def test_a_hand_over_reason_and_request_details_with_numbers(client, session, world):
    login_as(client, world.users["coord_a"])
    page = text(client.post("/requests/new?lang=en", data=form_data(
        village=str(world.village_a.id), channel="phone", details="当事人电话 138 1234 5678")))
    assert problems(page) == ["Remove the ID card or phone number from the details: requests keep no villager's "
                              "personal data."]
    client.post("/requests/new", data=form_data(village=str(world.village_a.id), channel="phone"))
    request = session.scalar(select(VisitRequest))
    page = text(client.post(f"/requests/{request.id}/handover?lang=en", follow_redirects=True, data={
        "to_user": str(world.users["city"].id), "reason": "出差，找我 3302 0319 9001 0112 34"}))
    assert EN in page and session.scalar(select(RequestHandover)) is None
