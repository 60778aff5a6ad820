"""Building .xlsx and CSV files in memory for import tests."""
from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

PEOPLE_HEAD = ["人员编号", "区县", "姓名", "角色", "专长", "手机", "纬度", "经度", "每周最多小时"]


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def person_row(ext: str, district: str, name: str = "王明", roles: str = "律师", skills: str = "",
               phone: Any = "13812345678", lat: Any = 29.8, lon: Any = 121.5, hours: Any = 8) -> list[Any]:
    return [ext, district, name, roles, skills, phone, lat, lon, hours]
