"""Writing tables to .xlsx (a sheet per table) and CSV (UTF-8 with the BOM Excel needs to
read Chinese), with headings in bold and sensible column widths.

Text that a spreadsheet would take for a formula (it begins with =, +, -, @, a tab, a line
break, or their full-width forms) is written as text, never as a formula (OWASP's CSV
injection advice): in .xlsx as a string cell marked "quote prefix" (Excel's hidden leading
apostrophe, so editing the cell keeps it text), in CSV with a leading apostrophe. Numbers
stay numbers: -5 is written as the number -5, and text that is only a number ("-5", "+86")
is left as it is, since a spreadsheet reads it as that number and nothing else."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
# What makes a spreadsheet read a cell's text as a formula: =, +, -, @ (and their full-width
# forms, which East Asian Excel turns into them), a tab or a line break first.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+\-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+\-]?[0-9]+)?")


@dataclass
class Table:
    title: str
    headings: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    # Lines above the table (a record's subject, the week), each one cell.
    preface: list[str] = field(default_factory=list)


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = BAD_TITLE.sub("_", name).strip() or "Sheet"
    title, n = base[:31], 2
    while title in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def formula_like(value: Any) -> bool:
    """Text a spreadsheet would read as a formula (see the module's note)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value)


def csv_safe(value: Any) -> Any:
    """The value for a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + value if formula_like(value) else value


def _as_text(sheet, row: int) -> None:
    """Mark the formula-like text cells of a just-appended row as text (openpyxl takes a
    string beginning with = for a formula)."""
    for cell in sheet[row]:
        if formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def to_xlsx(tables: Sequence[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title, taken))
        for line in table.preface:
            sheet.append([line])
            _as_text(sheet, sheet.max_row)
        if table.preface:
            sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
            sheet.append([])
        sheet.append(list(table.headings))
        head_row = sheet.max_row
        _as_text(sheet, head_row)
        for cell in sheet[head_row]:
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
        for row in table.rows:
            sheet.append(list(row))
            _as_text(sheet, sheet.max_row)
        sheet.freeze_panes = sheet.cell(row=head_row + 1, column=1)
        for i, heading in enumerate(table.headings, start=1):
            longest = max([_width(heading)] + [_width(r[i - 1]) for r in table.rows[:500] if i - 1 < len(r)])
            sheet.column_dimensions[sheet.cell(row=head_row, column=i).column_letter].width = min(40, longest + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(v) for v in table.headings])
    writer.writerows(["" if v is None else csv_safe(v) for v in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
