"""The public pages: no sign-in, the reader's language, ETag and 304, published data only,
never a mobile number; and the coordinators' catalogue and referral pages."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Assignment, AuditEntry, Organisation, Referral, ServiceProduct
from scheduler.core.weeks import monday_of, to_local
from scheduler.week.drafts import get_or_create_draft, publish
from tests.factories import Factory
from tests.web.conftest import NOW


def _publish_visit(session, world, *, days=2, person=None):
    """A published visit of person A (or `person`) at A's village, `days` from NOW."""
    start = (NOW + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    week = monday_of(to_local(start).date())
    slot = Factory(session).slot(world.village_a, start=start, week_start=week)
    draft = get_or_create_draft(session, world.district_a.id, week, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=(person or world.person_a).id, line_index=0))
    session.flush()
    publish(session, world.district_a.id, week, None, now=NOW)
    return slot


def test_anonymous_root_is_the_portal_and_signed_in_users_still_land_on_their_page(client, world, as_role):
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "法律援助咨询与受理" in text and "/services" in text and "/directory" in text
    assert as_role("provider").get("/").headers["Location"].endswith("/me")


def test_catalogue_in_chinese_by_default_and_english_on_request(client, world):
    zh = client.get("/services").get_data(as_text=True)
    assert "公证服务" in zh and "免费" in zh
    en = client.get("/services?lang=en").get_data(as_text=True)
    assert "Notary services" in en and "公证服务" not in en


def test_public_pages_send_an_etag_and_answer_304(client, world):
    first = client.get("/services")
    assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
    again = client.get("/services", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_village_page_shows_adviser_office_phone_next_visits_and_numbers_never_a_mobile(client, session, world):
    org = session.get(Organisation, world.person_a.organisation_id)
    org.phone = "0574-87654321"
    world.district_a.complaint_phone = "0574-12345"
    _publish_visit(session, world)
    text = client.get(f"/v/{world.village_a.external_id}").get_data(as_text=True)
    assert "王律师" in text and "0574-87654321" in text and "0574-12345" in text and "12348" in text
    assert world.person_a.phone not in text
    assert "webcal://" in text and "data:image/svg+xml" in text
    assert client.get(f"/v/{world.village_a.id}").status_code == 200


def test_village_page_of_a_window_or_unknown_is_404(client, world):
    assert client.get(f"/v/{world.window_a.external_id}").status_code == 404
    assert client.get("/v/no-such-village").status_code == 404


def test_village_page_and_calendar_show_no_draft(client, session, world):
    start = (NOW + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    week = monday_of(to_local(start).date())
    slot = Factory(session).slot(world.village_a, start=start, week_start=week)
    draft = get_or_create_draft(session, world.district_a.id, week, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    page = client.get(f"/v/{world.village_a.external_id}").get_data(as_text=True)
    assert "王律师" in page  # the adviser, not the draft visit
    assert "No visit is published yet." in client.get(f"/v/{world.village_a.external_id}?lang=en").get_data(
        as_text=True)
    calendar = client.get(f"/v/{world.village_a.external_id}/calendar.ics")
    assert calendar.status_code == 200 and b"VEVENT" not in calendar.data
    publish(session, world.district_a.id, week, None, now=NOW)
    calendar = client.get(f"/v/{world.village_a.external_id}/calendar.ics")
    assert b"VEVENT" in calendar.data and calendar.content_type.startswith("text/calendar")


def test_directory_shows_hours_from_templates_and_the_published_duty_with_badge(client, session, world):
    from datetime import time

    from models import ShiftTemplate, ShiftTemplateLine

    world.window_a.phone = "0574-8888"
    world.person_a.badge_no = "NB-0042"
    session.add(ShiftTemplate(site_id=world.window_a.id, name="上午", weekday=3, start_time=time(9),
                              end_time=time(12), lines=[ShiftTemplateLine(idx=0, roles=["lawyer"], count=1,
                                                                          skills=[])]))
    start = NOW.replace(hour=1, minute=0)  # 09:00 Beijing time, NOW's day (a Thursday)
    week = monday_of(to_local(start).date())
    slot = Factory(session).slot(world.window_a, start=start, week_start=week, kind="shift")
    draft = get_or_create_draft(session, world.district_a.id, week, None)
    draft.assignments.append(Assignment(slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    listing = client.get(f"/directory?district={world.district_a.id}").get_data(as_text=True)
    assert world.window_a.name in listing and world.village_a.name not in listing
    page = client.get(f"/directory/{world.window_a.id}").get_data(as_text=True)
    assert "09:00–12:00" in page and "0574-8888" in page
    assert "NB-0042" not in page  # a draft only
    publish(session, world.district_a.id, week, None, now=NOW)
    page = client.get(f"/directory/{world.window_a.id}").get_data(as_text=True)
    assert "王律师" in page and "NB-0042" in page and world.person_a.phone not in page
    assert client.get(f"/directory/{world.village_a.id}").status_code == 404


def test_village_search_by_district_and_name(client, world):
    assert world.village_a.name in client.get(f"/villages?district={world.district_a.id}").get_data(as_text=True)
    found = client.get("/villages?q=乙").get_data(as_text=True)
    assert world.village_b.name in found and world.village_a.name not in found


def test_referrals_of_a_district_and_the_city(client, session, world):
    session.add_all([Referral(district_id=world.district_a.id, name_zh="甲区信访局", phone="0574-1"),
                     Referral(district_id=world.district_b.id, name_zh="乙区信访局", phone="0574-2"),
                     Referral(district_id=None, name_zh="市劳动仲裁院", phone="0574-3")])
    session.flush()
    text = client.get(f"/referrals?district={world.district_a.id}").get_data(as_text=True)
    assert "甲区信访局" in text and "市劳动仲裁院" in text and "乙区信访局" not in text


def test_city_coordinator_edits_the_catalogue_and_it_is_audited(session, world, as_role):
    client = as_role("city")
    answer = client.post("/manage/services/new", data={
        "code": "labour", "name_zh": "劳动争议咨询", "name_en": "Labour disputes", "free": "y", "sort_order": "5"})
    assert answer.status_code == 302
    product = session.scalar(select(ServiceProduct).where(ServiceProduct.code == "labour"))
    assert product.name_zh == "劳动争议咨询"
    client.post(f"/manage/services/{product.id}/active", data={"active": "0"})
    session.refresh(product)
    assert not product.active
    assert "劳动争议咨询" not in client.get("/services").get_data(as_text=True)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "product.deactivate"))


def test_district_coordinator_cannot_edit_the_catalogue(session, world, as_role):
    client = as_role("coord_a")
    assert client.get("/manage/services").status_code == 200
    assert client.post("/manage/services/new", data={"code": "x", "name_zh": "x"}).status_code == 403
    assert session.scalar(select(ServiceProduct).where(ServiceProduct.code == "x")) is None


def test_district_coordinator_keeps_own_referrals_only(session, world, as_role):
    client = as_role("coord_a")
    assert client.post("/manage/referrals/new", data={
        "district_id": str(world.district_a.id), "name_zh": "甲区司法鉴定所", "phone": "0574-9"}).status_code == 302
    refused = client.post("/manage/referrals/new", data={
        "district_id": str(world.district_b.id), "name_zh": "乙区某局", "phone": "0574-9"})
    assert refused.status_code == 200  # not a choice of this coordinator's form
    other = Referral(district_id=world.district_b.id, name_zh="乙区信访局", phone="0574-2")
    session.add(other)
    session.flush()
    assert client.get(f"/manage/referrals/{other.id}").status_code == 404
    names = set(session.scalars(select(Referral.name_zh)))
    assert "甲区司法鉴定所" in names and "乙区某局" not in names


def test_a_request_refused_as_not_ours_shows_the_village_where_to_go(client, session, world):
    from models import VisitRequest
    from tests.web.conftest import login_as
    from tests.web.test_requests import form_data

    session.add(Referral(district_id=world.district_a.id, name_zh="甲区劳动仲裁院", phone="0574-7"))
    session.flush()
    login_as(client, world.users["coord_a"])
    client.post("/requests/new", data=form_data(village=str(world.village_a.id), channel="phone"))
    request = session.scalar(select(VisitRequest))
    client.post(f"/requests/{request.id}/cancel", data={"reason": "劳动争议，请到仲裁院", "not_ours": "y"})
    session.expire_all()
    assert request.status == "cancelled" and request.not_ours
    login_as(client, world.users["village"])
    page = client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "甲区劳动仲裁院" in page and "0574-7" in page


def test_a_village_cannot_refuse_its_own_request_as_not_ours(client, session, world):
    from models import VisitRequest
    from tests.web.conftest import login_as
    from tests.web.test_requests import form_data

    login_as(client, world.users["village"])
    client.post("/requests/new", data=form_data())
    request = session.scalar(select(VisitRequest))
    client.post(f"/requests/{request.id}/cancel", data={"reason": "不需要了", "not_ours": "y"})
    session.expire_all()
    assert request.status != "cancelled" and not request.not_ours


def test_a_coordinator_sets_a_badge_number_on_the_person_page(as_role, world, session):
    from models import Person

    client = as_role("coord_a")
    assert client.post(f"/people/{world.person_a.id}/edit", data={
        "name": "王律师", "phone": "13812345678", "badge_no": " NB-0009 ", "organisation": "", "roles": ["lawyer"],
        "skills": "", "max_hours_week": "8"}).status_code == 302
    session.expire_all()
    assert session.get(Person, world.person_a.id).badge_no == "NB-0009"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.update")).one()
    assert entry.details["badge_no"] == [None, "NB-0009"]
    assert "NB-0009" in client.get(f"/people/{world.person_a.id}").get_data(as_text=True)


def test_a_district_coordinator_sets_the_public_numbers_shown_on_the_village_page(as_role, client, world, session):
    coordinator = as_role("coord_a")
    assert coordinator.post(f"/manage/districts/{world.district_a.id}/numbers",
                            data={"hotline": "0574-12348", "complaint_phone": "0574-87001234"}).status_code == 302
    assert coordinator.post(f"/manage/districts/{world.district_b.id}/numbers",
                            data={"hotline": "1", "complaint_phone": "2"}).status_code == 403
    client.post("/logout")
    page = client.get(f"/v/{world.village_a.external_id}").get_data(as_text=True)
    assert "0574-12348" in page and "0574-87001234" in page


def test_the_editors_check_csrf(engine, session, world, tmp_path, monkeypatch):
    import re

    from tests.web.conftest import build_app, login_as

    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    client = build_app(engine, session, tmp_path, WTF_CSRF_ENABLED=True).test_client()
    login_as(client, world.users["city"])
    data = {"code": "labour", "name_zh": "劳动争议咨询", "sort_order": "5"}
    client.post("/manage/services/new", data=data)
    assert session.scalar(select(ServiceProduct).where(ServiceProduct.code == "labour")) is None
    form = client.get("/manage/services/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/manage/services/new", data={**data, "csrf_token": token}).status_code == 302
    assert session.scalar(select(ServiceProduct).where(ServiceProduct.code == "labour")) is not None


def test_public_pages_cost_a_bounded_number_of_queries(client, session, world):
    from sqlalchemy import event

    for days in (1, 2, 3, 4, 5):
        _publish_visit(session, world, days=days)
    counted = []
    engine = session.get_bind()

    def count(*_args, **_kwargs):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for url in (f"/v/{world.village_a.external_id}", f"/directory/{world.window_a.id}", "/services",
                    f"/referrals?district={world.district_a.id}"):
            counted.clear()
            assert client.get(url).status_code == 200
            assert 0 < len(counted) <= 12, (url, len(counted))
    finally:
        event.remove(engine, "before_cursor_execute", count)
