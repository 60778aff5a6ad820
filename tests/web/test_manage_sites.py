"""Site pages for coordinators: edit, create, conflicts of interest; every problem at once in
the reader's language; other districts' sites answer 404."""
from __future__ import annotations

from sqlalchemy import select

from models import AuditEntry, Site, SiteExclusion

FORM = {"name": "甲村", "lat": "29.8", "lon": "121.55", "address": "甲村村委会", "phone": "0574-88123456",
        "needs": "land，family", "active": "y", "visit_every_weeks": "2", "visit_anchor": "2026-12-09",
        "visit_weekday": "2", "visit_start": "09:00", "visit_minutes": "120", "township": ""}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_edit_page_shows_the_current_values_in_both_languages(as_role, world, session):
    world.village_a.visit_every_weeks, world.village_a.visit_start = 4, None
    session.flush()
    client = as_role("coord_a")
    zh = page(client, f"/sites/{world.village_a.id}/edit")
    assert 'value="甲村"' in zh and "纬度" in zh and "走访间隔（周）" in zh and 'value="4"' in zh
    en = page(client, f"/sites/{world.village_a.id}/edit?lang=en")
    assert "Latitude" in en and "Visit every (weeks)" in en


def test_saving_an_edit_updates_the_site_and_the_audit_log(as_role, world, session):
    client = as_role("coord_a")
    response = client.post(f"/sites/{world.village_a.id}/edit", data={**FORM, "name": "甲村（新）"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sites/{world.village_a.id}")
    session.refresh(world.village_a)
    assert world.village_a.name == "甲村（新）" and world.village_a.needs == ["family", "land"]
    assert str(world.village_a.visit_anchor) == "2026-12-07" and world.village_a.visit_minutes == 120
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == world.village_a.external_id)) \
        == "site.update"
    detail = page(client, f"/sites/{world.village_a.id}")
    assert "甲村（新）" in detail and "每 2 周" in detail


def test_every_problem_is_listed_at_once_in_chinese_and_english(as_role, world, session):
    bad = {**FORM, "name": "", "lat": "95", "lon": "east", "phone": "打电话", "needs": "Land Law",
           "visit_weekday": "", "visit_start": "25:00"}
    client = as_role("coord_a")
    zh = client.post(f"/sites/{world.village_a.id}/edit", data=bad).get_data(as_text=True)
    for text in ("请修正以下 7 个问题", "名称：请填写此项。", "请输入 -90 到 90 之间的值。", "不是有效的浮点数",
                 "只能包含数字、空格、+、- 和括号。", "Land Law", "不是有效的时间值",
                 "定时走访需要填写间隔、星期、开始时间和时长。"):
        assert text in zh, text
    en = client.post(f"/sites/{world.village_a.id}/edit?lang=en", data=bad).get_data(as_text=True)
    for text in ("Please fix these 7 problems", "Enter a value from -90 to 90.", "Not a valid float value",
                 "Digits, spaces, +, - and brackets only.", "A regular visit needs how often"):
        assert text in en, text
    session.refresh(world.village_a)
    assert world.village_a.name == "甲村"


def test_a_district_coordinator_creates_a_site_in_their_district(as_role, world, session):
    client = as_role("coord_a")
    form = page(client, "/sites/new")
    assert "地点编号" in form and world.district_a.name in form
    data = {**FORM, "external_id": "A-Q9", "kind": "square", "name": "甲广场", "visit_every_weeks": "",
            "visit_anchor": "", "visit_weekday": "", "visit_start": "", "visit_minutes": ""}
    response = client.post("/sites/new", data=data)
    site = session.scalar(select(Site).where(Site.external_id == "A-Q9"))
    assert response.status_code == 302 and site.district_id == world.district_a.id and site.kind == "square"
    again = client.post("/sites/new", data=data).get_data(as_text=True)
    assert "地点编号 A-Q9 已被其他地点使用。" in again


def test_city_coordinators_choose_the_district_first(as_role, world):
    client = as_role("city")
    chooser = page(client, "/sites/new")
    assert world.district_a.name in chooser and world.district_b.name in chooser
    assert world.district_b.name in page(client, f"/sites/new?district={world.district_b.id}")
    assert as_role("coord_b").get(f"/sites/new?district={world.district_a.id}").status_code == 403


def test_conflicts_of_interest_on_the_site_page(as_role, world, session):
    client = as_role("coord_a")
    response = client.post(f"/sites/{world.village_a.id}/exclusions",
                           data={"person": world.person_a.external_id, "reason": "亲属在本村"},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "王律师 今后不会被安排到 甲村。" in text and "亲属在本村" in text
    # The person is the village's standing adviser: the coordinator is told to re-pair.
    assert "是本村的结对法律顾问" in text
    assert session.get(SiteExclusion, (world.person_a.id, world.village_a.id)).reason == "亲属在本村"
    refused = client.post(f"/sites/{world.village_a.id}/exclusions?lang=en",
                          data={"person": "nobody", "reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "No one in this district has the ID or name nobody." in refused and "This is required." in refused
    removed = client.post(f"/sites/{world.village_a.id}/exclusions/{world.person_a.id}/remove",
                          follow_redirects=True).get_data(as_text=True)
    assert session.get(SiteExclusion, (world.person_a.id, world.village_a.id)) is None
    assert "The conflict of interest of 王律师 has been removed." in removed


def test_another_districts_site_cannot_be_changed(as_role, world, session):
    client = as_role("coord_b")
    assert client.post(f"/sites/{world.village_a.id}/edit", data=FORM).status_code == 404
    assert client.post(f"/sites/{world.village_a.id}/exclusions",
                       data={"person": world.person_b.external_id, "reason": "x"}).status_code == 404
    # B's person is unknown at A's site even for the city coordinator (another district).
    text = as_role("city").post(f"/sites/{world.village_a.id}/exclusions",
                                data={"person": world.person_b.external_id, "reason": "x"},
                                follow_redirects=True).get_data(as_text=True)
    assert "本区县没有编号或姓名为" in text
    assert session.scalars(select(SiteExclusion)).all() == []
