"""No ID card or mobile number in kept free text, however it is written (issue 13, row 16):
"138 1234 5678", full-width digits, +86 and grouped ID numbers passed the old check, and the
reasons of a hand-over or a cancellation were not checked at all."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import RequestHandover
from scheduler.core.personal_data import has_personal_data
from scheduler.requests import desk
from scheduler.requests.intake import check_request
from tests.scheduler.requests.test_request_desk import NOW as DESK_NOW
from tests.scheduler.requests.test_request_desk import new_request, w  # noqa: F401 - the fixture
from tests.scheduler.requests.test_requests import NOW, codes, good, place  # noqa: F401 - the fixture

WRITTEN_AS = [
    "138 1234 5678",
    "138-1234-5678",
    "１３８１２３４５６７８",
    "１３８ １２３４ ５６７８",
    "138\u30001234\u30005678",
    "+86 138 1234 5678",
    "0086-138-1234-5678",
    "3302 0319 9001 0112 34",
    "330203-19900101-123X",
    "３３０２０３１９９００１０１１２３ｘ",
]
FINE = [
    "合同编号2026-118，欠款120000元",
    "2026-12-09 14:00-16:00，共 13 户 8 人",
    "座机 0574-87654321",
    "村编号 YZ-V0001",
    "12345678901234567890",
]


@pytest.mark.parametrize("number", WRITTEN_AS)
def test_a_number_written_any_usual_way_is_found(number):
    assert has_personal_data(f"请联系 {number} 谢谢")


@pytest.mark.parametrize("text", FINE)
def test_ordinary_numbers_are_fine(text):
    assert not has_personal_data(text)


@pytest.mark.parametrize("number", ["138 1234 5678", "１３８１２３４５６７８", "3302 0319 9001 0112 34"])
def test_a_request_with_such_a_number_is_refused(session, place, number):  # noqa: F811 - the fixture
    _, problems = check_request(session, place["rep"], good(topic=f"离婚 {number}", details=f"联系 {number}"), NOW)
    assert codes(problems) == [("personal_data", "topic"), ("personal_data", "details")]


@pytest.mark.parametrize("number", ["138 1234 5678", "+86 １３８-１２３４-５６７８"])
def test_a_hand_over_reason_with_a_number_is_refused_with_every_other_problem(session, w, number):  # noqa: F811
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.hand_over(session, w["owner"], w["request"].id, None, f"张协调休假，有事打 {number}", DESK_NOW)
    assert codes(refused.value.problems) == [("unknown_coordinator", "to_user"), ("reason_personal_data", "reason")]
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.hand_over(session, w["owner"], w["request"].id, w["colleague"].id, f"打 {number}", DESK_NOW)
    assert refused.value.code == "reason_personal_data"
    assert session.scalar(select(RequestHandover)) is None and w["request"].owner_id == w["owner"].id


def test_a_cancellation_reason_with_a_number_is_refused(session, w):  # noqa: F811 - the fixture
    request = new_request(session, w, "另一件")
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.cancel(session, w["rep"], request.id, "当事人 330203-19900101-1234 已起诉", DESK_NOW)
    assert refused.value.code == "reason_personal_data" and request.status == "received"
