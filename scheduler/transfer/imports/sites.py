"""Importing sites (villages, township windows, centres, squares, stations), matched by the
site's id (地点编号); a village's standing visit rhythm comes with it."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import Site, Township
from scheduler.core.zh_names import SITE_KIND_ZH
from scheduler.transfer.imports import values as v
from scheduler.transfer.imports.columns import (
    Change,
    Column,
    Context,
    Kind,
    Plan,
    Row,
    chunks,
    district_column,
    first_rows,
    update_by_id,
)

FIELDS = ("district_id", "township_id", "kind", "name", "lat", "lon", "address", "phone", "needs", "active",
          "visit_every_weeks", "visit_weekday", "visit_start", "visit_minutes", "visit_anchor")
RHYTHM = ("visit_every_weeks", "visit_weekday", "visit_start", "visit_minutes")

COLUMNS = (
    Column("external_id", "地点编号", "Site ID", v.identifier, True, ("编号", "村编号", "site id", "id"),
           "每个地点唯一，再次导入时按此编号更新", "unique per site; a later import updates by it", "YZ-V0001"),
    district_column(example="鄞州区"),
    Column("township", "镇（街道）", "Township", v.text(64), False, ("镇街", "乡镇", "街道", "所属镇街"),
           "本区县的镇（街道）名称或代码", "a township of the district, by name or code", "下应街道"),
    Column("kind", "类型", "Kind", v.site_kind, True, ("地点类型", "type"),
           "、".join(SITE_KIND_ZH.values()), "village, window, centre, square or station", "村（社区）"),
    Column("name", "名称", "Name", v.text(128), True, ("地点名称", "村名", "村（社区）名称"), example="湾底村"),
    Column("lat", "纬度", "Latitude", v.number(-90, 90), True, ("lat",), example=29.80),
    Column("lon", "经度", "Longitude", v.number(-180, 180), True, ("lon", "lng"), example=121.60),
    Column("address", "地址", "Address", v.text(256), False, ("详细地址",), example="下应街道湾底村村委会"),
    Column("phone", "电话", "Phone", v.phone, False, ("办公电话", "联系电话"), example="0574-88123456"),
    Column("needs", "所需专长", "Needed skills", v.skills, False, ("需要的专长", "needs"),
           "结对顾问应具备的专长：代码、中文名或英文名，多个用顿号分隔",
           "skills the standing adviser should hold: code, Chinese or English name", "土地纠纷"),
    Column("active", "启用", "Active", v.active, False, ("状态", "是否启用"), "是 或 否；留空为 是",
           "yes or no; empty: yes", "是"),
    Column("visit_every_weeks", "走访间隔（周）", "Visit every (weeks)", v.integer(1, 52), False,
           ("每几周走访", "visit every weeks"), "定时走访：每几周一次；不定时走访则四项都留空",
           "standing visits: every N weeks; leave all four empty for none", 2),
    Column("visit_weekday", "走访星期", "Visit weekday", v.weekday, False, ("走访日",),
           "周一 至 周日", "Mon to Sun", "周三"),
    Column("visit_start", "走访开始时间", "Visit start", v.time_of_day, False, ("走访时间",), example="09:00"),
    Column("visit_minutes", "走访时长（分钟）", "Visit minutes", v.integer(15, 720), False, ("走访时长",), example=120),
    Column("visit_anchor", "起始周", "First visit week", v.day, False, ("走访起始日期", "visit anchor"),
           "从哪一周起算间隔（该周任一日期）；留空则沿用原值，新地点为本周",
           "the week the rhythm counts from (any date in it); empty: unchanged, this week for a new site",
           "2026-03-02"),
)


def plan(ctx: Context, rows: list[Row]) -> Plan:
    out = Plan(payload={"insert": [], "update": []})
    dup = first_rows(rows, "external_id")
    existing = _existing(ctx.session, [r.get("external_id") for r in rows if r.get("external_id")])
    townships = _townships(ctx.session)
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    for row in rows:
        first = dup(row)
        key = row.get("external_id")
        if first is not None:
            ctx.error(row, "external_id", "duplicate_id", value=key, first_row=first)
        district = ctx.district_of(row)
        old = existing.get(key)
        if old is not None and district is not None and (old["district_id"] != district.id
                                                          or not ctx.in_scope(old["district_id"])):
            ctx.error(row, "external_id", "id_in_other_district", value=key)
            old = None
        if old is not None and row.get("kind") is not None and old["kind"] != row.get("kind"):
            ctx.error(row, "kind", "kind_changed", value=key, old=SITE_KIND_ZH[old["kind"]],
                      new=SITE_KIND_ZH[row.get("kind")], old_code=old["kind"], new_code=row.get("kind"))
        township_id = None
        if row.get("township") is not None and district is not None:
            township_id = townships.get((district.id, row.get("township")))
            if township_id is None:
                ctx.error(row, "township", "unknown_township", value=row.get("township"))
        needs = ctx.skills_of(row, "needs")
        given = [k for k in RHYTHM if row.get(k) is not None or k in row.bad]
        missing = [k for k in RHYTHM if k not in given]
        if given and missing:
            ctx.error(row, missing[0] if missing[0] in row.places else None, "rhythm_incomplete",
                      columns="、".join(_column(k).zh for k in RHYTHM))
        if not row.ok or district is None:
            continue
        anchor = None
        if given:
            anchor = row.get("visit_anchor") or (old or {}).get("visit_anchor") or monday
            anchor -= timedelta(days=anchor.weekday())
        new = {"district_id": district.id, "township_id": township_id, "kind": row.get("kind"),
               "name": row.get("name"), "lat": row.get("lat"), "lon": row.get("lon"),
               "address": row.get("address"), "phone": row.get("phone"), "needs": needs,
               "active": row.get("active", True), **{k: row.get(k) for k in RHYTHM}, "visit_anchor": anchor}
        if old is None:
            out.payload["insert"].append({"external_id": key, "timezone": district.timezone, **new})
            out.count("created", Change(row.sheet, row.number, key, new["name"], "created"))
            continue
        changed = tuple(f for f in FIELDS if old[f] != new[f])
        if not changed:
            out.count("unchanged")
            continue
        out.payload["update"].append({"id": old["id"], **new})
        out.count("updated", Change(row.sheet, row.number, key, new["name"], "updated", changed))
    return out


def _column(key: str) -> Column:
    return next(c for c in COLUMNS if c.key == key)


def _existing(session: Session, external_ids: list[str]) -> dict[str, dict[str, Any]]:
    table = Site.__table__
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(sorted(set(external_ids))):
        for r in session.execute(select(table.c.id, table.c.external_id, *(table.c[f] for f in FIELDS))
                                 .where(table.c.external_id.in_(chunk))).mappings():
            found[r["external_id"]] = {**r, "needs": sorted(r["needs"] or [])}
    return found


def _townships(session: Session) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    for t in session.execute(select(Township.id, Township.district_id, Township.name, Township.code)):
        found.setdefault((t.district_id, t.code), t.id)
        found.setdefault((t.district_id, t.name), t.id)
    return found


def apply(session: Session, plan: Plan, now: datetime) -> None:
    table = Site.__table__
    if plan.payload["insert"]:
        session.execute(insert(table), [{**r, "created_at": now, "updated_at": now} for r in plan.payload["insert"]])
    update_by_id(session, table, FIELDS, plan.payload["update"], updated_at=now)


KIND = Kind("sites", "地点", "Sites", COLUMNS, plan, apply)
