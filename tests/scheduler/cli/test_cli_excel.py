"""`scheduler import / export / print` against a real database file."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from models import Person
from models.db import make_engine, make_session_factory
from scheduler.cli import main
from scheduler.core.database import upgrade
from tests.factories import Factory
from tests.scheduler.published import published_week
from tests.scheduler.spreadsheets import PEOPLE_HEAD, person_row, xlsx


@pytest.fixture
def database(empty_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SCHEDULER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SCHEDULER_BASE_URL", "https://paiban.example.org")
    engine = make_engine(empty_database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        published_week(session, Factory(session))
    yield factory
    engine.dispose()


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def count_people(factory) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(Person))


def test_template_then_import_then_reimport(database, tmp_path):
    template = tmp_path / "people.xlsx"
    run("import", "--template", "people", "-o", str(template))
    book = load_workbook(template)
    assert book.sheetnames[0] == "人员" and book["人员"]["A1"].value == "人员编号"
    sheet = book["人员"]
    headings = [c.value for c in sheet[1]]
    values = {"人员编号": "JQ-L9", "区县": "甲区", "姓名": "赵敏", "角色": "律师", "纬度": 29.8, "经度": 121.5}
    sheet.append([values.get(h) for h in headings])
    book.save(template)
    before = count_people(database)
    out = run("import", str(template), "--district", "甲区").output
    assert "新增 created 1" in out and count_people(database) == before + 1
    assert "未变 unchanged 1" in run("import", str(template)).output


def test_a_refused_file_lists_every_problem_and_exits_non_zero(database, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx({"人员": [PEOPLE_HEAD, person_row("JQ-A", "甲区", phone="电话"),
                                    person_row("JQ-B", "乙区", lat=200)]}))
    before = count_people(database)
    result = run("import", str(path), "--kind", "people", code=1)
    assert "人员!F2 (手机): 电话号码只能包含数字" in result.output and "a phone number holds digits" in result.output
    assert "人员!B3 (区县): 没有名为“乙区”的区县 / no district named \"乙区\"" in result.output
    assert "人员!G3 (纬度)" in result.output and "nothing imported: 3 problems" in result.output
    assert count_people(database) == before


def test_dry_run_writes_nothing(database, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("人员编号,姓名,角色,纬度,经度\nJQ-Z1,钱七,公证员,29.8,121.5\n", encoding="utf-8")
    before = count_people(database)
    out = run("import", str(path), "--district", "JQ", "--dry-run").output
    assert "新增 created 1" in out and "dry run" in out and count_people(database) == before
    assert "No district named '丙区'" in run("import", str(path), "--district", "丙区", code=1).output


def test_export_week_and_records(database, tmp_path):
    xlsx_path, csv_path = tmp_path / "week.xlsx", tmp_path / "week.csv"
    run("export", "week", "--district", "甲区", "--week", "2026-03-04", "-o", str(xlsx_path))
    assert load_workbook(xlsx_path).sheetnames == ["下应街道", "人员 People"]
    run("export", "week", "--district", "甲区", "--week", "2026-03-04", "-o", str(csv_path), "--full-phones")
    assert "13812341234" in csv_path.read_text(encoding="utf-8-sig")
    assert "no published version" in run("export", "week", "--district", "甲区", "--week", "2026-03-09",
                                          "-o", str(csv_path), code=1).output
    record = tmp_path / "record.csv"
    run("export", "record", "village", "JQ-V1", "-o", str(record))
    assert "王明" in record.read_text(encoding="utf-8-sig")
    assert "no person with id 'NOPE'" in run("export", "record", "person", "NOPE", "-o", str(record), code=1).output


def test_print_roster_and_poster_with_a_new_feed_link(database, tmp_path):
    roster, poster = tmp_path / "roster.pdf", tmp_path / "poster.pdf"
    run("print", "roster", "--district", "甲区", "--week", "2026-03-02", "-o", str(roster))
    text = "".join(PdfReader(io.BytesIO(roster.read_bytes())).pages[0].extract_text().split())
    assert "下应司法所窗口值班表" in text and "12348" in text
    result = run("print", "poster", "--village", "JQ-V1", "--new-feed-link", "-o", str(poster))
    assert "new calendar links issued" in result.output
    text = "".join(PdfReader(io.BytesIO(poster.read_bytes())).pages[0].extract_text().split())
    assert "湾底村" in text and "扫码查看本村法律顾问和来访安排" in text and "订阅来访日历" in text
    run("print", "poster", "-o", str(poster), code=2)
