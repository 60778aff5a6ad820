"""Importing sites, weekly availability and standing pairings."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from models import AvailabilityRule, Pairing, Site, SiteExclusion
from scheduler.core.weeks import to_utc
from scheduler.transfer.imports import describe, import_file
from tests.scheduler.spreadsheets import xlsx

TODAY = date(2026, 3, 4)
NOW = to_utc(TODAY, time(10))  # the moment of the import: 10:00 on TODAY in Ningbo
SITES_HEAD = ["地点编号", "镇（街道）", "类型", "名称", "纬度", "经度", "走访间隔（周）", "走访星期", "走访开始时间",
              "走访时长（分钟）"]
RULES_HEAD = ["人员编号", "姓名", "类型", "星期", "开始", "结束", "有效期起", "有效期止"]
PAIRS_HEAD = ["村编号", "村名", "顾问编号", "顾问姓名", "开始日期"]


@pytest.fixture
def place(make):
    district = make.district(name="甲区", code="JQ")
    township = make.township(district, name="下应街道", code="XY")
    return district, township


def run(session, kind, rows, district, **kw):
    report = import_file(session, None, f"{kind}.xlsx", xlsx({"Sheet": rows}), kind=kind, district=district,
                         now=NOW, **kw)
    return report


def codes(report):
    return [(e.row, e.column, e.code) for e in report.errors]


# --- sites -----------------------------------------------------------------------------

def test_sites_with_a_visit_rhythm_are_created_and_reimport_is_unchanged(session, place):
    district, township = place
    rows = [SITES_HEAD, ["JQ-V1", "下应街道", "村", "湾底村", 29.8, 121.6, 2, "周三", "09:00", 120],
            ["JQ-W1", "XY", "司法所窗口", "下应司法所窗口", 29.8, 121.6, None, None, None, None]]
    report = run(session, "sites", rows, district)
    assert report.ok and report.created == 2, [describe(e) for e in report.errors]
    village = session.scalar(select(Site).where(Site.external_id == "JQ-V1"))
    assert (village.kind, village.township_id, village.visit_every_weeks, village.visit_weekday) == (
        "village", township.id, 2, 2)
    assert village.visit_start == time(9) and village.visit_anchor == date(2026, 3, 2)
    again = run(session, "sites", rows, district)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_site_problems_are_reported_in_place(session, place, make):
    district, _ = place
    make.site(district, external_id="JQ-W9", kind="window")
    rows = [SITES_HEAD,
            ["JQ-V1", "下桥镇", "村", "湾底村", 29.8, 121.6, 2, "周八", "9点", None],
            ["JQ-W9", None, "村", "改成村", 29.8, 121.6, None, None, "25:00", None],
            ["JQ-S1", None, "集市", "集市", 29.8, 121.6, None, None, None, None]]
    report = run(session, "sites", rows, district)
    assert set(codes(report)) == {(2, "B", "unknown_township"), (2, "H", "bad_weekday"),
                                  (2, "J", "rhythm_incomplete"), (3, "C", "kind_changed"),
                                  (3, "G", "rhythm_incomplete"), (3, "I", "bad_time"), (4, "C", "bad_choice")}


# --- availability ----------------------------------------------------------------------

def test_weekly_rules_replace_the_persons_rules_and_count_removals(session, place, make):
    district, _ = place
    person = make.person(district, external_id="JQ-L1")
    other = make.person(district, external_id="JQ-L2")
    session.add(AvailabilityRule(person_id=other.id, weekday=4, start_time=time(8), end_time=time(9)))
    rows = [RULES_HEAD, ["JQ-L1", "王明", "可服务", "周一", "08:30", "12:00", None, None],
            ["JQ-L1", "王明", None, 2, time(14), time(17, 30), "2026-03-01", None],
            ["JQ-L1", "王明", "尽量不排", "Fri", "08:00", "09:00", None, None]]
    report = run(session, "availability", rows, district)
    assert report.ok and report.created == 3, [describe(e) for e in report.errors]
    rules = session.scalars(select(AvailabilityRule).where(AvailabilityRule.person_id == person.id)
                            .order_by(AvailabilityRule.weekday)).all()
    assert [(r.kind, r.weekday, r.start_time, r.end_time, r.valid_from) for r in rules] == [
        ("available", 0, time(8, 30), time(12), None), ("available", 1, time(14), time(17, 30), date(2026, 3, 1)),
        ("undesired", 4, time(8), time(9), None)]
    assert (run(session, "availability", rows, district).unchanged, ) == (3,)
    fewer = run(session, "availability", rows[:2], district)
    assert (fewer.created, fewer.unchanged, fewer.removed) == (0, 1, 2)
    assert session.scalars(select(AvailabilityRule.weekday).where(AvailabilityRule.person_id == person.id)).all() == [0]
    # Someone the file does not name keeps their rules.
    assert session.scalar(select(AvailabilityRule.weekday).where(AvailabilityRule.person_id == other.id)) == 4


def test_availability_problems(session, place, make):
    district, _ = place
    make.person(district, external_id="JQ-L1")
    make.person(make.district(), external_id="ELSEWHERE")
    rows = [RULES_HEAD, ["JQ-L1", None, None, "周一", "09:00", "08:00", None, None],
            ["JQ-L1", None, None, "周二", "09:00", "12:00", "2026-05-01", "2026-04-01"],
            ["JQ-L1", None, None, "周三", "09:00", "12:00", None, None],
            ["JQ-L1", None, None, "周三", "11:00", "13:00", None, None],
            ["JQ-L1", None, None, "周三", "09:00", "12:00", None, None],
            ["ELSEWHERE", None, None, "周四", "09:00", "12:00", None, None],
            ["JQ-L1", None, "有时", "周五", "9", "2026-01-01", "明天", None]]
    report = run(session, "availability", rows, district)
    assert set(codes(report)) == {(2, "F", "end_before_start"), (3, "H", "valid_to_before_from"),
                                  (5, "E", "overlap"), (6, "D", "duplicate_row"), (7, "A", "unknown_person"),
                                  (8, "C", "bad_choice"), (8, "F", "bad_time"), (8, "G", "bad_date")}
    assert session.scalar(select(AvailabilityRule.id)) is None


# --- pairings --------------------------------------------------------------------------

@pytest.fixture
def villages(session, place, make):
    district, _ = place
    v1, v2 = make.site(district, external_id="JQ-V1"), make.site(district, external_id="JQ-V2")
    lawyer = make.person(district, external_id="JQ-L1", name="王明")
    other = make.person(district, external_id="JQ-L2", name="李华")
    session.add(Pairing(site_id=v1.id, person_id=lawyer.id, valid_from=date(2025, 1, 1)))
    session.flush()
    return district, v1, v2, lawyer, other


def test_a_new_adviser_ends_the_current_pairing_and_keeps_the_history(session, villages):
    district, v1, v2, lawyer, other = villages
    rows = [PAIRS_HEAD, ["JQ-V1", "", "JQ-L2", "李华", "2026-03-09"], ["JQ-V2", "", "JQ-L1", "王明", None]]
    report = run(session, "pairings", rows, district)
    assert (report.created, report.updated) == (1, 1), [describe(e) for e in report.errors]
    history = session.scalars(select(Pairing).where(Pairing.site_id == v1.id).order_by(Pairing.valid_from)).all()
    assert [(p.person_id, p.valid_from, p.valid_to) for p in history] == [
        (lawyer.id, date(2025, 1, 1), date(2026, 3, 9)), (other.id, date(2026, 3, 9), None)]
    assert session.scalar(select(Pairing.valid_from).where(Pairing.site_id == v2.id)) == TODAY
    again = run(session, "pairings", rows, district)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_pairing_problems(session, villages, make):
    district, v1, v2, lawyer, other = villages
    make.site(district, external_id="JQ-W1", kind="window")
    make.person(district, external_id="JQ-M1", roles=("mediator",))
    make.person(district, external_id="JQ-OFF", active=False)
    make.person(district, external_id="JQ-BUSY", max_paired_sites=0)
    v3, v4, v5 = (make.site(district, external_id=f"JQ-V{i}") for i in (3, 4, 5))
    session.add(SiteExclusion(person_id=other.id, site_id=v3.id, reason="亲属在村委会"))
    session.flush()
    rows = [PAIRS_HEAD, ["JQ-V1", "", "JQ-L2", "", "2024-01-01"], ["JQ-W1", "", "JQ-L1", "", None],
            ["JQ-V2", "", "JQ-M1", "", None], ["JQ-V3", "", "JQ-L2", "", None], ["JQ-V4", "", "JQ-OFF", "", None],
            ["JQ-V5", "", "JQ-BUSY", "", None], ["JQ-V5", "", "JQ-NOBODY", "", None], ["JQ-V9", "", "JQ-L1", "", None]]
    report = run(session, "pairings", rows, district)
    assert set(codes(report)) == {(2, "E", "before_current"), (3, "A", "not_a_village"), (4, "C", "not_a_lawyer"),
                                  (5, "C", "excluded_site"), (6, "C", "inactive_person"), (7, "C", "too_many_villages"),
                                  (8, "A", "duplicate_id"), (8, "C", "unknown_person"), (9, "A", "unknown_village")}
    assert session.scalar(select(Pairing.valid_to).where(Pairing.site_id == v1.id)) is None
