"""Importing large spreadsheets: 25,000 people (and their weekly availability) into one
district of a fresh database, timed phase by phase, then the same files again.

    python -m benchmarks.imports [--people 25000] [--rules-per-person 2] [--database-url URL]
                                 [--json FILE]

Without --database-url the database is an SQLite file in a temporary folder; with one, it
must be an empty database (e.g. postgresql+psycopg://postgres@127.0.0.1/bench_imports).
The files are .xlsx written with openpyxl, as coordinators' Excel would. Reported for each
import: reading the workbook, checking every row against the database, writing, and the
whole call (the target: the 25,000-person file in under a minute on 2 cores), plus the
created / updated / unchanged counts. The second import of each file must change nothing;
the exit status is 1 when it does, or when any import is refused.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from models import District
from models.db import make_engine
from scheduler.core.database import upgrade
from scheduler.transfer.imports import describe, import_file, reading

PEOPLE_HEAD = ["人员编号", "姓名", "角色", "专长", "手机", "纬度", "经度", "每周最多小时", "在岗"]
RULES_HEAD = ["人员编号", "类型", "星期", "开始", "结束"]
ROLES = ("律师", "律师", "实习律师", "公证员", "人民调解员", "志愿者")
SKILLS = ("family", "labour", "land", "dialect_ningbo", "")


@dataclass
class Result:
    file: str
    rows: int
    bytes: int
    read_s: float
    total_s: float
    created: int
    updated: int
    unchanged: int
    removed: int


def workbook(head: list, rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def people_rows(n: int) -> list[list]:
    return [[f"BM-L{i:05d}", f"测试{i}", ROLES[i % len(ROLES)], SKILLS[i % len(SKILLS)], f"138{i:08d}",
             29.5 + (i % 1000) / 2000, 121.2 + (i % 997) / 2000, 8 + i % 5, "是"] for i in range(n)]


def rule_rows(n: int, per_person: int) -> list[list]:
    return [[f"BM-L{i:05d}", "可服务", 1 + (i + k) % 5, "08:30" if k % 2 == 0 else "14:00",
             "12:00" if k % 2 == 0 else "17:30"] for i in range(n) for k in range(per_person)]


def run(engine, kind: str, name: str, data: bytes, district_id: int) -> Result:
    started = time.perf_counter()
    sheets = reading.read_sheets(name, data)
    read_s = time.perf_counter() - started
    rows = sum(len(s.rows) for s in sheets)
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        report = import_file(session, None, name, data, kind=kind, district=session.get(District, district_id),
                             now=datetime(2026, 3, 2, 2, tzinfo=UTC))
        if not report.ok:
            for error in report.errors[:20]:
                print(f"{error.place()}: {describe(error)}", file=sys.stderr)
            raise SystemExit(f"{name}: refused with {len(report.errors)} problems")
    total = time.perf_counter() - started
    return Result(name, rows, len(data), round(read_s, 2), round(total, 2), report.created, report.updated,
                  report.unchanged, report.removed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--rules-per-person", type=int, default=2)
    parser.add_argument("--database-url")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        with Session(engine) as session, session.begin():
            district = District(code="BM", name="基准区")
            session.add(district)
            session.flush()
            district_id = district.id
        files = [("people", "people.xlsx", workbook(PEOPLE_HEAD, people_rows(args.people))),
                 ("availability", "availability.xlsx",
                  workbook(RULES_HEAD, rule_rows(args.people, args.rules_per_person)))]
        results = []
        for kind, name, data in files:
            results.append(run(engine, kind, name, data, district_id))
            results.append(run(engine, kind, name, data, district_id))
        engine.dispose()
    print(f"database: {engine.url.get_backend_name()}")
    print(f"{'file':<20}{'rows':>8}{'MB':>7}{'read s':>8}{'total s':>9}{'created':>9}{'updated':>9}{'unchanged':>10}")
    for r in results:
        print(f"{r.file:<20}{r.rows:>8}{r.bytes / 1e6:>7.1f}{r.read_s:>8.2f}{r.total_s:>9.2f}{r.created:>9}"
              f"{r.updated:>9}{r.unchanged:>10}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")
    again = results[1::2]
    if any(r.created or r.updated or r.removed for r in again):
        print("FAIL: importing the same file again changed something", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
