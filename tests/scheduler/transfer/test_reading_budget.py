"""Hostile spreadsheets are refused within the reader's budget, each with its own reason, and
before the expensive part: a cell at XFD2000 or at row 1,048,576, a zip bomb (declared or
real), XML entities (billion laughs), a CSV with a huge line. Files are made here, in memory.
That the refusal comes early is shown by counting (openpyxl is replaced by a tripwire, the
row where reading stopped is asserted), not by timing; one wall-clock guard is a backstop."""
from __future__ import annotations

import csv
import io
import re
import struct
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook

from scheduler.transfer.imports import KINDS, reading
from scheduler.transfer.imports.problems import ImportRefused, describe
from tests.scheduler.spreadsheets import PEOPLE_HEAD, csv_bytes, person_row

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
          + "]>\n")


def workbook(*cells: tuple[str, object], rows: int = 1) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "人员"
    sheet.append(PEOPLE_HEAD)
    for n in range(rows):
        sheet.append(person_row(f"A-{n}", "甲区"))
    for ref, value in cells:
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info.filename, change(body) if info.filename == "xl/worksheets/sheet1.xml" else body)
    return out.getvalue()


def declare(data: bytes, part: str, size: int) -> bytes:
    """The workbook with one part declaring another unpacked size, in its local header and in
    the central directory: what a zip bomb's header says, without the bomb."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(part)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        length = struct.unpack_from("<H", out, position + 28)[0]
        if out[position + 46:position + 46 + length] == part.encode():
            struct.pack_into("<I", out, position + 24, size)
        position = out.find(b"PK\x01\x02", position + 4)
    return bytes(out)


def refusal(data: bytes, name: str = "people.xlsx"):
    with pytest.raises(ImportRefused) as caught:
        reading.read_sheets(name, data)
    assert len(caught.value.errors) == 1
    return caught.value.errors[0]


@pytest.fixture
def tripwire(monkeypatch):
    """openpyxl must not open the file: the refusal comes from the zip check."""
    def opened(*args, **kwargs):
        raise AssertionError("the workbook reached openpyxl")
    monkeypatch.setattr(reading, "load_workbook", opened)


def undeclared(data: bytes) -> bytes:
    """The workbook without the size its sheet declares (the <dimension> element)."""
    return rezip(data, lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))


XFD2000 = workbook(("XFD2000", 1))
LAST_ROW = workbook(("A1048576", 1))
NO_DIMENSION = undeclared(LAST_ROW)
DECLARED_BOMB = declare(workbook(), "xl/worksheets/sheet1.xml", 2**32 - 1)  # 4 GB declared, 5 KB of file
REAL_BOMB = rezip(workbook(), lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + b" " * (24 * 2**20)))
LAUGHING = rezip(workbook(), lambda xml: xml.replace(b"<worksheet", LAUGHS.encode() + b"<worksheet", 1)
                 .replace(b"<v>8</v>", b"<v>&lol9;</v>"))


@pytest.mark.parametrize("data, code, where", [
    (XFD2000, "too_many_columns", "people.xlsx!XFD2000 (xl/worksheets/sheet1.xml)"),
    (LAST_ROW, "too_many_rows", "people.xlsx!1048576 (xl/worksheets/sheet1.xml)"),
    (NO_DIMENSION, "too_many_rows", "people.xlsx!1048576 (xl/worksheets/sheet1.xml)"),
    (DECLARED_BOMB, "unpacked_too_large", "people.xlsx"),
    (REAL_BOMB, "zip_bomb", "people.xlsx (xl/worksheets/sheet1.xml)"),
    (LAUGHING, "xml_entities", "people.xlsx (xl/worksheets/sheet1.xml)"),
])
def test_a_hostile_workbook_is_refused_before_openpyxl_opens_it(data, code, where, tripwire):
    assert len(data) < 64 * 1024  # every one of them is a small file
    error = refusal(data)
    assert (error.code, error.place()) == (code, where)
    assert "{" not in describe(error, "zh") and "{" not in describe(error, "en")  # every placeholder filled


def test_the_messages_say_why():
    assert describe(refusal(XFD2000), "en") == ("column XFD is out of range: a row has at most 64 columns (up to BL); "
                                                "delete what lies further right")
    assert describe(refusal(LAST_ROW), "zh") == "行数过多：每个文件最多 100000 行（读到此处停止）"
    assert "压缩炸弹" in describe(refusal(REAL_BOMB), "zh")
    assert "DOCTYPE" in describe(refusal(LAUGHING), "en")


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    from openpyxl.xml.functions import fromstring, iterparse
    assert iterparse.__module__.startswith("defusedxml") and fromstring.__module__.startswith("defusedxml")


def test_entities_are_refused_by_defusedxml_too(monkeypatch):
    monkeypatch.setattr(reading, "_declares_entities", lambda head: False)  # past the zip check
    assert refusal(LAUGHING).code == "xml_entities"


def test_a_part_that_unpacks_past_what_it_declares_is_refused():
    lying = declare(REAL_BOMB, "xl/worksheets/sheet1.xml", 1000)  # 24 MB inside, 1,000 bytes declared
    assert refusal(lying).code == "unreadable"


def test_rows_are_counted_as_they_stream_and_reading_stops_at_the_limit(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 40)
    monkeypatch.setattr(reading, "MAX_ROWS_READ", 50, raising=False)
    assert refusal(workbook(rows=100)).row == 101  # the size the sheet declares: refused before reading
    error = refusal(undeclared(workbook(rows=100)))
    assert (error.code, error.row) == ("too_many_rows", 42)  # the heading, 40 rows, and the one too many
    # Blank rows count too: a cell far below is not reached by reading every row before it.
    error = refusal(undeclared(workbook(("A90", "A-90"), rows=1)))
    assert (error.code, error.row) == ("too_many_rows", 51)


def test_only_the_columns_a_template_can_have_are_read():
    assert all(len(kind.columns) < reading.MAX_COLUMNS for kind in KINDS.values())
    # A sheet that does not declare its size: its far cells are refused as the zip unpacks.
    far = undeclared(workbook(("XFD3", 1)))
    assert refusal(far).code == "too_many_columns"
    # Cells past column BL that hide from the scan (no cell reference) are not read at all.
    hidden = rezip(workbook(), lambda xml: xml.replace(b"</row></sheetData>",
                                                       b"<c><v>1</v></c>" * 100 + b"</row></sheetData>"))
    sheet = reading.read_sheets("people.xlsx", hidden)[0]
    assert all(len(values) <= reading.MAX_COLUMNS for _, values in sheet.rows)


def test_a_csv_with_a_huge_line_is_refused_at_that_line():
    data = csv_bytes([PEOPLE_HEAD, person_row("A-1", "甲区")]) + b"A-2," + b"x" * (8 * 2**20) + b"\r\n"
    error = refusal(data, "people.csv")
    assert (error.code, error.row, error.params["limit"]) == ("line_too_long", 3, reading.MAX_LINE)


def test_a_csv_with_values_past_the_last_column_is_refused():
    error = refusal(csv_bytes([PEOPLE_HEAD, person_row("A-1", "甲区") + [""] * 100 + ["far"]]), "people.csv")
    assert (error.code, error.column, error.row) == ("too_many_columns", "DF", 2)


def test_a_csv_value_past_the_csv_modules_limit_is_unreadable_not_a_crash():
    out = io.StringIO()
    csv.writer(out).writerows([PEOPLE_HEAD, ["A-1", "甲区", "\n".join(["y" * 1000] * 200)]])
    assert refusal(out.getvalue().encode(), "people.csv").code == "unreadable"


def test_a_file_past_the_upload_limit_is_refused_unread():
    assert refusal(b"a,b\r\n" * (reading.MAX_BYTES // 5 + 1), "people.csv").code == "too_large"


def test_backstop_the_hostile_files_are_refused_in_seconds_and_little_memory():
    tracemalloc.start()
    started = time.perf_counter()
    try:
        for data in (XFD2000, LAST_ROW, NO_DIMENSION, DECLARED_BOMB, REAL_BOMB, LAUGHING):
            with pytest.raises(ImportRefused):
                reading.read_sheets("people.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 10  # generous: a backstop for the counting tests above
    assert peak < 50 * 2**20


def test_a_workbook_openpyxl_cannot_read_is_unreadable_not_a_crash():
    """openpyxl raises TypeError, AttributeError... on broken parts (here a stray element among
    the styles' colours gave a TypeError, a 500): found by fuzzing."""
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook())) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/styles.xml":
                assert b"<rgbColor " in body
                body = body.replace(b"<rgbColor ", b'<row r="abc"/><rgbColor ', 1)
            target.writestr(info.filename, body)
    assert refusal(broken.getvalue()).code == "unreadable"
