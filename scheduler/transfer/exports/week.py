"""A published week as coordinators hand it on: a sheet per township (sites of the district
level on their own sheet), a per-person list, or one flat CSV. Phone numbers are masked
unless full numbers are asked for, which is written to the audit log."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, District, Organisation, Person, Site, Slot, User
from scheduler.core import audit
from scheduler.core.access import require_district, require_role
from scheduler.core.versions import latest_published
from scheduler.core.weeks import to_local
from scheduler.core.zh_names import ROLE_ZH, SITE_KIND_ZH, SLOT_KIND_ZH, WEEKDAY_ZH, roles_zh
from scheduler.people.operations import mask_phone
from scheduler.transfer.exports.sheets import Table, to_csv, to_xlsx

DISTRICT_LEVEL = "区级"
OPEN = "（空缺）"
WEEK_HEADINGS = ("日期", "星期", "开始", "结束", "镇（街道）", "地点", "地点编号", "类型", "岗位", "人员", "人员编号",
                 "角色", "手机", "所属机构", "办公电话")
PEOPLE_HEADINGS = ("人员编号", "姓名", "角色", "手机", "所属机构", "日期", "星期", "开始", "结束", "镇（街道）",
                   "地点", "类型")


class NothingPublished(LookupError):
    """The week has no published version to export or print."""


@dataclass(frozen=True)
class Seat:
    """One person (or one open place) on one line of one slot of the week."""

    day: date
    start: str
    end: str
    township: str
    site: str
    site_id: str
    site_kind: str
    slot_kind: str
    line: str
    person: str
    person_id: str
    roles: str
    phone: str
    organisation: str
    office_phone: str

    def week_row(self) -> list[Any]:
        return [self.day.isoformat(), WEEKDAY_ZH[self.day.weekday()], self.start, self.end, self.township,
                self.site, self.site_id, SLOT_KIND_ZH.get(self.slot_kind, self.slot_kind), self.line, self.person,
                self.person_id, self.roles, self.phone, self.organisation, self.office_phone]

    def person_row(self) -> list[Any]:
        return [self.person_id, self.person, self.roles, self.phone, self.organisation, self.day.isoformat(),
                WEEKDAY_ZH[self.day.weekday()], self.start, self.end, self.township, self.site,
                SLOT_KIND_ZH.get(self.slot_kind, self.slot_kind)]


@dataclass(frozen=True)
class WeekExport:
    district: District
    week_start: date
    version: int
    seats: tuple[Seat, ...]
    full_phones: bool

    @property
    def title(self) -> str:
        return f"{self.district.name} {self.week_start.isoformat()} 当周排班（第 {self.version} 版）"


def published_week(session: Session, actor: User | None, district_id: int, week_start: date, *,
                   full_phones: bool = False) -> WeekExport:
    """The newest published version of the week, seat by seat, in local time."""
    if actor is not None:
        require_role(actor, "coordinator")
        require_district(actor, district_id)
    district = session.get(District, district_id)
    if district is None:
        raise LookupError(f"no district with id {district_id}")
    version = latest_published(session, district_id, week_start)
    if version is None:
        raise NothingPublished(f"{district.name}: the week of {week_start} has no published version")
    slots = {s.id: s for s in session.scalars(
        select(Slot).where(Slot.district_id == district_id, Slot.week_start == week_start, Slot.cancelled.is_(False))
        .options(selectinload(Slot.lines), selectinload(Slot.site).selectinload(Site.township)))}
    taken: dict[tuple[int, int], list[Person]] = defaultdict(list)
    for assignment, person in session.execute(
            select(Assignment, Person).join(Person, Person.id == Assignment.person_id)
            .where(Assignment.schedule_id == version.id)
            .options(selectinload(Person.roles), selectinload(Person.organisation))):
        taken[(assignment.slot_id, assignment.line_index)].append(person)
    shown = _demanded(slots.values(), taken)
    seats = []
    for slot in sorted(slots.values(), key=lambda s: (s.start_at, s.site.external_id)):
        if slot.id not in shown:
            continue
        for line in slot.lines:
            people = sorted(taken.get((slot.id, line.idx), []), key=lambda p: p.external_id)
            seats += [_seat(slot, line, p, full_phones) for p in people]
            # Counted from the seats: hand edits after the solve change them.
            missing = line.count - len(people)
            if missing > 0:
                seats.append(_seat(slot, line, None, full_phones, missing))
    if full_phones:
        audit.record(session, actor, "export.full_phones", "week", f"{district.code}/{week_start.isoformat()}",
                     district_id, version=version.version)
    return WeekExport(district, week_start, version.version, tuple(seats), full_phones)


def _demanded(slots: Any, taken: dict[tuple[int, int], list[Person]]) -> set[int]:
    """Slots to list: all but the alternative times of a request, of which only the staffed
    one (or, while none is, the earliest) stands."""
    shown = {s.id for s in slots if not s.choice_group}
    groups: dict[str, list[Slot]] = defaultdict(list)
    for s in slots:
        if s.choice_group:
            groups[s.choice_group].append(s)
    for members in groups.values():
        staffed = [s for s in members if any(taken.get((s.id, ln.idx)) for ln in s.lines)]
        shown.add((staffed or sorted(members, key=lambda s: (s.start_at, s.external_id)))[0].id)
    return shown


def _seat(slot: Slot, line: Any, person: Person | None, full_phones: bool, missing: int = 0) -> Seat:
    site = slot.site
    start, end = to_local(slot.start_at, site.timezone), to_local(slot.end_at, site.timezone)
    org: Organisation | None = person.organisation if person else None
    need = "、".join(ROLE_ZH.get(r, r) for r in line.roles) + (f" ×{line.count}" if line.count > 1 else "")
    return Seat(
        day=start.date(), start=f"{start:%H:%M}", end=f"{end:%H:%M}",
        township=site.township.name if site.township else DISTRICT_LEVEL, site=site.name,
        site_id=site.external_id, site_kind=SITE_KIND_ZH.get(site.kind, site.kind), slot_kind=slot.kind,
        line=need, person=person.name if person else f"{OPEN} {missing}",
        person_id=person.external_id if person else "", roles=roles_zh(person.role_names) if person else "",
        phone=(person.phone or "" if full_phones else mask_phone(person.phone)) if person else "",
        organisation=org.name if org else "", office_phone=(org.phone or "") if org else "",
    )


def week_tables(export: WeekExport) -> list[Table]:
    by_township: dict[str, list[Seat]] = defaultdict(list)
    for seat in export.seats:
        by_township[seat.township].append(seat)
    order = sorted(by_township, key=lambda t: (t == DISTRICT_LEVEL, t))
    tables = [Table(t, WEEK_HEADINGS, [s.week_row() for s in by_township[t]], [export.title]) for t in order]
    staffed = sorted((s for s in export.seats if s.person_id), key=lambda s: (s.person_id, s.day, s.start))
    tables.append(Table("人员 People", PEOPLE_HEADINGS, [s.person_row() for s in staffed], [export.title]))
    return tables


def week_xlsx(export: WeekExport) -> bytes:
    return to_xlsx(week_tables(export))


def week_csv(export: WeekExport) -> bytes:
    return to_csv(Table("week", WEEK_HEADINGS, [s.week_row() for s in export.seats]))
