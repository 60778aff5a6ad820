"""Reading spreadsheets into plain rows: .xlsx through openpyxl (read-only, cached values of
formulas), CSV in UTF-8 (with or without the BOM Excel writes) or GB18030 (what Excel's
plain "CSV" gives on a Chinese Windows)."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from scheduler.transfer.imports.problems import CellError, ImportRefused

MAX_ROWS = 100_000
# Sheets with these words in their name explain the template and hold no data.
INSTRUCTION_SHEETS = ("说明", "instructions", "readme")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Heading:
    index: int  # 0-based position in the row
    letter: str  # A, B, ...
    text: str


@dataclass
class Sheet:
    name: str
    header_row: int
    headers: list[Heading]
    # (row number, cell values by column index) for every non-empty row below the heading
    rows: list[tuple[int, list[Any]]]


def read_sheets(filename: str, data: bytes) -> list[Sheet]:
    """Every sheet that holds a heading row; raises ImportRefused for a file it cannot read."""
    name = PurePath(filename or "upload").name
    if data[:4] == OLE_MAGIC or name.lower().endswith(".xls"):
        raise ImportRefused([CellError(name, None, None, None, "old_excel")])
    if data[:4] == b"PK\x03\x04":
        sheets = _xlsx(data)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportRefused([CellError(name, None, None, None, "unreadable")])
    else:
        sheets = [_csv(name, data)]
    sheets = [s for s in sheets if s.headers]
    total = sum(len(s.rows) for s in sheets)
    if total > MAX_ROWS:
        raise ImportRefused([CellError(name, None, None, None, "too_many_rows", {"rows": total, "limit": MAX_ROWS})])
    if total == 0:
        raise ImportRefused([CellError(name, None, None, None, "empty")])
    return sheets


def _xlsx(data: bytes) -> list[Sheet]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused([CellError("", None, None, None, "unreadable", {"detail": str(exc)})]) from exc
    try:
        sheets = []
        for ws in book.worksheets:
            if any(word in ws.title.lower() for word in INSTRUCTION_SHEETS):
                continue
            sheets.append(_sheet(ws.title, ws.iter_rows(values_only=True)))
        return sheets
    finally:
        book.close()


def _csv(name: str, data: bytes) -> Sheet:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused([CellError(name, None, None, None, "bad_encoding")])
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _sheet(name, csv.reader(io.StringIO(text, newline=""), dialect))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(title: str, rows: Any) -> Sheet:
    sheet = Sheet(title, 0, [], [])
    for number, values in enumerate(rows, start=1):
        values = list(values)
        if all(_blank(v) for v in values):
            continue
        if not sheet.headers:
            sheet.header_row = number
            sheet.headers = [Heading(i, get_column_letter(i + 1), str(v).strip())
                             for i, v in enumerate(values) if not _blank(v)]
            continue
        sheet.rows.append((number, values))
    return sheet
