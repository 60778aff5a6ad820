"""Downloads named after user text (issue 13, row 12): a CR/LF, a quote or a slash in a
village's, a person's or a district's name made the Content-Disposition header invalid (500);
the name is made safe and sent as RFC 6266 asks (`filename*=UTF-8''...`)."""
from __future__ import annotations

from urllib.parse import unquote

import pytest
from sqlalchemy import select

from models import Assignment
from tests.factories import MONDAY
from tests.web.conftest import NOW, login_as
from web.downloads import safe_filename

HOSTILE = '湾底\r\nSet-Cookie: x=1\r\n"村/../\\'


def saved_name(response) -> str:
    header = response.headers["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.startswith("attachment; ")
    encoded = header.split("filename*=UTF-8''", 1)[1]
    return unquote(encoded)


def test_a_village_record_of_a_village_with_a_line_break_in_its_name(client, world, session):
    world.village_a.name = HOSTILE
    session.flush()
    login_as(client, world.users["coord_a"])
    response = client.get(f"/transfer/records/village/{world.village_a.id}?format=csv")
    assert response.status_code == 200
    assert not any("x=1" in cookie for cookie in response.headers.getlist("Set-Cookie"))
    name = saved_name(response)
    assert name == f"湾底 Set-Cookie x=1 村 .. -{world.village_a.external_id}-服务记录.csv"
    assert "/" not in name and "\\" not in name and '"' not in name


def test_a_person_record_and_the_week_export(client, world, session, make):
    world.person_a.name = "王\n律师"
    world.district_a.name = "甲区\r\n"
    slot = make.slot(world.window_a, kind="shift")
    schedule = make.schedule(world.district_a, state="published", version=1, published_at=NOW)
    session.add(Assignment(schedule_id=schedule.id, slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    login_as(client, world.users["coord_a"])
    record = client.get(f"/transfer/records/person/{world.person_a.id}?format=xlsx")
    assert record.status_code == 200
    assert saved_name(record) == f"王 律师-{world.person_a.external_id}-服务记录.xlsx"
    week = client.get(f"/transfer/export/week?district={world.district_a.id}&week={MONDAY}&format=csv")
    assert week.status_code == 200 and saved_name(week) == f"甲区 -{MONDAY.isoformat()}-v1.csv"
    assert session.scalar(select(Assignment.id).where(Assignment.schedule_id == schedule.id))


@pytest.mark.parametrize(("given", "safe"), [
    ("甲区-2026-12-07-v1.csv", "甲区-2026-12-07-v1.csv"),
    ("a\r\nb.xlsx", "a b.xlsx"),
    ("../../etc/passwd", "etc passwd"),
    ("..", "download"),
    ('"quoted".pdf', "quoted.pdf"),
    ("\u2028\x00.csv", "download.csv"),
    ("甲" * 300 + ".pdf", "甲" * 100 + ".pdf"),
])
def test_safe_file_names(given, safe):
    assert safe_filename(given) == safe
