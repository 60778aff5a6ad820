"""Access rules over the acting user (pure: users need not be in a database), and the one
query among them, `visible_districts`, over a real one."""
from __future__ import annotations

import pytest

from models import User
from scheduler.core.access import (
    AccessDenied,
    NotVisible,
    can_see_district,
    require_district,
    require_role,
    require_visible,
    visible_district_ids,
    visible_districts,
)


def user(role: str, **kw) -> User:
    kw.setdefault("active", True)
    kw.setdefault("city_wide", False)
    return User(role=role, username="u", password_hash="x", **kw)


def test_district_coordinator_sees_only_their_district():
    coordinator = user("coordinator", district_id=1)
    assert visible_district_ids(coordinator) == frozenset({1})
    assert can_see_district(coordinator, 1) and not can_see_district(coordinator, 2)
    require_district(coordinator, 1)
    with pytest.raises(AccessDenied):
        require_district(coordinator, 2)
    with pytest.raises(NotVisible):
        require_visible(coordinator, 2)
    with pytest.raises(NotVisible):
        require_visible(coordinator, None)


def test_city_coordinator_sees_every_district():
    city = user("coordinator", city_wide=True)
    assert visible_district_ids(city) is None
    require_district(city, 12345)


@pytest.mark.parametrize("role", ["provider", "village"])
def test_providers_and_villages_see_no_district_data(role):
    other = user(role, district_id=1)
    assert visible_district_ids(other) == frozenset()
    with pytest.raises(AccessDenied):
        require_district(other, 1)
    with pytest.raises(AccessDenied):
        require_role(other, "coordinator")


def test_deactivated_coordinator_sees_nothing():
    coordinator = user("coordinator", city_wide=True, active=False)
    assert visible_district_ids(coordinator) == frozenset()
    with pytest.raises(AccessDenied):
        require_role(coordinator, "coordinator")


def test_visible_districts_are_the_coordinators_in_code_order(session, make):
    b, a = make.district(code="ZZ-B"), make.district(code="ZZ-A")
    assert visible_districts(session, make.user(district_id=b.id)) == [b]
    city = visible_districts(session, make.user(city_wide=True))
    assert [d for d in city if d in (a, b)] == [a, b]
    with pytest.raises(AccessDenied):
        visible_districts(session, user("provider"))
