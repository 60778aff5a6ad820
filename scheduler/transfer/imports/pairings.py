"""Importing standing pairings (挂钩结对): one row per village naming its adviser. A village
whose adviser changes has the current pairing ended and a new one started on the row's date
(today when empty), as an approved re-pairing does; the history stays."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import Pairing, Person, PersonRole, Site, SiteExclusion
from scheduler.advisers.pairings import SUPERVISOR_ROLE
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
    first_rows,
    update_by_id,
)

COLUMNS = (
    Column("village", "村编号", "Village ID", v.identifier, True, ("村（社区）编号", "地点编号", "village id"),
           example="YZ-V0001"),
    Column("village_name", "村名", "Village", v.text(128), False, ("村（社区）名称",), "仅供阅读，导入时不使用",
           "for reading only; not imported", "湾底村"),
    Column("person", "顾问编号", "Adviser ID", v.identifier, True, ("人员编号", "律师编号", "adviser id", "person id"),
           "须为本区县在岗律师", "an active lawyer of the same district", "YZ-L0001"),
    Column("person_name", "顾问姓名", "Adviser", v.text(64), False, ("律师姓名", "姓名"), "仅供阅读，导入时不使用",
           "for reading only; not imported", "王明"),
    Column("valid_from", "开始日期", "Valid from", v.day, False, ("结对日期", "起始日期"),
           "换人时新结对的开始日期；留空为今天", "when a new adviser starts; empty: today", "2026-03-02"),
    Column("note", "备注", "Note", v.text(256), False, ("说明",)),
)


def plan(ctx: Context, rows: list[Row]) -> Plan:
    out = Plan(payload={"end": [], "note": [], "insert": []})
    villages = _lookup(ctx, Site, [r.get("village") for r in rows if r.get("village")])
    people = _lookup(ctx, Person, [r.get("person") for r in rows if r.get("person")])
    lawyers = _holders(ctx.session, [p["id"] for p in people.values()])
    current = _current(ctx.session, [s["id"] for s in villages.values()], [p["id"] for p in people.values()])
    excluded = _exclusions(ctx.session, [p["id"] for p in people.values()])
    dup = first_rows(rows, "village")
    chosen: dict[int, tuple[Row, dict, dict]] = {}
    for row in rows:
        first = dup(row)
        if first is not None:
            ctx.error(row, "village", "duplicate_id", value=row.get("village"), first_row=first)
        site, person = villages.get(row.get("village")), people.get(row.get("person"))
        if row.get("village") is not None and site is None:
            ctx.error(row, "village", "unknown_village", value=row.get("village"))
        elif site is not None and site["kind"] != "village":
            ctx.error(row, "village", "not_a_village", value=row.get("village"), kind=SITE_KIND_ZH[site["kind"]],
                      kind_code=site["kind"])
        if row.get("person") is not None and person is None:
            ctx.error(row, "person", "unknown_person", value=row.get("person"))
        elif person is not None:
            _check_person(ctx, row, site, person, lawyers, excluded)
        if not row.ok or site is None or person is None:
            continue
        chosen[site["id"]] = (row, site, person)
        held = current["by_site"].get(site["id"])
        if held is not None and held["person_id"] != person["id"]:
            start = row.get("valid_from") or ctx.today
            if held["valid_from"] > start:
                ctx.error(row, "valid_from" if "valid_from" in row.places else "village", "before_current",
                          current=held["valid_from"].isoformat())
    _check_loads(ctx, chosen, current, people)
    if ctx.errors:
        return out
    for site_id, (row, site, person) in chosen.items():
        held = current["by_site"].get(site_id)
        change = Change(row.sheet, row.number, site["external_id"], site["name"], "created", (person["name"],))
        if held is not None and held["person_id"] == person["id"]:
            if row.get("note") is not None and row.get("note") != held["note"]:
                out.payload["note"].append({"id": held["id"], "note": row.get("note")})
                change.action, change.fields = "updated", ("note",)
                out.count("updated", change)
            else:
                out.count("unchanged")
            continue
        start = row.get("valid_from") or ctx.today
        if held is not None:
            out.payload["end"].append({"id": held["id"], "valid_to": start})
            change.action = "updated"
        out.payload["insert"].append({"site_id": site_id, "person_id": person["id"], "valid_from": start,
                                      "note": row.get("note")})
        out.count(change.action, change)
    return out


def _check_person(ctx: Context, row: Row, site: dict | None, person: dict, lawyers: set[int],
                  excluded: dict[tuple[int, int], str]) -> None:
    value = row.get("person")
    if not person["active"]:
        ctx.error(row, "person", "inactive_person", value=value)
    if person["id"] not in lawyers:
        ctx.error(row, "person", "not_a_lawyer", value=value)
    if site is None:
        return
    if site["district_id"] != person["district_id"]:
        ctx.error(row, "person", "person_other_district", value=value)
    reason = excluded.get((person["id"], site["id"]))
    if reason is not None:
        ctx.error(row, "person", "excluded_site", value=value, reason=reason)


def _check_loads(ctx: Context, chosen: dict, current: dict, people: dict[str, dict]) -> None:
    """No adviser ends up with more villages than their maximum."""
    after = {site_id: pairing["person_id"] for site_id, pairing in current["by_person_site"].items()}
    after.update({site_id: person["id"] for site_id, (_row, _site, person) in chosen.items()})
    load = Counter(after.values())
    limits = {p["id"]: p["max_paired_sites"] for p in people.values()}
    for site_id, (row, _site, person) in chosen.items():
        limit = limits.get(person["id"])
        held = current["by_site"].get(site_id)
        if limit is not None and load[person["id"]] > limit and (held is None or held["person_id"] != person["id"]):
            ctx.error(row, "person", "too_many_villages", value=row.get("person"), max=limit,
                      count=load[person["id"]])


def _lookup(ctx: Context, model: Any, external_ids: list[str]) -> dict[str, dict[str, Any]]:
    columns = [model.id, model.external_id, model.name, model.district_id]
    columns += [model.kind] if model is Site else [model.active, model.max_paired_sites]
    found = {}
    for chunk in chunks(sorted(set(external_ids))):
        for r in ctx.session.execute(select(*columns).where(model.external_id.in_(chunk))).mappings():
            if ctx.in_scope(r["district_id"]):
                found[r["external_id"]] = dict(r)
    return found


def _holders(session: Session, person_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(sorted(set(person_ids))):
        found.update(session.scalars(select(PersonRole.person_id).where(
            PersonRole.person_id.in_(chunk), PersonRole.role == SUPERVISOR_ROLE)))
    return found


def _current(session: Session, site_ids: list[int], person_ids: list[int]) -> dict[str, dict[int, dict]]:
    """Open pairings of the file's villages (by site) and of its advisers (by their site)."""
    columns = (Pairing.id, Pairing.site_id, Pairing.person_id, Pairing.valid_from, Pairing.note)
    by_site: dict[int, dict] = {}
    by_person_site: dict[int, dict] = {}
    for column, ids, into in ((Pairing.site_id, site_ids, by_site), (Pairing.person_id, person_ids, by_person_site)):
        for chunk in chunks(sorted(set(ids))):
            for r in session.execute(select(*columns).where(column.in_(chunk), Pairing.valid_to.is_(None))).mappings():
                into[r["site_id"]] = dict(r)
    return {"by_site": by_site, "by_person_site": by_person_site}


def _exclusions(session: Session, person_ids: list[int]) -> dict[tuple[int, int], str]:
    found = {}
    for chunk in chunks(sorted(set(person_ids))):
        for r in session.execute(select(SiteExclusion.person_id, SiteExclusion.site_id, SiteExclusion.reason)
                                 .where(SiteExclusion.person_id.in_(chunk))):
            found[(r.person_id, r.site_id)] = r.reason
    return found


def apply(session: Session, plan: Plan, now: datetime) -> None:
    table = Pairing.__table__
    # Ended first: the one-current-adviser index must see them before the new pairs.
    update_by_id(session, table, ("valid_to",), plan.payload["end"], updated_at=now)
    update_by_id(session, table, ("note",), plan.payload["note"], updated_at=now)
    if plan.payload["insert"]:
        session.execute(insert(table), [{**r, "created_at": now, "updated_at": now} for r in plan.payload["insert"]])


KIND = Kind("pairings", "结对", "Pairings", COLUMNS, plan, apply)
