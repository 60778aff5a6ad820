"""Exports of a published week and of service records: content, masking, access, audit."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEntry
from scheduler.core.access import AccessDenied, NotVisible
from scheduler.transfer.exports import (
    NothingPublished,
    person_record,
    published_week,
    to_xlsx,
    village_record,
    week_csv,
    week_xlsx,
)
from tests.scheduler.published import WEEK
from tests.scheduler.published import published_week as build


@pytest.fixture
def pub(session, make):
    return build(session, make)


def sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_week_workbook_has_a_sheet_per_township_and_a_people_list(session, pub):
    book = sheets(week_xlsx(published_week(session, None, pub.district.id, WEEK)))
    assert list(book) == ["下应街道", "人员 People"]
    rows = [r for r in book["下应街道"] if r and r[0] and r[0].startswith("2026")]
    assert [(r[0], r[2], r[3], r[5], r[9], r[11], r[12]) for r in rows] == [
        ("2026-03-02", "08:30", "12:00", "下应司法所窗口", "王明", "律师", "138****1234"),
        ("2026-03-02", "08:30", "12:00", "下应司法所窗口", "李华", "公证员", "139****5678"),
        ("2026-03-03", "14:30", "17:30", "下应司法所窗口", "（空缺） 1", None, None),
        ("2026-03-04", "09:30", "11:30", "湾底村", "王明", "律师", "138****1234")]
    assert rows[0][13:] == ("甬正律师事务所", "0574-87001234")
    people = [r for r in book["人员 People"] if r and r[0] and str(r[0]).startswith("JQ-")]
    assert [(r[0], r[5], r[10]) for r in people] == [("JQ-L1", "2026-03-02", "下应司法所窗口"),
                                                    ("JQ-L1", "2026-03-04", "湾底村"),
                                                    ("JQ-N1", "2026-03-02", "下应司法所窗口")]


def test_week_csv_is_one_flat_list_excel_can_read(session, pub):
    data = week_csv(published_week(session, None, pub.district.id, WEEK))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["日期", "星期", "开始", "结束"] and len(rows) == 5
    assert "13812341234" not in data.decode("utf-8-sig")


def test_full_phone_numbers_only_when_asked_and_audited(session, pub, make):
    coordinator = make.user("coordinator", district_id=pub.district.id)
    data = week_csv(published_week(session, coordinator, pub.district.id, WEEK, full_phones=True)).decode("utf-8-sig")
    assert "13812341234" in data and "138****1234" not in data
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "export.full_phones"))
    assert entry.user_id == coordinator.id and entry.district_id == pub.district.id
    published_week(session, coordinator, pub.district.id, WEEK)
    assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "export.full_phones")).all()) == 1


def test_only_published_weeks_export_and_only_for_their_coordinators(session, pub, make):
    with pytest.raises(NothingPublished):
        published_week(session, None, pub.district.id, WEEK.replace(day=9))
    with pytest.raises(AccessDenied):
        published_week(session, make.user("coordinator"), pub.district.id, WEEK)


def test_person_record_lists_published_service_with_outcomes_and_masked_phone(session, pub):
    record = person_record(session, None, pub.lawyer.id)
    book = sheets(to_xlsx(record.tables))
    [rows] = book.values()
    assert rows[0][0] == "王明（JQ-L1）服务记录" and "138****1234" in rows[1][0]
    data = [r for r in rows if r and str(r[0]).startswith("2026")]
    assert [(r[0], r[6], r[8], r[9], r[10], r[12]) for r in data] == [
        ("2026-03-02", "下应司法所窗口", None, None, None, None), ("2026-03-04", "湾底村", 5, 1, 2, 5)]


def test_village_record_lists_visits_ratings_and_advisers(session, pub, make):
    record = village_record(session, None, pub.village.id)
    main, pairs = record.tables
    assert [r[:1] + r[5:] for r in main.rows] == [["2026-03-04", "王明", "律师", 5, 1, 2, 5.0, "解答耐心"]]
    assert pairs.rows == [["王明", "JQ-L1", "2025-01-01", "至今"]]
    with pytest.raises(NotVisible):
        village_record(session, make.user("coordinator"), pub.village.id)
