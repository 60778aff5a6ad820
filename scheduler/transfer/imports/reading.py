"""Reading spreadsheets into plain rows: .xlsx through openpyxl (read-only, cached values of
formulas), CSV in UTF-8 (with or without the BOM Excel writes) or GB18030 (what Excel's
plain "CSV" gives on a Chinese Windows).

A file is read within one budget and refused, with the reason, the moment it goes past it
(docs/security.md, "Uploads: budgets and refusals"):

- at most MAX_BYTES (the web app's upload limit);
- a workbook is checked as a zip before openpyxl opens it: at most MAX_PARTS parts and
  MAX_UNPACKED bytes unpacked in all, both as the parts declare and as they really unpack
  (counted while unpacking, which stops at the limit); at most MAX_PART for a part openpyxl
  reads whole into memory (all but sheets and shared strings); no part bigger than RATIO_FLOOR
  packed more than MAX_RATIO times (a zip bomb); no XML part declaring a document type or
  entities (billion laughs), and openpyxl itself parses through defusedxml;
- a sheet whose declared size reaches past MAX_COLUMNS columns or MAX_ROWS_READ rows is
  refused before a row is read; rows are then streamed (read-only mode), only their first
  MAX_COLUMNS cells (every template has fewer columns), and reading stops as soon as the file
  has more than MAX_ROWS data rows or MAX_ROWS_READ rows in all, blank ones included;
- a CSV line longer than MAX_LINE characters, or with a value past column MAX_COLUMNS, is
  refused.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from scheduler.transfer.imports.problems import CellError, ImportRefused

MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ROWS_READ = MAX_ROWS + 10_000  # blank rows included
MAX_COLUMNS = 64  # A to BL
MAX_LINE = 64 * 1024  # characters in a CSV line
MAX_PARTS = 1000
MAX_UNPACKED = 64 * 1024 * 1024
MAX_PART = 8 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MB = 1024 * 1024
BLANK_ROW = (None,) * MAX_COLUMNS
# Parts openpyxl streams (iterparse) in read-only mode; it reads every other part whole. The
# fixed paths are read whole whatever the file declares them to be.
STREAMED_TYPES = frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"})
WHOLE_PARTS = frozenset({"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                         "xl/styles.xml", "xl/theme/theme1.xml"})
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# In a sheet's XML as it unpacks: a cell past column BL, a row numbered past MAX_ROWS_READ.
FAR_CELL = re.compile(rb'<c\s[^>]{0,200}?\br="([A-Z]{3}|B[M-Z]|[C-Z][A-Z])([0-9]{1,7})"')
FAR_ROW = re.compile(rb'<row\s[^>]{0,200}?\br="([0-9]{6,})"')
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


@dataclass
class _Count:
    """Rows read so far in the whole file: all of them, and those holding data."""

    rows: int = 0
    data: int = 0


def _refuse(sheet: str, code: str, row: int | None = None, column: str | None = None, part: str | None = None,
            **params: Any) -> ImportRefused:
    """A refusal at a place: the sheet, row and column, or the part of the zip (shown where a
    heading would be)."""
    place = {k: v for k, v in (("row", row), ("column", column)) if v is not None}
    return ImportRefused([CellError(sheet, row, column, part[:120] if part else None, code, place | params)])


def read_sheets(filename: str, data: bytes) -> list[Sheet]:
    """Every sheet that holds a heading row; raises ImportRefused for a file it cannot read."""
    name = PurePath(filename or "upload").name
    if len(data) > MAX_BYTES:
        raise _refuse(name, "too_large", limit=MAX_BYTES // MB)
    if data[:4] == OLE_MAGIC or name.lower().endswith(".xls"):
        raise ImportRefused([CellError(name, None, None, None, "old_excel")])
    count = _Count()
    if data[:4] == b"PK\x03\x04":
        sheets = _xlsx(name, data, count)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportRefused([CellError(name, None, None, None, "unreadable")])
    else:
        sheets = [_csv(name, data, count)]
    sheets = [s for s in sheets if s.headers]
    if sum(len(s.rows) for s in sheets) == 0:
        raise ImportRefused([CellError(name, None, None, None, "empty")])
    return sheets


def check_archive(name: str, data: bytes) -> None:
    """Refuses a workbook whose zip would unpack too big or too tight, or whose XML declares
    entities, before openpyxl opens it (see the module's note)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _refuse(name, "too_many_parts", limit=MAX_PARTS)
        if sum(p.file_size for p in parts) > MAX_UNPACKED:
            raise _refuse(name, "unpacked_too_large", limit=MAX_UNPACKED // MB)
        types = _content_types(archive)
        streamed = {path for path, kind in types.items() if kind in STREAMED_TYPES} - WHOLE_PARTS
        limits = {p.filename: MAX_UNPACKED if p.filename in streamed else MAX_PART for p in parts}
        for part in parts:  # as declared
            if part.file_size > limits[part.filename]:
                raise _refuse(name, "unpacked_too_large", part=part.filename, limit=limits[part.filename] // MB)
            if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                raise _refuse(name, "zip_bomb", part=part.filename, ratio=MAX_RATIO)
        total = 0
        for part in parts:  # as unpacked
            size, head, tail = 0, b"", b""
            sheet = types.get(part.filename) == WORKSHEET_TYPE
            with archive.open(part) as stream:
                while chunk := stream.read(256 * 1024):
                    size, total = size + len(chunk), total + len(chunk)
                    if size > limits[part.filename] or total > MAX_UNPACKED:
                        raise _refuse(name, "unpacked_too_large", part=part.filename, limit=MAX_UNPACKED // MB)
                    if size > RATIO_FLOOR and size > MAX_RATIO * max(part.compress_size, 1):
                        raise _refuse(name, "zip_bomb", part=part.filename, ratio=MAX_RATIO)
                    head = head or chunk[:4096]
                    if sheet:
                        _far_cells(name, part.filename, tail + chunk)
                        tail = chunk[-256:]
            if part.filename.lower().endswith((".xml", ".rels", ".vml")) and _declares_entities(head):
                raise _refuse(name, "xml_entities", part=part.filename)
    except ImportRefused:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, NotImplementedError (a method), RuntimeError...
        raise _refuse(name, "unreadable", detail=str(exc)) from exc


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part -> content type, as the file's own [Content_Types].xml names them."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return {}
    if info.file_size > MAX_PART:
        return {}  # refused as too large just after
    try:
        root = safe_fromstring(archive.read(info))
    except (DefusedXmlException, ParseError):
        return {}  # openpyxl says what is wrong
    return {o.get("PartName", "").lstrip("/"): o.get("ContentType", "")
            for o in root.iter(f"{CONTENT_TYPES_NS}Override")}


def _far_cells(name: str, part: str, xml: bytes) -> None:
    """Refuses a sheet with a cell past column BL or a row past MAX_ROWS_READ, whatever size the
    sheet declares, before openpyxl reads a row."""
    cell = FAR_CELL.search(xml)
    if cell:
        raise _refuse(name, "too_many_columns", part=part, row=int(cell.group(2)), column=cell.group(1).decode(),
                      limit=MAX_COLUMNS, last=get_column_letter(MAX_COLUMNS))
    for row in FAR_ROW.finditer(xml):
        if int(row.group(1)) > MAX_ROWS_READ:
            raise _refuse(name, "too_many_rows", part=part, row=int(row.group(1)), limit=MAX_ROWS)


def _declares_entities(head: bytes) -> bool:
    """A document type or an entity in the prolog (the only place either may be)."""
    text = head.decode("utf-16", "ignore") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else head.decode(
        "utf-8", "ignore")
    return "<!DOCTYPE" in text or "<!ENTITY" in text


def _xlsx(name: str, data: bytes, count: _Count) -> list[Sheet]:
    check_archive(name, data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file (TypeError...)
        if _entities(exc):
            raise _refuse(name, "xml_entities", detail=str(exc)) from exc
        raise ImportRefused([CellError("", None, None, None, "unreadable", {"detail": str(exc)})]) from exc
    try:
        sheets = []
        for ws in book.worksheets:
            if any(word in ws.title.lower() for word in INSTRUCTION_SHEETS):
                continue
            # The size the sheet declares (what Excel and openpyxl write): refused at once.
            if ws.max_column and ws.max_column > MAX_COLUMNS:
                raise _refuse(ws.title, "too_many_columns", column=get_column_letter(ws.max_column),
                              limit=MAX_COLUMNS, last=get_column_letter(MAX_COLUMNS))
            if ws.max_row and ws.max_row > MAX_ROWS_READ:
                raise _refuse(ws.title, "too_many_rows", row=ws.max_row, limit=MAX_ROWS)
            ws.reset_dimensions()  # then no row is padded past the last one really there
            sheets.append(_sheet(ws.title, ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), count))
        return sheets
    except ImportRefused:
        raise
    except Exception as exc:  # as above, while the rows are read
        if _entities(exc):
            raise _refuse(name, "xml_entities", detail=str(exc)) from exc
        raise ImportRefused([CellError(name, None, None, None, "unreadable", {"detail": str(exc)})]) from exc
    finally:
        book.close()


def _entities(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the XML (openpyxl wraps what it raises in a ValueError)."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _csv(name: str, data: bytes, count: _Count) -> Sheet:
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
    reader = csv.reader(_lines(name, text), dialect)
    try:
        return _sheet(name, reader, count)
    except csv.Error as exc:  # a quoted value past csv's own limit, a NUL...
        raise _refuse(name, "unreadable", row=reader.line_num or None, detail=str(exc)) from exc


def _lines(name: str, text: str) -> Iterator[str]:
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE:
            raise _refuse(name, "line_too_long", row=number, limit=MAX_LINE)
        yield line


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(title: str, rows: Iterable[Any], count: _Count) -> Sheet:
    sheet = Sheet(title, 0, [], [])
    for number, values in enumerate(rows, start=1):
        count.rows += 1
        if count.rows > MAX_ROWS_READ:
            raise _refuse(title, "too_many_rows", row=number, limit=MAX_ROWS)
        if values == BLANK_ROW:  # what openpyxl gives for a row missing from the sheet: quick
            continue
        values = list(values)
        if len(values) > MAX_COLUMNS:
            beyond = next((i for i, v in enumerate(values[MAX_COLUMNS:], start=MAX_COLUMNS) if not _blank(v)), None)
            if beyond is not None:
                raise _refuse(title, "too_many_columns", row=number, column=get_column_letter(beyond + 1),
                              limit=MAX_COLUMNS, last=get_column_letter(MAX_COLUMNS))
            del values[MAX_COLUMNS:]
        if all(_blank(v) for v in values):
            continue
        if not sheet.headers:
            sheet.header_row = number
            sheet.headers = [Heading(i, get_column_letter(i + 1), str(v).strip())
                             for i, v in enumerate(values) if not _blank(v)]
            continue
        count.data += 1
        if count.data > MAX_ROWS:
            raise _refuse(title, "too_many_rows", row=number, limit=MAX_ROWS)
        sheet.rows.append((number, values))
    return sheet
