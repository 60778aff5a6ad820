"""Importing people: every problem at once with its place, all or nothing, idempotent,
district-scoped and audited."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from models import AuditEntry, Organisation, Person
from scheduler.core.access import AccessDenied
from scheduler.core.weeks import to_utc
from scheduler.transfer.imports import describe, import_file
from tests.scheduler.spreadsheets import PEOPLE_HEAD, csv_bytes, person_row, xlsx

TODAY = date(2026, 3, 4)
NOW = to_utc(TODAY, time(10))  # the moment of the import: 10:00 on TODAY in Ningbo


@pytest.fixture
def districts(make):
    return make.district(name="甲区", code="JQ"), make.district(name="乙区", code="YQ")


def run(session, data, actor=None, filename="people.xlsx", **kw):
    kw.setdefault("kind", "people")
    return import_file(session, actor, filename, data, now=NOW, **kw)


def people_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Person))


def test_a_valid_file_creates_people_with_roles_and_skills(session, districts):
    a, _ = districts
    data = xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-1", "甲区", skills="family、labour"),
                          person_row("JQ-2", "JQ", name="李华", roles="实习律师, 调解员", phone=13900001111)]})
    report = run(session, data)
    assert report.ok and report.written, [describe(e) for e in report.errors]
    assert (report.created, report.updated, report.unchanged, report.rows) == (2, 0, 0, 2)
    first = session.scalar(select(Person).where(Person.external_id == "JQ-1"))
    second = session.scalar(select(Person).where(Person.external_id == "JQ-2"))
    assert first.district_id == a.id and first.role_names == ["lawyer"] and first.skill_names == ["family", "labour"]
    assert second.role_names == ["mediator", "trainee_lawyer"] and second.phone == "13900001111"


def test_reimporting_the_same_file_changes_nothing(session, districts):
    data = xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-1", "甲区"), person_row("JQ-2", "甲区", name="李华")]})
    run(session, data)
    stamps = dict(session.execute(select(Person.external_id, Person.updated_at)).all())
    again = run(session, data)
    assert (again.created, again.updated, again.unchanged, again.written) == (0, 0, 2, False)
    assert dict(session.execute(select(Person.external_id, Person.updated_at)).all()) == stamps


def test_a_changed_row_updates_only_that_person_and_names_the_fields(session, districts):
    run(session, xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-1", "甲区"), person_row("JQ-2", "甲区", name="李华")]}))
    report = run(session, xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-1", "甲区", phone="13800000000", roles="律师、公证员"),
                                       person_row("JQ-2", "甲区", name="李华")]}))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.changes[0].key == "JQ-1" and set(report.changes[0].fields) == {"phone", "roles"}
    person = session.scalar(select(Person).where(Person.external_id == "JQ-1"))
    assert person.phone == "13800000000" and person.role_names == ["lawyer", "notary"]


def test_one_bad_row_writes_nothing(session, districts):
    before = people_count(session)
    data = xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-1", "甲区"), person_row("JQ-2", "甲区"),
                          person_row("JQ-3", "甲区", lat="北纬三十度")]})
    report = run(session, data)
    assert not report.ok and not report.written
    assert people_count(session) == before
    [error] = report.errors
    assert (error.sheet, error.row, error.column, error.header, error.code) == ("人员", 4, "G", "纬度", "not_a_number")


# (cell column letter, value) replacing one cell of a good row -> (code, params subset)
BAD_CELLS = [
    ("A", "", "required", {}),
    ("A", "JQ 1", "bad_id", {"value": "JQ 1"}),
    ("B", "丙区", "unknown_district", {"value": "丙区"}),
    ("C", "", "required", {}),
    ("C", "名" * 65, "too_long", {"max": 64}),
    ("D", "律师、法官", "unknown_role", {"value": "法官"}),
    ("E", "family、婚姻家事", "unknown_skill", {"value": "婚姻家事"}),
    ("F", "138-1234-abcd", "bad_phone", {"value": "138-1234-abcd"}),
    ("G", 95, "out_of_range", {"min": "-90", "max": "90"}),
    ("H", "东经", "not_a_number", {"value": "东经"}),
    ("I", -1, "out_of_range", {}),
]


@pytest.mark.parametrize("letter, value, code, params", BAD_CELLS)
def test_every_kind_of_bad_cell_is_reported_with_its_place(session, districts, letter, value, code, params):
    row = person_row("JQ-9", "甲区")
    row["ABCDEFGHI".index(letter)] = value
    report = run(session, xlsx({"名单": [PEOPLE_HEAD, person_row("JQ-1", "甲区"), row]}))
    assert [(e.sheet, e.row, e.column, e.code) for e in report.errors] == [("名单", 3, letter, code)]
    assert params.items() <= report.errors[0].params.items()
    assert people_count(session) == 0


def test_all_problems_of_a_file_are_listed_at_once(session, districts):
    data = xlsx({"人员": [PEOPLE_HEAD + ["工龄"],
                          person_row("JQ-1", "甲区", phone="x", lat=100) + [1],
                          person_row("JQ-1", "甲区", roles="厨师") + [2]]})
    report = run(session, data)
    found = {(e.row, e.column, e.code) for e in report.errors}
    assert found == {(1, "J", "unknown_column"), (2, "F", "bad_phone"), (2, "G", "out_of_range"),
                     (3, "A", "duplicate_id"), (3, "D", "unknown_role")}


def test_missing_and_duplicated_columns_are_named(session, districts):
    head = ["人员编号", "姓名", "Name", "纬度", "经度"]
    report = run(session, xlsx({"人员": [head, ["JQ-1", "王明", "王明", 29.8, 121.5]]}), district=districts[0])
    codes = {(e.code, e.column, tuple(e.params.values())) for e in report.errors}
    assert ("duplicate_column", "C", ("Name",)) in codes
    assert ("missing_column", None, ("角色",)) in codes


def test_english_headings_and_csv_files_are_read(session, districts):
    head = ["Person ID", "District", "Name", "Roles", "Skills", "Phone", "Latitude", "Longitude", "Max hours per week"]
    rows = [head, person_row("JQ-1", "甲区", roles="lawyer, notary"), person_row("JQ-2", "甲区", roles="律师")]
    for encoding in ("utf-8-sig", "gb18030"):
        report = run(session, csv_bytes(rows, encoding), filename=f"people-{encoding}.csv")
        assert report.ok, [describe(e) for e in report.errors]
    assert session.scalar(select(Person).where(Person.external_id == "JQ-1")).role_names == ["lawyer", "notary"]


def test_the_kind_is_recognised_from_the_headings(session, districts):
    report = import_file(session, None, "x.xlsx", xlsx({"Sheet1": [PEOPLE_HEAD, person_row("JQ-1", "甲区")]}),
                         now=NOW)
    assert report.kind == "people" and report.ok


def test_unreadable_and_empty_files_are_refused_with_a_reason(session, districts):
    assert run(session, b"\xd0\xcf\x11\xe0 old excel", filename="a.xls").errors[0].code == "old_excel"
    assert run(session, b"not a zip", filename="a.xlsx").errors[0].code == "unreadable"
    assert run(session, xlsx({"人员": [PEOPLE_HEAD]})).errors[0].code == "empty"
    unknown = import_file(session, None, "a.csv", csv_bytes([["甲", "乙"], [1, 2]]), now=NOW)
    assert unknown.errors[0].code == "unknown_kind"


def test_organisations_are_found_by_name_or_id_within_the_district(session, districts):
    a, b = districts
    session.add_all([Organisation(external_id="ORG-A", district_id=a.id, kind="law_firm", name="甲所"),
                     Organisation(external_id="ORG-B", district_id=b.id, kind="law_firm", name="乙所")])
    session.flush()
    head = PEOPLE_HEAD + ["所属机构"]
    report = run(session, xlsx({"人员": [head, person_row("JQ-1", "甲区") + ["甲所"],
                                       person_row("JQ-2", "甲区") + ["ORG-A"],
                                       person_row("JQ-3", "甲区") + ["乙所"]]}))
    assert [(e.row, e.column, e.code) for e in report.errors] == [(4, "J", "unknown_organisation")]


def test_target_hours_above_the_maximum_is_refused(session, districts):
    head = PEOPLE_HEAD + ["每周目标小时"]
    report = run(session, xlsx({"人员": [head, person_row("JQ-1", "甲区", hours=6) + [7]]}))
    assert [(e.column, e.code) for e in report.errors] == [("J", "target_above_max")]


def test_a_dry_run_reports_but_writes_nothing(session, districts):
    report = run(session, xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-1", "甲区")]}), dry_run=True)
    assert report.ok and report.created == 1 and not report.written and people_count(session) == 0


def test_a_coordinator_imports_only_into_their_district(session, districts, make):
    a, b = districts
    coord_b = make.user("coordinator", district_id=b.id)
    make.person(a, external_id="JQ-OLD")
    data = xlsx({"人员": [PEOPLE_HEAD, person_row("YQ-1", "乙区"), person_row("JQ-2", "甲区"),
                          person_row("JQ-OLD", "乙区")]})
    report = run(session, data, actor=coord_b)
    assert [(e.row, e.column, e.code) for e in report.errors] == [(3, "B", "other_district"),
                                                                  (4, "A", "id_in_other_district")]
    with pytest.raises(AccessDenied):
        run(session, data, actor=coord_b, district=a)
    with pytest.raises(AccessDenied):
        run(session, data, actor=make.user("provider", person_id=make.person(b).id))


def test_rows_without_a_district_go_to_the_chosen_one(session, districts, make):
    _, b = districts
    coord_b = make.user("coordinator", district_id=b.id)
    head = [h for h in PEOPLE_HEAD if h != "区县"]
    report = run(session, xlsx({"人员": [head, ["YQ-1", "赵六", "律师", "", "", 29.8, 121.5, 8]]}), actor=coord_b)
    assert report.ok and session.scalar(select(Person.district_id).where(Person.external_id == "YQ-1")) == b.id
    city = make.user("coordinator", city_wide=True)
    refused = run(session, xlsx({"人员": [head, ["YQ-2", "赵六", "律师", "", "", 29.8, 121.5, 8]]}), actor=city)
    assert refused.errors[0].code == "missing_column"


def test_each_import_is_audited_with_its_counts(session, districts, make):
    a, _ = districts
    coord = make.user("coordinator", district_id=a.id)
    report = run(session, xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-1", "甲区")]}), actor=coord)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "import.people"))
    assert entry.user_id == coord.id and entry.district_id == a.id
    assert entry.details["created"] == 1 and entry.details["sha256"] == report.sha256


def test_cli_wording_has_both_languages():
    from scheduler.transfer.imports.problems import CellError

    text = describe(CellError("人员", 4, "G", "纬度", "not_a_number", {"value": "x"}))
    assert text == "不是数字：“x” / not a number: \"x\""
