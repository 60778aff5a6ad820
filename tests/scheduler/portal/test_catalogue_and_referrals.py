"""The catalogue (seeded by the migration, kept by city coordinators) and the referral
directory (kept by coordinators in their districts)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEntry, Referral
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.portal import catalogue, referrals
from scheduler.portal.catalogue import CatalogueError, ProductData
from scheduler.portal.referrals import ReferralData, ReferralError


def test_the_seeded_catalogue_in_both_languages(session):
    zh = catalogue.list_products(session, "zh_Hans_CN")
    assert [p.code for p in zh][:3] == ["legal-aid", "village-adviser", "hotline-12348"]
    assert {"人民调解", "公证服务", "司法鉴定", "法治宣传教育"} <= {p.name for p in zh}
    en = catalogue.list_products(session, "en")
    assert en[0].name == "Legal aid consultation and acceptance" and en[0].free and en[0].fee == "Free"
    notary = next(p for p in en if p.code == "notary")
    assert not notary.free and notary.bring.startswith("ID card")


def test_only_a_city_coordinator_edits_the_catalogue(session, make):
    city, district = make.user("coordinator", city_wide=True), make.user("coordinator")
    data = ProductData(code="labour", name_zh="劳动争议咨询", name_en="Labour disputes", sort_order=1)
    for user in (district, make.user("provider", person_id=make.person().id)):
        with pytest.raises(AccessDenied):
            catalogue.create_product(session, user, data)
    record = catalogue.create_product(session, city, data)
    assert catalogue.list_products(session)[0].name == "劳动争议咨询"
    with pytest.raises(CatalogueError) as refused:
        catalogue.create_product(session, city, ProductData(code="labour", name_zh="重复"))
    assert refused.value.code == "code_taken"
    with pytest.raises(CatalogueError):
        catalogue.update_product(session, city, record.id, ProductData(code="Bad Code", name_zh="x"))
    catalogue.set_product_active(session, city, record.id, False)
    assert "劳动争议咨询" not in {p.name for p in catalogue.list_products(session)}
    assert [p.data.code for p in catalogue.all_products(session, district)].count("labour") == 1
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "service_product")))
    assert actions == {"product.create", "product.deactivate"}
    with pytest.raises(NotVisible):
        catalogue.product_for_edit(session, city, 999999)


def test_referrals_of_a_district_include_the_citys_and_not_another_districts(session, make):
    a, b = make.district(), make.district()
    city = make.user("coordinator", city_wide=True)
    coord_a = make.user("coordinator", district_id=a.id)
    own = referrals.create_referral(session, coord_a, ReferralData(a.id, "甲区信访局", "Petitions bureau",
                                                                   phone="0574-1", handles_zh="信访"))
    referrals.create_referral(session, city, ReferralData(None, "市劳动人事争议仲裁院", phone="0574-2"))
    referrals.create_referral(session, city, ReferralData(b.id, "乙区信访局", phone="0574-3"))
    names = [r.name for r in referrals.list_referrals(session, a.id)]
    assert names == ["甲区信访局", "市劳动人事争议仲裁院"]
    assert [r.name for r in referrals.list_referrals(session, a.id, "en")][0] == "Petitions bureau"
    assert [r.name for r in referrals.list_referrals(session, None)] == ["市劳动人事争议仲裁院"]
    assert {r.data.name_zh for r in referrals.editable_referrals(session, coord_a)} == {"甲区信访局"}
    with pytest.raises(AccessDenied):
        referrals.create_referral(session, coord_a, ReferralData(None, "全市", phone="1"))
    with pytest.raises(AccessDenied):
        referrals.create_referral(session, coord_a, ReferralData(b.id, "乙区", phone="1"))
    with pytest.raises(AccessDenied):  # moving an own entry to another district
        referrals.update_referral(session, coord_a, own.id, ReferralData(b.id, "甲区信访局", phone="1"))
    other = session.scalar(select(Referral.id).where(Referral.name_zh == "乙区信访局"))
    with pytest.raises(NotVisible):
        referrals.set_referral_active(session, coord_a, other, False)
    with pytest.raises(ReferralError) as refused:
        referrals.create_referral(session, coord_a, ReferralData(a.id, "无联系方式"))
    assert refused.value.code == "no_way_to_reach"
    referrals.set_referral_active(session, coord_a, own.id, False)
    assert [r.name for r in referrals.list_referrals(session, a.id)] == ["市劳动人事争议仲裁院"]


def test_a_districts_public_numbers_are_set_by_its_coordinators(session, make):
    from scheduler.portal import numbers

    a, b = make.district(), make.district()
    coord_a = make.user("coordinator", district_id=a.id)
    assert numbers.public_numbers(a, "0574-000") == numbers.PublicNumbers("12348", "0574-000")
    numbers.set_public_numbers(session, coord_a, a.id, " 0574-12348 ", "0574-87000000")
    assert numbers.public_numbers(a, "0574-000") == numbers.PublicNumbers("0574-12348", "0574-87000000")
    with pytest.raises(AccessDenied):
        numbers.set_public_numbers(session, coord_a, b.id, "1", "2")
    with pytest.raises(numbers.NumbersError):
        numbers.set_public_numbers(session, coord_a, a.id, "call us", None)
    numbers.set_public_numbers(session, coord_a, a.id, "", None)
    assert numbers.public_numbers(a, "0574-000") == numbers.PublicNumbers("12348", "0574-000")
    assert session.scalar(select(AuditEntry.details).where(AuditEntry.action == "district.public_numbers")
                          .order_by(AuditEntry.id)) == {"hotline": [None, "0574-12348"],
                                                        "complaint_phone": [None, "0574-87000000"]}
