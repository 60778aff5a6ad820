"""The transfer pages: upload, preview, confirm; template downloads; exports; print pages."""
from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from models import Assignment, AuditEntry, FeedToken, Person
from scheduler.feeds.render import cached_feed
from scheduler.feeds.tokens import issue_token
from tests.factories import MONDAY
from tests.scheduler.spreadsheets import PEOPLE_HEAD, person_row, xlsx
from tests.web.conftest import NOW, login_as

CONFIRM = re.compile(r'action="(/transfer/import/[A-Za-z0-9_-]{32})"')


def upload(client, data: bytes, name: str = "people.xlsx", lang: str = "zh", **fields):
    return client.post(f"/transfer/import?lang={lang}", data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def people(session) -> int:
    return session.scalar(select(func.count()).select_from(Person))


def test_upload_previews_then_confirm_imports_and_audits(client, world, session):
    login_as(client, world.users["coord_a"])
    before = people(session)
    data = xlsx({"人员": [PEOPLE_HEAD, person_row("A-1", "甲区"), person_row("A-2", "甲区", name="赵敏")]})
    page = upload(client, data).get_data(as_text=True)
    assert "新增：2" in page and "A-2" in page and "赵敏" in page
    assert people(session) == before
    action = CONFIRM.search(page).group(1)
    done = client.post(action)
    assert done.status_code == 302 and people(session) == before + 2
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "import.people"))
    assert entry.user_id == world.users["coord_a"].id
    assert client.post(action).status_code == 404  # used once
    again = upload(client, data).get_data(as_text=True)
    assert "未变：2" in again and not CONFIRM.search(again)


def test_a_bad_file_lists_every_problem_in_the_readers_language(client, world, session):
    login_as(client, world.users["coord_a"])
    data = xlsx({"人员": [PEOPLE_HEAD, person_row("A-1", "甲区", phone="电话"), person_row("A-2", "乙区")]})
    page = upload(client, data).get_data(as_text=True)
    assert "文件未导入：共 2 处问题" in page and not CONFIRM.search(page)
    assert re.search(r"<td>人员</td><td>2</td><td>F 手机</td><td>电话号码只能包含数字", page)
    assert re.search(r"<td>人员</td><td>3</td><td>B 区县</td><td>“乙区”不是本次导入的区县", page)
    english = upload(client, data, lang="en").get_data(as_text=True)
    assert "The file was not imported: 2 problems" in english
    assert "A phone number holds digits, spaces, +, - and brackets only" in english
    assert people(session) == 2


def test_a_pending_file_is_only_for_the_user_who_uploaded_it(app, world):
    first = app.test_client()
    login_as(first, world.users["city"])
    page = upload(first, xlsx({"人员": [PEOPLE_HEAD, person_row("A-1", "甲区")]})).get_data(as_text=True)
    action = CONFIRM.search(page).group(1)
    other = app.test_client()
    login_as(other, world.users["coord_a"])
    assert other.post(action).status_code == 404


def test_templates_download_as_workbooks_with_chinese_headings(client, world):
    login_as(client, world.users["coord_a"])
    response = client.get("/transfer/templates/pairings.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["村编号", "村名", "顾问编号"]
    assert client.get("/transfer/templates/nothing.xlsx").status_code == 404


@pytest.fixture
def published(session, make, world):
    slot = make.slot(world.window_a, kind="shift")
    schedule = make.schedule(world.district_a, state="published", version=1, published_at=NOW)
    session.add(Assignment(schedule_id=schedule.id, slot_id=slot.id, person_id=world.person_a.id, line_index=0))
    session.flush()
    return slot


def test_week_export_masks_phones_unless_asked_and_audits_that(client, world, session, published):
    login_as(client, world.users["coord_a"])
    url = f"/transfer/export/week?district={world.district_a.id}&week={MONDAY}&format=csv"
    masked = client.get(url).data.decode("utf-8-sig")
    assert "王律师" in masked and "138****5678" in masked and "13812345678" not in masked
    full = client.post("/transfer/export/week", data={
        "district": world.district_a.id, "week": MONDAY, "format": "csv", "full_phones": "y"}).data.decode("utf-8-sig")
    assert "13812345678" in full
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "export.full_phones"))
    book = load_workbook(io.BytesIO(client.get(url.replace("csv", "xlsx")).data))
    assert book.sheetnames[-1] == "人员 People"
    unpublished = client.get(f"/transfer/export/week?district={world.district_a.id}&week=2026-12-07")
    assert unpublished.status_code == 302


def test_roster_page_and_pdf(client, world, published):
    login_as(client, world.users["coord_a"])
    page = client.get(f"/transfer/print/roster/{world.window_a.id}?week={MONDAY}").get_data(as_text=True)
    assert "甲镇司法所窗口值班表" in page and "王律师" in page and "/transfer/notices.css" in page
    pdf = client.get(f"/transfer/print/roster/{world.window_a.id}.pdf?week={MONDAY}")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "王律师" in text and "甲律师事务所" in text and "12348" in text


def test_poster_with_a_new_calendar_link_shows_its_qr_and_revokes_the_old_link(client, world, session):
    login_as(client, world.users["coord_a"])
    old = issue_token(session, "village", world.village_a.id, now=NOW)
    page = client.get(f"/transfer/print/poster/{world.village_a.id}").get_data(as_text=True)
    # The QR code opens the village's public page; no calendar link until one is made.
    assert "甲村" in page and "王律师" in page and "data:image/svg+xml;base64," in page and "/feeds/" not in page
    linked = client.post(f"/transfer/print/poster/{world.village_a.id}", data={"as_page": "1"}).get_data(as_text=True)
    assert "data:image/svg+xml;base64," in linked and "订阅来访日历：http" in linked and "/feeds/" in linked
    assert cached_feed(session, old, now=NOW) is None
    assert session.scalar(select(func.count()).select_from(FeedToken).where(
        FeedToken.subject_kind == "village", FeedToken.revoked_at.is_(None))) == 1
    pdf = client.post(f"/transfer/print/poster/{world.village_a.id}", data={"as_pdf": "1"})
    assert pdf.headers["Content-Type"] == "application/pdf"


def test_find_opens_by_id_within_the_district_only(client, world):
    login_as(client, world.users["coord_b"])
    found = client.get(f"/transfer/find?what=person_record&ref={world.person_b.external_id}")
    assert found.status_code == 302 and f"/transfer/records/person/{world.person_b.id}" in found.headers["Location"]
    hidden = client.get(f"/transfer/find?what=poster&ref={world.village_a.external_id}")
    assert hidden.headers["Location"].endswith("/transfer/")


def test_a_hostile_workbook_is_refused_with_the_reason_in_the_readers_language(client, world, session):
    book = Workbook()
    book.active.title = "人员"
    book.active.append(PEOPLE_HEAD)
    book.active.append(person_row("A-1", "甲区"))
    book.active["XFD2000"] = 1  # a 5 KB file that made 2,000 rows of 16,384 cells
    data = io.BytesIO()
    book.save(data)
    login_as(client, world.users["coord_a"])
    chinese = upload(client, data.getvalue())
    assert chinese.status_code == 422
    page = chinese.get_data(as_text=True)
    assert "文件未导入" in page and "第 XFD 列超出范围：每行最多 64 列（到 BL 列）" in page and not CONFIRM.search(page)
    english = upload(client, data.getvalue(), lang="en")
    assert english.status_code == 422
    assert "Column XFD is out of range: a row has at most 64 columns (up to BL)" in english.get_data(as_text=True)
    assert people(session) == 2


def test_pending_imports_are_kept_owner_only(app, client, world):
    """Issue 13 row 17: a file waiting for confirmation (people's phone numbers) is 0600 in a
    0700 folder, whatever the umask."""
    old = os.umask(0o022)
    try:
        login_as(client, world.users["coord_a"])
        page = upload(client, xlsx({"人员": [PEOPLE_HEAD, person_row("A-1", "甲区")]})).get_data(as_text=True)
    finally:
        os.umask(old)
    token = CONFIRM.search(page).group(1).rsplit("/", 1)[1]
    folder = Path(app.instance_path) / "imports"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    kept = sorted(folder.glob(f"{token}.*"))
    assert [p.suffix for p in kept] == [".bin", ".json"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)


def test_a_get_with_full_phones_shows_masked_numbers_and_records_nothing(client, world, session, published):
    """Issue 13 row 11: full numbers are audited, so a GET (a link from another site) never
    gives them: exports, records and posters ignore `full_phones=1` on a GET."""
    login_as(client, world.users["coord_a"])
    week = client.get(f"/transfer/export/week?district={world.district_a.id}&week={MONDAY}&format=csv"
                      "&full_phones=1").data.decode("utf-8-sig")
    assert "138****5678" in week and "13812345678" not in week
    record = client.get(f"/transfer/records/person/{world.person_a.id}?format=csv&full_phones=1")
    assert record.status_code == 200 and b"13812345678" not in record.data
    for url in (f"/transfer/print/poster/{world.village_a.id}?full_phones=1",
                f"/transfer/print/poster/{world.village_a.id}.pdf?full_phones=1"):
        assert client.get(url).status_code == 200
    assert "13812345678" not in client.get(f"/transfer/print/poster/{world.village_a.id}?full_phones=1").get_data(
        as_text=True)
    audited = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("%full_phones"))).all()
    assert audited == []
    # The POST with the form's token still gives them, and records it.
    full = client.post(f"/transfer/records/person/{world.person_a.id}", data={"format": "csv"})
    assert full.status_code == 200
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "export.full_phones")).all()
