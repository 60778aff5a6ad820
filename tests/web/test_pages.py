"""What each landing page shows, and the people and sites pages."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from models import AuditEntry, Pairing, Person


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_district_coordinator_dashboard_lists_only_their_district_with_counts(as_role, world, make):
    make.person(world.district_a, active=False)
    page = text(as_role("coord_a"), "/dashboard?lang=en")
    assert world.district_a.name in page and world.district_b.name not in page
    # Two people (one deactivated), one active; a village and a window.
    row = page[page.index(world.district_a.name):]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:5]]
    assert cells == ["2", "1", "2", "1"]


def test_city_coordinator_sees_every_district_and_a_total(as_role, world):
    page = text(as_role("city"), "/dashboard")
    assert world.district_a.name in page and world.district_b.name in page
    assert "合计" in page


def test_district_page(as_role, world):
    page = text(as_role("coord_a"), f"/districts/{world.district_a.id}")
    assert "司法所窗口" in page and "村（社区）" in page


def test_provider_sees_their_own_details_and_villages(as_role, world):
    page = text(as_role("provider"), "/me")
    assert world.person_a.name in page and "律师" in page and "婚姻家庭" in page
    assert "甲律师事务所" in page and world.village_a.name in page


def test_village_representative_sees_the_current_adviser(as_role, world, session):
    page = text(as_role("village"), "/my-village")
    assert world.village_a.name in page and world.person_a.name in page and "13812345678" in page
    # An ended pairing is history, not the current adviser.
    world.pairing_a.valid_to = date(2021, 1, 1)
    session.flush()
    page = text(as_role("village"), "/my-village")
    assert world.person_a.name not in page and "没有结对法律顾问" in page


def test_village_page_shows_a_new_adviser_after_re_pairing(as_role, world, session, make):
    world.pairing_a.valid_to = date(2021, 1, 1)
    successor = make.person(world.district_a, name="赵律师")
    session.add(Pairing(site_id=world.village_a.id, person_id=successor.id, valid_from=date(2021, 1, 2)))
    session.flush()
    assert "赵律师" in text(as_role("village"), "/my-village")


def test_people_list_masks_phones_and_searches(as_role, world, make):
    make.person(world.district_a, name="陈调解员", roles=("mediator",), phone="0574-87654321")
    client = as_role("coord_a")
    page = text(client, "/people/")
    assert "138****5678" in page and "13812345678" not in page
    assert "057*-****4321" in page
    assert "陈调解员" in text(client, "/people/?q=陈")
    assert world.person_a.name not in text(client, "/people/?q=陈")
    assert world.person_a.name not in text(client, "/people/?role=mediator")
    # A phone search finds the person without the page showing the number.
    found = text(client, "/people/?q=5678")
    assert world.person_a.name in found and "13812345678" not in found


def test_people_list_status_filter_and_like_wildcards(as_role, world, make):
    make.person(world.district_a, name="停用的人", active=False)
    client = as_role("coord_a")
    assert "停用的人" not in text(client, "/people/")
    assert "停用的人" in text(client, "/people/?status=inactive")
    assert world.person_a.name not in text(client, "/people/?status=inactive")
    assert "共找到 0 人" in text(client, "/people/?q=%25")


def test_people_list_pages(as_role, world, make):
    for i in range(55):
        make.person(world.district_a, name=f"排序{i:02d}")
    client = as_role("coord_a")
    first = text(client, "/people/?q=排序")
    assert "第 1 页，共 2 页" in first and "排序00" in first and "排序54" not in first
    second = text(client, "/people/?q=排序&page=2")
    assert "排序54" in second and "排序00" not in second
    assert "第 2 页，共 2 页" in text(client, "/people/?q=排序&page=99")


def test_person_detail_masks_the_phone_until_shown_and_audits_the_showing(as_role, world, session):
    """Issue 13 row 8: the page showed the full mobile number and nobody knew who had looked."""
    client = as_role("city")
    page = text(client, f"/people/{world.person_a.id}")
    assert "138****5678" in page and "13812345678" not in page and world.village_a.name in page
    assert ">显示</button>" in page
    shown = client.post(f"/people/{world.person_a.id}/phone")
    assert shown.status_code == 200 and "13812345678" in shown.get_data(as_text=True)
    session.expire_all()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.phone_revealed")).one()
    assert entry.object_id == world.person_a.external_id and entry.details == {"phone": "138****5678"}
    assert ">Show</button>" in text(client, f"/people/{world.person_a.id}?lang=en")


def test_edit_person_saves_and_audits(as_role, world, session):
    client = as_role("coord_a")
    form = text(client, f"/people/{world.person_a.id}/edit")
    assert 'value="王律师"' in form
    assert re.search(r'<input checked id="roles-\d" name="roles" type="checkbox" value="lawyer">', form)
    response = client.post(f"/people/{world.person_a.id}/edit", data={
        "name": "王大律师", "phone": "13800000000", "email": "wang@example.com",
        "organisation": "", "roles": ["lawyer", "mediator"], "skills": "family, labour",
        "max_hours_week": "10", "target_hours_week": "6", "max_slots_per_day": "2", "max_paired_sites": "",
    })
    assert response.status_code == 302
    session.expire_all()
    person = session.get(Person, world.person_a.id)
    assert person.name == "王大律师" and person.role_names == ["lawyer", "mediator"]
    assert person.skill_names == ["family", "labour"] and person.organisation_id is None
    assert person.max_hours_week == 10 and person.target_hours_week == 6 and person.max_slots_per_day == 2
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_id == person.external_id)).one()
    assert entry.action == "person.update" and entry.details["name"] == ["王律师", "王大律师"]
    # Issue 13 row 7: the append-only audit log keeps contact details masked, never in full.
    assert entry.details["phone"] == ["138****5678", "138****0000"]
    assert entry.details["email"] == [None, "w***@example.com"]
    assert "13800000000" not in str(entry.details) and "wang@example.com" not in str(entry.details)


def test_edit_person_refuses_bad_input_with_messages(as_role, world, session):
    client = as_role("coord_a")
    base = {"name": "王律师", "roles": ["lawyer"], "max_hours_week": "8", "organisation": ""}
    page = client.post(f"/people/{world.person_a.id}/edit", data={**base, "roles": []}).get_data(as_text=True)
    assert "请至少选择一种身份" in page
    page = client.post(f"/people/{world.person_a.id}/edit",
                       data={**base, "target_hours_week": "9"}).get_data(as_text=True)
    assert "目标工作小时数不能超过最多工作小时数" in page
    page = client.post(f"/people/{world.person_a.id}/edit", data={**base, "skills": "家事"}).get_data(as_text=True)
    assert "未知专长：家事" in page
    page = client.post(f"/people/{world.person_a.id}/edit", data={**base, "phone": "call me"}).get_data(as_text=True)
    assert "只能包含数字" in page
    session.expire_all()
    assert session.get(Person, world.person_a.id).target_hours_week is None


def test_organisation_of_another_district_is_refused(as_role, world, session):
    from models import Organisation

    foreign = Organisation(external_id="ORG-B", district_id=world.district_b.id, kind="law_firm", name="乙所")
    session.add(foreign)
    session.flush()
    page = as_role("coord_a").post(f"/people/{world.person_a.id}/edit", data={
        "name": "王律师", "roles": ["lawyer"], "max_hours_week": "8", "organisation": str(foreign.id),
    }).get_data(as_text=True)
    assert "乙所" not in page.split('<select id="organisation"')[1].split("</select>")[0]
    session.expire_all()
    assert session.get(Person, world.person_a.id).organisation_id != foreign.id


def test_deactivate_and_reactivate(as_role, world, session):
    client = as_role("coord_a")
    detail = text(client, f"/people/{world.person_a.id}")
    assert "重新结对之前将没有法律顾问" in detail
    page = client.post(f"/people/{world.person_a.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert "已停用 王律师" in page
    session.expire_all()
    assert not session.get(Person, world.person_a.id).active
    client.post(f"/people/{world.person_a.id}/reactivate")
    session.expire_all()
    assert session.get(Person, world.person_a.id).active
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == world.person_a.external_id)).all()
    assert sorted(actions) == ["person.deactivate", "person.reactivate"]


def test_sites_list_filters_and_detail(as_role, world):
    client = as_role("coord_a")
    page = text(client, "/sites/")
    assert world.village_a.name in page and world.window_a.name in page
    villages = text(client, "/sites/?kind=village")
    assert world.village_a.name in villages and world.window_a.name not in villages
    detail = text(client, f"/sites/{world.village_a.id}")
    assert world.person_a.name in detail and "结对法律顾问" in detail


def test_pages_render_in_english_too(as_role, world):
    client = as_role("coord_a")
    for url in ("/dashboard", f"/districts/{world.district_a.id}", "/people/", f"/people/{world.person_a.id}",
                f"/people/{world.person_a.id}/edit", "/sites/", f"/sites/{world.village_a.id}", "/password"):
        page = text(client, url + ("&" if "?" in url else "?") + "lang=en")
        assert '<html lang="en">' in page
