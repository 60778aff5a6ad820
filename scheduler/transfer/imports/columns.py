"""The shared machinery of every import kind: column specs, heading matching, reading each
row's cells into values, and the context that collects every problem at once."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from models import District, User
from scheduler.core.access import visible_district_ids
from scheduler.skills import vocabulary as skill_vocabulary
from scheduler.skills.vocabulary import Vocabulary
from scheduler.transfer.imports.problems import CellError, UnreadableValue
from scheduler.transfer.imports.reading import Heading, Sheet
from scheduler.transfer.imports.values import Reader, blank, identifier

BATCH = 900  # ids per IN (...) list: below SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    read: Reader
    required: bool = False
    aliases: tuple[str, ...] = ()
    note_zh: str = ""
    note_en: str = ""
    example: Any = None

    def names(self) -> Iterator[str]:
        yield from (self.zh, self.en, self.key, *self.aliases)


def district_column(**kw: Any) -> Column:
    return Column("district", "区县", "District", identifier, aliases=("区县名称", "区/县", "district name"),
                  note_zh="区县名称或代码；留空则为导入时选择的区县",
                  note_en="district name or code; empty: the district chosen for the import", **kw)


@dataclass
class Row:
    sheet: str
    number: int
    values: dict[str, Any]
    places: dict[str, Heading]
    ok: bool = True
    # Keys of the cells already reported, so later checks do not pile on.
    bad: set[str] = field(default_factory=set)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value


@dataclass
class Change:
    """One row's effect, for the preview: created, updated (with the fields) or removed."""

    sheet: str
    row: int | None
    key: str
    name: str
    action: str
    fields: tuple[str, ...] = ()


@dataclass
class Plan:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    changes: list[Change] = field(default_factory=list)
    payload: Any = None

    def count(self, action: str, change: Change | None = None) -> None:
        setattr(self, action, getattr(self, action) + 1)
        if change is not None:
            self.changes.append(change)


@dataclass(frozen=True)
class Kind:
    name: str
    sheet_zh: str
    sheet_en: str
    columns: tuple[Column, ...]
    plan: Callable[[Context, list[Row]], Plan]
    apply: Callable[[Session, Plan, datetime], None]  # writes the plan, rows stamped with the time given

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def normal(heading: str) -> str:
    """Headings compare without case, spaces, marks and a trailing note in brackets."""
    heading = re.sub(r"[（(][^（()）]*[)）]\s*$", "", heading.strip())
    return re.sub(r"[\s_\-*:：]", "", heading).lower()


class Context:
    """One import's session, acting user, target district and the problems found so far."""

    def __init__(self, session: Session, actor: User | None, district: District | None, today: date) -> None:
        self.session = session
        self.actor = actor
        self.district = district
        self.today = today
        self.errors: list[CellError] = []
        self.districts = list(session.scalars(select(District)))
        self._by_word = {d.name: d for d in self.districts} | {d.code: d for d in self.districts}
        self._skills: Vocabulary | None = None

    @property
    def scope(self) -> frozenset[int] | None:
        """District ids this import may touch; None: every district."""
        if self.district is not None:
            return frozenset({self.district.id})
        return None if self.actor is None else visible_district_ids(self.actor)

    def in_scope(self, district_id: int) -> bool:
        scope = self.scope
        return scope is None or district_id in scope

    def error(self, row: Row, key: str | None, code: str, **params: Any) -> None:
        heading = row.places.get(key) if key else None
        self.errors.append(CellError(row.sheet, row.number, heading.letter if heading else None,
                                     heading.text if heading else None, code, params))
        row.ok = False
        if key:
            row.bad.add(key)

    @property
    def skills(self) -> Vocabulary:
        if self._skills is None:
            self._skills = skill_vocabulary.load(self.session)
        return self._skills

    def skills_of(self, row: Row, key: str) -> list[str]:
        """The row's skills in column `key` as codes; a word naming no skill is an error of the cell."""
        codes, unknown = self.skills.read(row.get(key, []))
        if unknown:
            self.error(row, key, "unknown_skill", value="、".join(unknown))
        return codes

    def district_of(self, row: Row) -> District | None:
        """The row's district (its district cell, else the import's), or None with the error noted."""
        word = row.get("district")
        if word is None:
            if self.district is None:
                self.error(row, "district" if "district" in row.places else None, "required")
            return self.district
        found = self._by_word.get(word)
        if found is None:
            self.error(row, "district", "unknown_district", value=word)
            return None
        if not self.in_scope(found.id):
            self.error(row, "district", "other_district", value=word,
                       district=self.district.name if self.district else "")
            return None
        return found


def match_headings(kind: Kind, sheet: Sheet, ctx: Context) -> dict[str, Heading]:
    names = {normal(n): c for c in kind.columns for n in c.names()}
    found: dict[str, Heading] = {}
    for heading in sheet.headers:
        column = names.get(normal(heading.text))
        if column is None:
            ctx.errors.append(CellError(sheet.name, sheet.header_row, heading.letter, heading.text,
                                        "unknown_column", {"header": heading.text}))
        elif column.key in found:
            ctx.errors.append(CellError(sheet.name, sheet.header_row, heading.letter, heading.text,
                                        "duplicate_column", {"header": heading.text}))
        else:
            found[column.key] = heading
    for column in kind.columns:
        needed = column.required or (column.key == "district" and ctx.district is None)
        if needed and column.key not in found:
            ctx.errors.append(CellError(sheet.name, sheet.header_row, None, None, "missing_column",
                                        {"column": column.zh}))
    return found


def read_rows(kind: Kind, sheets: Sequence[Sheet], ctx: Context) -> list[Row]:
    """Every data row read into values; every unreadable or missing required cell noted."""
    rows: list[Row] = []
    for sheet in sheets:
        places = match_headings(kind, sheet, ctx)
        readers = [(kind.column(key), heading) for key, heading in places.items()]
        for number, cells in sheet.rows:
            row = Row(sheet.name, number, {}, places)
            for column, heading in readers:
                raw = cells[heading.index] if heading.index < len(cells) else None
                if blank(raw):
                    row.values[column.key] = None
                    if column.required:
                        ctx.error(row, column.key, "required")
                    continue
                try:
                    row.values[column.key] = column.read(raw)
                except UnreadableValue as problem:
                    ctx.error(row, column.key, problem.code, **problem.params)
            rows.append(row)
    return rows


def guess_kind(kinds: Iterable[Kind], sheets: Sequence[Sheet]) -> Kind | None:
    """The kind whose sheet name or required headings the file carries; None if unclear."""
    kinds = list(kinds)
    for kind in kinds:
        if any(normal(s.name) in (normal(kind.sheet_zh), normal(kind.sheet_en), kind.name) for s in sheets):
            return kind
    headings = {normal(h.text) for s in sheets for h in s.headers}
    fitting = [k for k in kinds
               if all(any(normal(n) in headings for n in c.names()) for c in k.columns if c.required)]
    return fitting[0] if len(fitting) == 1 else None


def first_rows(rows: Iterable[Row], key: str) -> Callable[[Row], int | None]:
    """For duplicate checks: the number of the first row carrying the same value, or None."""
    seen: dict[Any, int] = {}
    first: dict[int, int | None] = {}
    for row in rows:
        value = row.get(key)
        if value is None:
            continue
        first[id(row)] = seen.get(value)
        seen.setdefault(value, row.number)
    return lambda row: first.get(id(row))


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[list[Any]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def update_by_id(session: Session, table: Any, fields: Sequence[str], rows: list[dict[str, Any]],
                 **fixed: Any) -> None:
    """One executemany UPDATE of `fields` for rows {"id": ..., field: value}."""
    if not rows:
        return
    session.execute(
        update(table).where(table.c.id == bindparam("b_id"))
        .values({f: bindparam(f"v_{f}") for f in fields} | fixed),
        [{"b_id": r["id"], **{f"v_{f}": r[f] for f in fields}} for r in rows],
    )
