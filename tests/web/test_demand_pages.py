"""Shift templates and square events pages: inline demand lines without JavaScript, every
problem at once in both languages, the holiday calendar, deactivate and cancel."""
from __future__ import annotations

from datetime import UTC, time, timedelta

from sqlalchemy import select

from models import EventLine, ShiftTemplate, ShiftTemplateLine, Site, SquareEvent
from tests.web.conftest import NOW


def shift_form(world, **kw) -> dict:
    return {"site": str(world.window_a.id), "name": "上午", "weekday": "0", "start": "09:00", "end": "12:00",
            "priority": "3", "lines-0-roles": ["lawyer", "trainee_lawyer"], "lines-0-count": "2",
            "lines-0-skills": "family", **kw}


def add_template(session, world, weekday=0) -> ShiftTemplate:
    t = ShiftTemplate(site_id=world.window_a.id, name="上午", weekday=weekday, start_time=time(9), end_time=time(12),
                      lines=[ShiftTemplateLine(idx=0, roles=["lawyer"], count=1, skills=[]),
                             ShiftTemplateLine(idx=1, roles=["notary"], count=1, skills=[])])
    session.add(t)
    session.flush()
    return t


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_calendar_shows_holidays_and_make_up_days_in_both_languages(as_role, world, session):
    add_template(session, world, weekday=2)
    client = as_role("coord_a")
    url = f"/districts/{world.district_a.id}/demand?from=2026-10-07&weeks=1"
    zh = text(client.get(url))
    # Monday 5 October is closed for National Day; Saturday 10 October works as Wednesday.
    assert "国庆节" in zh and "调休上班日" in zh and "按星期三上班" in zh and "跳过 1 个班次" in zh
    assert "2026年10月5日" in zh
    en = text(client.get(url + "&lang=en"))
    assert "National Day (observed)" in en and "works as Wednesday" in en and "1 shift skipped" in en
    assert text(client.get(f"/districts/{world.district_a.id}/demand?from=nonsense&lang=zh")).count("不是有效日期") == 1


def test_add_and_remove_lines_redraw_the_form_without_saving(as_role, world, session):
    client = as_role("coord_a")
    url = f"/districts/{world.district_a.id}/shifts/new"
    added = text(client.post(url, data={**shift_form(world), "add_line": "添加一行"}))
    assert 'name="lines-1-count"' in added and "删除第 2 行" in added
    removed = text(client.post(url, data={**shift_form(world), "lines-1-roles": "notary", "lines-1-count": "3",
                                          "remove_line": "0"}))
    # Line 2 became line 1, with its values.
    assert 'name="lines-1-count"' not in removed
    assert 'id="lines-0-count" name="lines-0-count" type="number" value="3"' in removed
    assert 'checked id="lines-0-roles-2" name="lines-0-roles" type="checkbox" value="notary"' in removed
    assert session.scalars(select(ShiftTemplate)).all() == []


def test_every_problem_of_a_shift_is_listed_at_once(as_role, world, session):
    bad = shift_form(world, name="", end="08:00", priority="9", **{"lines-0-count": "0", "lines-1-count": "x",
                                                                  "lines-1-skills": "Bad Tag"})
    client = as_role("coord_a")
    url = f"/districts/{world.district_a.id}/shifts/new"
    zh = text(client.post(url, data=bad))
    for message in ("请修正以下 7 个问题", "班次名称：请填写此项。", "结束时间必须晚于开始时间。", "请选择 1 至 5 之间的优先级。",
                    "第 1 行：人数须在 1 至 50 之间。", "第 2 行：请至少选择一种身份。", "第 2 行：人数：不是有效的整数。",
                    "第 2 行：未知专长：Bad Tag。请填写专长的代码、中文名或英文名。"):
        assert message in zh, message
    en = text(client.post(url + "?lang=en", data=bad))
    for message in ("Please fix these 7 problems", "Shift name: This is required.", "Choose a priority from 1 to 5.",
                    "Line 1: the number of people must be from 1 to 50.", "Line 2: choose at least one role."):
        assert message in en, message
    assert session.scalars(select(ShiftTemplate)).all() == []


def test_create_edit_and_deactivate_a_shift(as_role, world, session):
    client = as_role("coord_a")
    response = client.post(f"/districts/{world.district_a.id}/shifts/new",
                           data=shift_form(world, **{"lines-1-roles": "notary", "lines-1-count": "1"}))
    assert response.status_code == 302
    t = session.scalars(select(ShiftTemplate)).one()
    assert [(ln.roles, ln.count, ln.skills) for ln in t.lines] == [
        (["lawyer", "trainee_lawyer"], 2, ["family"]), (["notary"], 1, [])]
    page = text(client.get(f"/shifts/{t.id}/edit"))
    assert 'value="上午"' in page and 'name="lines-1-count" type="number" value="1"' in page
    client.post(f"/shifts/{t.id}/edit", data=shift_form(world, end="11:30"))
    session.refresh(t)
    assert t.end_time == time(11, 30) and len(t.lines) == 1
    client.post(f"/shifts/{t.id}/deactivate")
    session.refresh(t)
    listing = text(client.get(f"/districts/{world.district_a.id}/demand"))
    assert not t.active and "已停用" in listing and "重新启用" in listing


def test_a_shift_at_another_districts_window_is_refused(as_role, world, make, session):
    other = make.site(world.district_b, kind="window", name="乙窗口")
    client = as_role("city")
    page = text(client.post(f"/districts/{world.district_a.id}/shifts/new?lang=en",
                            data=shift_form(world, site=str(other.id))))
    assert "Choose a site of this district." in page
    assert session.scalars(select(ShiftTemplate)).all() == []
    t = add_template(session, world)
    assert as_role("coord_b").post(f"/shifts/{t.id}/edit", data=shift_form(world)).status_code == 404


def test_events_are_created_in_local_time_and_cancelled(as_role, world, session, make):
    square = make.site(world.district_a, kind="square", name="甲广场")
    start = (NOW + timedelta(days=10)).strftime("%Y-%m-%d")
    data = {"site": str(square.id), "title": "宪法宣传日", "description": "", "start_at": f"{start}T09:00",
            "end_at": f"{start}T11:30", "priority": "4", "lines-0-roles": ["lawyer"], "lines-0-count": "2"}
    client = as_role("coord_a")
    assert client.post(f"/districts/{world.district_a.id}/events/new", data=data).status_code == 302
    event = session.scalars(select(SquareEvent)).one()
    assert event.start_at.astimezone(UTC).hour == 1  # 09:00 in Shanghai
    edit = text(client.get(f"/events/{event.id}/edit"))
    assert f'value="{start}T09:00"' in edit
    client.post(f"/events/{event.id}/cancel")
    session.refresh(event)
    assert event.status == "cancelled"
    assert "已取消" in text(client.get(f"/districts/{world.district_a.id}/demand"))
    refused = text(client.post(f"/events/{event.id}/edit?lang=en", data=data))
    assert "This event is cancelled and can no longer be changed." in refused


def test_event_time_problems_in_english(as_role, world, session, make):
    square = make.site(world.district_a, kind="square")
    data = {"site": str(square.id), "title": "普法", "start_at": "2026-12-12T11:00", "end_at": "2026-12-12T09:00",
            "priority": "4", "lines-0-count": "1"}
    page = text(as_role("coord_a").post(f"/districts/{world.district_a.id}/events/new?lang=en", data=data))
    assert "Ends: The end must be after the start." in page and "Line 1: choose at least one role." in page
    assert session.scalars(select(SquareEvent)).all() == []
    assert session.scalars(select(EventLine)).all() == []
    assert session.scalar(select(Site).where(Site.id == square.id)).kind == "square"
