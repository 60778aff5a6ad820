"""Service records (质量评价制): everything a person served, or everything a village
received, from the newest published version of every week, with the recorded outcomes and
the village's ratings."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, Pairing, Person, Site, Slot, User, VisitOutcome, VisitRating
from scheduler.core import audit
from scheduler.core.access import require_role, require_visible
from scheduler.core.versions import newest_versions
from scheduler.core.weeks import to_local
from scheduler.core.zh_names import SITE_KIND_ZH, SLOT_KIND_ZH, WEEKDAY_ZH, roles_zh
from scheduler.people.operations import mask_phone
from scheduler.transfer.exports.sheets import Table

PERSON_HEADINGS = ("日期", "星期", "开始", "结束", "类型", "镇（街道）", "地点", "地点编号", "咨询人次", "调解纠纷",
                   "法律意见", "服务小时", "评分")
VILLAGE_HEADINGS = ("日期", "星期", "开始", "结束", "类型", "服务人员", "角色", "咨询人次", "调解纠纷", "法律意见",
                    "评分", "评价")
PAIRING_HEADINGS = ("结对顾问", "人员编号", "开始日期", "结束日期")


@dataclass(frozen=True)
class Record:
    subject: str  # "person" or "village"
    external_id: str
    name: str
    district_id: int
    tables: tuple[Table, ...]

    @property
    def main(self) -> Table:
        return self.tables[0]


def _window(query: Any, since: date | None, until: date | None) -> Any:
    if since is not None:
        query = query.where(Slot.week_start >= since - timedelta(days=7))
    if until is not None:
        query = query.where(Slot.week_start <= until)
    return query


def _in_range(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def person_record(session: Session, actor: User | None, person_id: int, *, since: date | None = None,
                  until: date | None = None, full_phones: bool = False) -> Record:
    person = session.get(Person, person_id)
    _check(actor, person)
    slots = session.scalars(_window(
        select(Slot).join(Assignment, Assignment.slot_id == Slot.id)
        .where(Assignment.person_id == person.id, Assignment.schedule_id.in_(newest_versions(person.district_id)))
        .options(selectinload(Slot.site).selectinload(Site.township)).order_by(Slot.start_at), since, until)).all()
    outcomes = {o.slot_id: o for o in session.scalars(select(VisitOutcome).where(
        VisitOutcome.person_id == person.id, VisitOutcome.slot_id.in_([s.id for s in slots])))}
    scores = _scores(session, [s.id for s in slots])
    rows = []
    for slot in slots:
        start, end = to_local(slot.start_at, slot.site.timezone), to_local(slot.end_at, slot.site.timezone)
        if not _in_range(start.date(), since, until):
            continue
        o = outcomes.get(slot.id)
        rows.append([start.date().isoformat(), WEEKDAY_ZH[start.weekday()], f"{start:%H:%M}", f"{end:%H:%M}",
                     SLOT_KIND_ZH.get(slot.kind, slot.kind), slot.site.township.name if slot.site.township else "",
                     slot.site.name, slot.site.external_id, *_outcome(o), scores.get(slot.id, ("", ""))[0]])
    phone = (person.phone or "") if full_phones else mask_phone(person.phone)
    preface = [f"{person.name}（{person.external_id}）服务记录", f"角色：{roles_zh(person.role_names)}　手机：{phone}",
               f"共 {len(rows)} 次"]
    if full_phones:
        audit.record(session, actor, "export.full_phones", "person", person.external_id, person.district_id)
    table = Table("服务记录 Record", PERSON_HEADINGS, rows, preface)
    return Record("person", person.external_id, person.name, person.district_id, (table,))


def village_record(session: Session, actor: User | None, site_id: int, *, since: date | None = None,
                   until: date | None = None) -> Record:
    site = session.get(Site, site_id)
    _check(actor, site)
    slots = session.scalars(_window(select(Slot).where(Slot.site_id == site.id, Slot.cancelled.is_(False))
                                    .order_by(Slot.start_at), since, until)).all()
    staff: dict[int, list[Person]] = defaultdict(list)
    for slot_id, person in session.execute(
            select(Assignment.slot_id, Person).join(Person, Person.id == Assignment.person_id)
            .where(Assignment.slot_id.in_([s.id for s in slots]),
                   Assignment.schedule_id.in_(newest_versions(site.district_id)))
            .options(selectinload(Person.roles)).order_by(Person.external_id)):
        staff[slot_id].append(person)
    outcomes: dict[int, list[VisitOutcome]] = defaultdict(list)
    for o in session.scalars(select(VisitOutcome).where(VisitOutcome.slot_id.in_(list(staff)))):
        outcomes[o.slot_id].append(o)
    scores = _scores(session, list(staff))
    rows = []
    for slot in slots:
        people = staff.get(slot.id)
        start, end = to_local(slot.start_at, site.timezone), to_local(slot.end_at, site.timezone)
        if not people or not _in_range(start.date(), since, until):
            continue
        totals = [sum(getattr(o, f) for o in outcomes[slot.id])
                  for f in ("consultations", "disputes_mediated", "opinions_written")]
        score, comment = scores.get(slot.id, ("", ""))
        rows.append([start.date().isoformat(), WEEKDAY_ZH[start.weekday()], f"{start:%H:%M}", f"{end:%H:%M}",
                     SLOT_KIND_ZH.get(slot.kind, slot.kind), "、".join(p.name for p in people),
                     "；".join(roles_zh(p.role_names) for p in people), *totals, score, comment])
    history = session.execute(select(Pairing, Person).join(Person, Person.id == Pairing.person_id)
                              .where(Pairing.site_id == site.id).order_by(Pairing.valid_from, Pairing.id)).all()
    pairs = [[p.name, p.external_id, pr.valid_from.isoformat(), pr.valid_to.isoformat() if pr.valid_to else "至今"]
             for pr, p in history]
    kind = SITE_KIND_ZH.get(site.kind, site.kind)
    preface = [f"{site.name}（{site.external_id}，{kind}）服务记录", f"共 {len(rows)} 次"]
    return Record("village", site.external_id, site.name, site.district_id, (
        Table("服务记录 Record", VILLAGE_HEADINGS, rows, preface),
        Table("结对顾问 Advisers", PAIRING_HEADINGS, pairs, [f"{site.name} 结对法律顾问"])))


def _check(actor: User | None, subject: Person | Site | None) -> None:
    if actor is not None:
        require_role(actor, "coordinator")
        require_visible(actor, subject.district_id if subject else None)
    elif subject is None:
        raise LookupError("no such person or village")


def _outcome(o: VisitOutcome | None) -> list[Any]:
    if o is None:
        return ["", "", "", ""]
    return [o.consultations, o.disputes_mediated, o.opinions_written, o.hours]


def _scores(session: Session, slot_ids: list[int]) -> dict[int, tuple[Any, str]]:
    """Slot id -> (mean score, comments) of the village's ratings."""
    found: dict[int, list[VisitRating]] = defaultdict(list)
    for r in session.scalars(select(VisitRating).where(VisitRating.slot_id.in_(slot_ids))):
        found[r.slot_id].append(r)
    return {sid: (round(sum(r.score for r in rs) / len(rs), 1), "；".join(r.comment for r in rs if r.comment))
            for sid, rs in found.items()}
