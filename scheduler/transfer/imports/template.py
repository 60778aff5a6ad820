"""Blank import templates: one sheet with the headings of a kind, and an instructions sheet
listing every column (required or not, what to write, an example)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from scheduler.transfer.imports.columns import Kind

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
INSTRUCTIONS = "说明 Instructions"


def template_workbook(kind: Kind) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = kind.sheet_zh
    for i, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(row=1, column=i, value=column.zh)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEAD_FILL
        note = "；".join(x for x in ("必填" if column.required else "", column.note_zh) if x)
        if note:
            cell.comment = Comment(note, "排班系统")
        sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(column.zh) + 4)
        # Ids and phone numbers are text: Excel would otherwise drop leading zeros.
        if column.key in ("external_id", "person", "village", "phone"):
            sheet.column_dimensions[cell.column_letter].number_format = "@"
    sheet.freeze_panes = "A2"
    _instructions(book.create_sheet(INSTRUCTIONS), kind)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instructions(sheet, kind: Kind) -> None:
    sheet.append([f"{kind.sheet_zh}导入模板：在“{kind.sheet_zh}”表中每行填写一条；第一行为列标题，可用中文或英文。"
                  "有任何错误时整个文件都不会导入，并一次列出所有错误。"])
    sheet.append([f"{kind.sheet_en} import template: one row per entry in the \"{kind.sheet_zh}\" sheet; the "
                  "first row holds the headings, in Chinese or English. If anything is wrong nothing is imported "
                  "and every problem is listed at once."])
    sheet.append([])
    sheet.append(["列标题", "Heading", "必填 Required", "说明", "Notes", "示例 Example"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
    for column in kind.columns:
        sheet.append([column.zh, column.en, "是 yes" if column.required else "",
                      column.note_zh, column.note_en, column.example])
    for letter, width in zip("ABCDEF", (18, 22, 12, 48, 48, 18)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
