"""Importing weekly availability: each row is one weekly window of one person. The file
gives the complete weekly rules of every person it names: rules it no longer lists are
removed, identical rules stay untouched, so importing the same file twice changes nothing."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from models import AvailabilityRule, Person
from scheduler.core.zh_names import RULE_KIND_ZH, WEEKDAY_ZH
from scheduler.transfer.imports import values as v
from scheduler.transfer.imports.columns import Change, Column, Context, Kind, Plan, Row, chunks

COLUMNS = (
    Column("person", "人员编号", "Person ID", v.identifier, True, ("编号", "工号", "person id", "id"),
           example="YZ-L0001"),
    Column("name", "姓名", "Name", v.text(64), False, (), "仅供阅读，导入时不使用", "for reading only; not imported",
           "王明"),
    Column("kind", "类型", "Kind", v.rule_kind, False, ("时间类型",), "可服务 或 尽量不排；留空为 可服务",
           "available or undesired; empty: available", "可服务"),
    Column("weekday", "星期", "Weekday", v.weekday, True, ("星期几", "day"), "周一 至 周日", "Mon to Sun", "周二"),
    Column("start", "开始", "Start", v.time_of_day, True, ("开始时间", "from"), example="08:30"),
    Column("end", "结束", "End", v.time_of_day, True, ("结束时间", "to", "until"), example="12:00"),
    Column("valid_from", "有效期起", "Valid from", v.day, False, ("起始日期",), "留空为长期有效",
           "empty: no start", "2026-03-02"),
    Column("valid_to", "有效期止", "Valid until", v.day, False, ("截止日期",), "留空为长期有效", "empty: no end"),
)

Key = tuple[str, int, Any, Any, date | None, date | None]


def plan(ctx: Context, rows: list[Row]) -> Plan:
    out = Plan(payload={"insert": [], "delete": []})
    people = _people(ctx, [r.get("person") for r in rows if r.get("person")])
    wanted: dict[int, dict[Key, Row]] = defaultdict(dict)
    groups: dict[tuple[int, str, int], list[Row]] = defaultdict(list)
    for row in rows:
        person = people.get(row.get("person"))
        if row.get("person") is not None and person is None:
            ctx.error(row, "person", "unknown_person", value=row.get("person"))
        start, end = row.get("start"), row.get("end")
        if start is not None and end is not None and end <= start:
            ctx.error(row, "end", "end_before_start")
        since, until = row.get("valid_from"), row.get("valid_to")
        if since is not None and until is not None and until < since:
            ctx.error(row, "valid_to", "valid_to_before_from")
        if person is None or not row.ok:
            continue
        key: Key = (row.get("kind", "available"), row.get("weekday"), start, end, since, until)
        same = wanted[person["id"]].get(key)
        if same is not None:
            ctx.error(row, "weekday", "duplicate_row", first_row=same.number)
            continue
        for other in groups[(person["id"], key[0], key[1])]:
            if _overlap(other, row):
                ctx.error(row, "start", "overlap", other_row=other.number)
                break
        groups[(person["id"], key[0], key[1])].append(row)
        wanted[person["id"]][key] = row
    if ctx.errors:
        return out
    existing = _existing(ctx.session, list(wanted))
    names = {p["id"]: (ext, p["name"]) for ext, p in people.items()}
    for person_id, rules in wanted.items():
        ext, name = names[person_id]
        have = existing.get(person_id, {})
        for key, row in rules.items():
            if key in have:
                out.count("unchanged")
                continue
            kind, weekday, start, end, since, until = key
            out.payload["insert"].append({"person_id": person_id, "kind": kind, "weekday": weekday,
                                          "start_time": start, "end_time": end, "valid_from": since,
                                          "valid_to": until})
            out.count("created", Change(row.sheet, row.number, ext, name, "created", (_label(key),)))
        for key, rule_id in have.items():
            if key not in rules:
                out.payload["delete"].append(rule_id)
                out.count("removed", Change("", None, ext, name, "removed", (_label(key),)))
    return out


def _label(key: Key) -> str:
    kind, weekday, start, end, since, until = key
    text = f"{RULE_KIND_ZH[kind]} {WEEKDAY_ZH[weekday]} {start:%H:%M}-{end:%H:%M}"
    if since or until:
        text += f" ({since or ''}~{until or ''})"
    return text


def _overlap(a: Row, b: Row) -> bool:
    if not (a.get("start") < b.get("end") and b.get("start") < a.get("end")):
        return False
    lo = max(a.get("valid_from") or date.min, b.get("valid_from") or date.min)
    hi = min(a.get("valid_to") or date.max, b.get("valid_to") or date.max)
    return lo <= hi


def _people(ctx: Context, external_ids: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for chunk in chunks(sorted(set(external_ids))):
        for r in ctx.session.execute(select(Person.id, Person.external_id, Person.name, Person.district_id)
                                     .where(Person.external_id.in_(chunk))).mappings():
            if ctx.in_scope(r["district_id"]):
                found[r["external_id"]] = dict(r)
    return found


def _existing(session: Session, person_ids: list[int]) -> dict[int, dict[Key, int]]:
    found: dict[int, dict[Key, int]] = defaultdict(dict)
    t = AvailabilityRule
    for chunk in chunks(sorted(person_ids)):
        for r in session.execute(select(t.id, t.person_id, t.kind, t.weekday, t.start_time, t.end_time,
                                        t.valid_from, t.valid_to).where(t.person_id.in_(chunk))):
            found[r.person_id][(r.kind, r.weekday, r.start_time, r.end_time, r.valid_from, r.valid_to)] = r.id
    return found


def apply(session: Session, plan: Plan, now: datetime) -> None:
    for chunk in chunks(plan.payload["delete"]):
        session.execute(delete(AvailabilityRule).where(AvailabilityRule.id.in_(chunk)))
    if plan.payload["insert"]:
        session.execute(insert(AvailabilityRule.__table__),
                        [{**r, "created_at": now, "updated_at": now} for r in plan.payload["insert"]])


KIND = Kind("availability", "每周时间", "Availability", COLUMNS, plan, apply)
