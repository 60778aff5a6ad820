"""A request refused as not ours: marked so, audited, and the village's notice names where
to go (the referral directory of its district and the city); only a coordinator refuses so."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEntry, Notification, Referral, RequestWindow, User, VisitRequest
from scheduler.requests import desk

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)
VISIT = datetime(2026, 12, 1, 1, tzinfo=UTC)


def _world(session, make):
    district = make.district()
    village = make.site(district, name="湾底村")
    owner = make.user("coordinator", district_id=district.id)
    make.user("village", village_id=village.id, district_id=district.id, email="wandi@example.org")
    request = VisitRequest(village_id=village.id, district_id=district.id, topic="工伤赔偿", kind="consultation",
                           owner_id=owner.id)
    request.windows = [RequestWindow(rank=0, start_at=VISIT, end_at=VISIT + timedelta(hours=2))]
    session.add(request)
    session.flush()
    return district, owner, request


def test_the_villages_notice_names_the_departments_to_go_to(session, make):
    district, owner, request = _world(session, make)
    session.add_all([Referral(district_id=district.id, name_zh="区劳动人事争议仲裁院", name_en="Labour arbitration",
                              address="中山路 1 号", phone="0574-87000001", handles_zh="劳动争议、工伤"),
                     Referral(district_id=make.district().id, name_zh="别区信访局", phone="0574-2")])
    session.flush()
    desk.cancel(session, owner, request.id, "属于劳动仲裁", NOW, not_ours=True)
    assert request.not_ours and request.status == "cancelled"
    (notice,) = session.scalars(select(Notification).where(Notification.recipient == "wandi@example.org"))
    assert "请前往" in notice.body and "区劳动人事争议仲裁院，中山路 1 号，0574-87000001" in notice.body
    assert "Labour arbitration" in notice.body and "别区信访局" not in notice.body
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "request.cancel"))
    assert entry.details["not_ours"] is True


def test_without_referrals_the_notice_points_to_12348_and_a_plain_cancel_says_nothing(session, make):
    district, owner, request = _world(session, make)
    desk.cancel(session, owner, request.id, "属于劳动仲裁", NOW, not_ours=True)
    (notice,) = session.scalars(select(Notification))
    assert "12348" in notice.body
    _, owner2, plain = _world(session, make)
    desk.cancel(session, owner2, plain.id, "已和解", NOW)
    body = session.scalars(select(Notification.body).where(Notification.id != notice.id)).one()
    assert "不属于公共法律服务" not in body and not plain.not_ours


def test_a_village_cannot_refuse_as_not_ours(session, make):
    district, _, request = _world(session, make)
    village_user = session.scalar(select(User).where(User.role == "village", User.district_id == district.id))
    with pytest.raises(desk.RequestActionRefused) as refused:
        desk.cancel(session, village_user, request.id, "不需要了", NOW, not_ours=True)
    assert refused.value.code == "not_ours_coordinator" and request.status == "received"
