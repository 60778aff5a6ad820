"""Importing people: one row per person, matched by the person's id (人员编号)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from models import Organisation, Person, PersonRole, PersonSkill
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

FIELDS = ("district_id", "organisation_id", "name", "phone", "email", "lat", "lon", "max_hours_week",
          "target_hours_week", "max_slots_per_day", "max_paired_sites", "active")
DEFAULT_MAX_HOURS = 8.0

COLUMNS = (
    Column("external_id", "人员编号", "Person ID", v.identifier, True, ("编号", "工号", "id", "external id"),
           "每人唯一，再次导入时按此编号更新", "unique per person; a later import updates by it", "YZ-L0001"),
    district_column(example="鄞州区"),
    Column("name", "姓名", "Name", v.text(64), True, ("名字",), example="王明"),
    Column("roles", "角色", "Roles", v.roles, True, ("身份", "role"),
           "律师、实习律师、公证员、人民调解员、司法鉴定人、基层法律服务工作者、法治宣传员、志愿者；多个用顿号分隔",
           "lawyer, trainee lawyer, notary, mediator, ...; several separated by commas", "律师"),
    Column("skills", "专长", "Skills", v.skills, False, ("专长标签", "skill"),
           "专长的代码、中文名或英文名，如 婚姻家庭、labour、Ningbo dialect；多个用顿号分隔",
           "a skill's code, Chinese or English name, e.g. family, 劳动争议, Ningbo dialect", "婚姻家庭"),
    Column("phone", "手机", "Phone", v.phone, False, ("电话", "手机号码", "联系电话", "mobile"), example="13812345678"),
    Column("email", "电子邮箱", "Email", v.email, False, ("邮箱", "e-mail"), example="wangming@example.com"),
    Column("organisation", "所属机构", "Organisation", v.text(128), False,
           ("工作单位", "单位", "机构", "organization", "organisation id"),
           "机构名称或编号（本区县或全市的机构）", "an organisation's name or id (this district's or city-wide)",
           "甲律师事务所"),
    Column("lat", "纬度", "Latitude", v.number(-90, 90), True, ("lat",), "出发地（家或办公室）纬度",
           "where the person sets out from", 29.82),
    Column("lon", "经度", "Longitude", v.number(-180, 180), True, ("lon", "lng"), example=121.55),
    Column("max_hours_week", "每周最多小时", "Max hours per week", v.number(0, 80), False, ("每周最多工时",),
           "留空为 8", "empty: 8", 8),
    Column("target_hours_week", "每周目标小时", "Target hours per week", v.number(0, 80), False, ("每周目标工时",)),
    Column("max_slots_per_day", "每天最多班次", "Max slots per day", v.integer(0, 10), False),
    Column("max_paired_sites", "最多结对村数", "Max paired villages", v.integer(0, 50), False, ("最多结对村",)),
    Column("active", "在岗", "Active", v.active, False, ("状态", "是否在岗"), "是 或 否；留空为 是",
           "yes or no; empty: yes", "是"),
)


def plan(ctx: Context, rows: list[Row]) -> Plan:
    out = Plan(payload={"insert": [], "update": [], "roles": {}, "skills": {}})
    dup = first_rows(rows, "external_id")
    ids = [r.get("external_id") for r in rows if r.get("external_id")]
    existing = _existing(ctx.session, ids)
    organisations = _organisations(ctx.session)
    for row in rows:
        first = dup(row)
        if first is not None:
            ctx.error(row, "external_id", "duplicate_id", value=row.get("external_id"), first_row=first)
        district = ctx.district_of(row)
        old = existing.get(row.get("external_id"))
        if old is not None and district is not None and (old["district_id"] != district.id
                                                          or not ctx.in_scope(old["district_id"])):
            ctx.error(row, "external_id", "id_in_other_district", value=row.get("external_id"))
        org_id = None
        if row.get("organisation") is not None and district is not None:
            org_id = organisations(district.id, row.get("organisation"))
            if org_id is None:
                ctx.error(row, "organisation", "unknown_organisation", value=row.get("organisation"))
        skills = ctx.skills_of(row, "skills")
        max_hours = row.get("max_hours_week", DEFAULT_MAX_HOURS)
        if row.get("target_hours_week") is not None and row.get("target_hours_week") > max_hours:
            ctx.error(row, "target_hours_week", "target_above_max", max=v.shown(max_hours))
        if not row.ok or district is None:
            continue
        new = {
            "district_id": district.id, "organisation_id": org_id, "name": row.get("name"),
            "phone": row.get("phone"), "email": row.get("email"), "lat": row.get("lat"), "lon": row.get("lon"),
            "max_hours_week": max_hours, "target_hours_week": row.get("target_hours_week"),
            "max_slots_per_day": row.get("max_slots_per_day"), "max_paired_sites": row.get("max_paired_sites"),
            "active": row.get("active", True),
        }
        _compare(out, row, old, new, skills)
    return out


def _compare(out: Plan, row: Row, old: dict[str, Any] | None, new: dict[str, Any], skills: list[str]) -> None:
    key, roles = row.get("external_id"), row.get("roles")
    if old is None:
        out.payload["insert"].append({"external_id": key, **new})
        out.payload["roles"][key], out.payload["skills"][key] = roles, skills
        out.count("created", Change(row.sheet, row.number, key, new["name"], "created"))
        return
    changed = [f for f in FIELDS if old[f] != new[f]]
    if old["roles"] != roles:
        changed.append("roles")
        out.payload["roles"][key] = roles
    if old["skills"] != skills:
        changed.append("skills")
        out.payload["skills"][key] = skills
    if not changed:
        out.count("unchanged")
        return
    out.payload["update"].append({"id": old["id"], **new})
    out.count("updated", Change(row.sheet, row.number, key, new["name"], "updated", tuple(changed)))


def _existing(session: Session, external_ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    table = Person.__table__
    for chunk in chunks(sorted(set(external_ids))):
        for r in session.execute(select(table.c.id, table.c.external_id, *(table.c[f] for f in FIELDS))
                                 .where(table.c.external_id.in_(chunk))).mappings():
            found[r["external_id"]] = {**r, "roles": [], "skills": []}
    by_id = {p["id"]: p for p in found.values()}
    for model, column, key in ((PersonRole, PersonRole.role, "roles"), (PersonSkill, PersonSkill.skill, "skills")):
        for chunk in chunks(sorted(by_id)):
            for person_id, value in session.execute(select(model.person_id, column).where(model.person_id.in_(chunk))):
                by_id[person_id][key].append(value)
    for p in found.values():
        p["roles"].sort()
        p["skills"].sort()
    return found


def _organisations(session: Session):
    by_id: dict[str, tuple[int, int | None]] = {}
    by_name: dict[tuple[int | None, str], int] = {}
    for org in session.execute(select(Organisation.id, Organisation.external_id, Organisation.name,
                                      Organisation.district_id)):
        by_id[org.external_id] = (org.id, org.district_id)
        by_name.setdefault((org.district_id, org.name), org.id)

    def lookup(district_id: int, word: str) -> int | None:
        hit = by_id.get(word)
        if hit is not None and hit[1] in (district_id, None):
            return hit[0]
        return by_name.get((district_id, word)) or by_name.get((None, word))
    return lookup


def apply(session: Session, plan: Plan, now: datetime) -> None:
    table = Person.__table__
    data = plan.payload
    if data["insert"]:
        session.execute(insert(table), [{**r, "created_at": now, "updated_at": now} for r in data["insert"]])
    update_by_id(session, table, FIELDS, data["update"], updated_at=now)
    _replace_tags(session, PersonRole, "role", data["roles"])
    _replace_tags(session, PersonSkill, "skill", data["skills"])


def _replace_tags(session: Session, model: Any, column: str, wanted: dict[str, list[str]]) -> None:
    """Roles or skills of the given people become exactly `wanted` (by external id)."""
    if not wanted:
        return
    ids: dict[str, int] = {}
    for chunk in chunks(sorted(wanted)):
        ids.update(session.execute(select(Person.external_id, Person.id).where(Person.external_id.in_(chunk))).all())
    for chunk in chunks(sorted(ids.values())):
        session.execute(delete(model).where(model.person_id.in_(chunk)))
    rows = [{"person_id": ids[key], column: tag} for key, tags in wanted.items() for tag in tags]
    if rows:
        session.execute(insert(model.__table__), rows)


KIND = Kind("people", "人员", "People", COLUMNS, plan, apply)
