"""Decline and swap reasons hold no ID card or mobile number (issue 13, row 16): the message of
a swap request, a colleague's and a coordinator's reason for saying no, and a decline's reason
are checked as requests are, whatever way the number is written."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Decline, SwapRequest
from scheduler.mine import self_service
from scheduler.swaps import operations as swaps
from tests.scheduler.swaps.test_swaps import NOW, week  # noqa: F401 - the fixture

NUMBERS = ["138 1234 5678", "１３８１２３４５６７８", "+86 138-1234-5678", "3302 0319 9001 0112 34"]


@pytest.mark.parametrize("number", NUMBERS)
def test_a_swap_request_whose_message_holds_a_number_is_refused(session, week, number):  # noqa: F811
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, f"有事请打 {number}", NOW)
    assert refused.value.code == "reason_personal_data"
    assert session.scalar(select(SwapRequest)) is None


@pytest.mark.parametrize("number", NUMBERS)
def test_refusing_or_rejecting_with_a_number_is_refused(session, week, number):  # noqa: F811 - the fixture
    swap = swaps.ask(session, week["wang"], week["tuesday"].id, week["p_li"].id, "家里有事", NOW)
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.refuse(session, week["li"], swap.id, f"那天开庭，打 {number}", NOW)
    assert refused.value.code == "reason_personal_data"
    with pytest.raises(swaps.SwapRefused) as refused:
        swaps.reject(session, week["coord"], swap.id, f"问 {number}", NOW)
    assert refused.value.code == "reason_personal_data" and swap.status == "requested"


@pytest.mark.parametrize("number", NUMBERS)
def test_a_decline_reason_with_a_number_is_refused(session, week, number):  # noqa: F811 - the fixture
    with pytest.raises(self_service.SelfServiceError) as refused:
        self_service.decline(session, week["wang"], week["tuesday"].id, f"开庭，{number}", NOW)
    assert refused.value.code == "reason_personal_data"
    assert session.scalar(select(Decline)) is None
