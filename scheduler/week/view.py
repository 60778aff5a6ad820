"""The week as coordinators read it: sites down the side, days across, every slot with its
people and its open places (and the solver's reasons for them)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Assignment, OpenPlace, Person, PersonRole, Schedule, Site, Slot, SlotLine, Township, User
from scheduler.core.access import require_district, require_role
from scheduler.core.versions import current_draft, latest_published
from scheduler.core.weeks import to_local, week_days


@dataclass(frozen=True)
class Seat:
    assignment_id: int
    person_id: int
    person: str
    roles: tuple[str, ...]
    locked: bool
    source: str
    # The role the person holds on this line: the first of theirs the line asks for.
    held: str = ""


@dataclass(frozen=True)
class LineView:
    index: int
    roles: tuple[str, ...]
    skills: tuple[str, ...]
    count: int
    seats: tuple[Seat, ...]
    open: int
    reasons: tuple[dict, ...]  # {"code", "zh", "en", ...} from the solver


@dataclass(frozen=True)
class SlotView:
    slot_id: int
    external_id: str
    kind: str
    start: datetime  # local time
    end: datetime
    priority: int
    choice_group: str | None
    lines: tuple[LineView, ...]
    # False for an unchosen alternative time of a request: its places are not demanded.
    counted: bool = True

    @property
    def open(self) -> int:
        return sum(line.open for line in self.lines)


@dataclass
class SiteRow:
    site_id: int
    name: str
    kind: str
    township: str | None
    days: list[list[SlotView]] = field(default_factory=lambda: [[] for _ in range(7)])


@dataclass(frozen=True)
class WeekView:
    district_id: int
    week_start: date
    days: tuple[date, ...]
    schedule: Schedule | None  # the draft (or the published version when asked for)
    published: Schedule | None
    rows: tuple[SiteRow, ...]

    @property
    def demanded(self) -> int:
        return sum(line.count for row in self.rows for day in row.days for s in day if s.counted for line in s.lines)

    @property
    def open(self) -> int:
        return sum(s.open for row in self.rows for day in row.days for s in day)


def week_view(session: Session, actor: User, district_id: int, week_start: date, *, published: bool = False,
              kind: str | None = None, township_id: int | None = None) -> WeekView:
    """The week's grid. One query per table whatever the district's size (slots with their
    sites, lines, seats, the seated people's roles, open places), read as plain rows: a
    district week is thousands of lines and seats, and ORM objects for each cost more than
    the page they feed."""
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    last = latest_published(session, district_id, week_start)
    schedule = last if published else (current_draft(session, district_id, week_start) or last)
    where = [Slot.district_id == district_id, Slot.week_start == week_start, Slot.cancelled.is_(False)]
    if kind:
        where.append(Slot.kind == kind)
    if township_id:
        where.append(Site.township_id == township_id)
    slots = session.execute(
        select(Slot.id, Slot.external_id, Slot.kind, Slot.start_at, Slot.end_at, Slot.priority, Slot.choice_group,
               Site.id, Site.name, Site.kind, Site.timezone, Township.name)
        .join(Site, Site.id == Slot.site_id).outerjoin(Township, Township.id == Site.township_id)
        .where(*where).order_by(Site.kind, Site.external_id, Slot.start_at, Slot.id)).all()
    lines: dict[int, list[tuple[int, list[str], list[str], int]]] = defaultdict(list)
    for slot_id, idx, roles, skills, count in session.execute(
            select(SlotLine.slot_id, SlotLine.idx, SlotLine.roles, SlotLine.skills, SlotLine.count)
            .join(Slot, Slot.id == SlotLine.slot_id).join(Site, Site.id == Slot.site_id).where(*where)
            .order_by(SlotLine.slot_id, SlotLine.idx)):
        lines[slot_id].append((idx, roles, skills, count))
    seats, opens = _contents(session, schedule, lines)
    counted = _counted_alternatives(slots, lines, seats)
    rows: dict[int, SiteRow] = {}
    for slot_id, external_id, slot_kind, start_at, end_at, priority, group, site_id, name, site_kind, zone, \
            township in slots:
        row = rows.get(site_id)
        if row is None:
            row = rows[site_id] = SiteRow(site_id, name, site_kind, township)
        start = to_local(start_at, zone)
        views = []
        for idx, roles, skills, count in lines[slot_id]:
            taken = tuple(seats.get((slot_id, idx), ()))
            # Counted from the seats, not the solver's note: hand edits change them.
            open_count = max(count - len(taken), 0) if slot_id in counted else 0
            reasons = opens.get((slot_id, idx), ()) if open_count else ()
            views.append(LineView(idx, tuple(roles), tuple(skills), count, taken, open_count, tuple(reasons)))
        view = SlotView(slot_id, external_id, slot_kind, start, to_local(end_at, zone), priority, group,
                        tuple(views), slot_id in counted)
        row.days[(start.date() - week_start).days].append(view)
    return WeekView(district_id, week_start, tuple(week_days(week_start)), schedule, last, tuple(rows.values()))


def _counted_alternatives(slots, lines, seats) -> set[int]:
    """Slots whose open places count: all but the alternatives of a choice group, where only
    the staffed slot counts, or the group's first slot while none is staffed (the spec's rule)."""
    counted = {row[0] for row in slots if not row[6]}
    groups: dict[str, list] = defaultdict(list)
    for row in slots:
        if row[6]:
            groups[row[6]].append(row)
    for members in groups.values():
        staffed = [m for m in members if any(seats.get((m[0], line[0])) for line in lines[m[0]])]
        counted.add((staffed or sorted(members, key=lambda m: (m[3], m[1])))[0][0])
    return counted


def _held(roles: list[str], wanted: list[str]) -> str:
    return next((r for r in roles if r in wanted), roles[0] if roles else "")


def _contents(session: Session, schedule: Schedule | None, lines: dict[int, list] | None = None):
    seats: dict[tuple[int, int], list[Seat]] = defaultdict(list)
    opens: dict[tuple[int, int], list[dict]] = {}
    if schedule is None:
        return seats, opens
    held = select(Assignment.person_id).where(Assignment.schedule_id == schedule.id)
    roles: dict[int, list[str]] = defaultdict(list)
    for person_id, role in session.execute(select(PersonRole.person_id, PersonRole.role)
                                           .where(PersonRole.person_id.in_(held)).order_by(PersonRole.role)):
        roles[person_id].append(role)
    for assignment_id, slot_id, line_index, locked, source, person_id, name in session.execute(
            select(Assignment.id, Assignment.slot_id, Assignment.line_index, Assignment.locked, Assignment.source,
                   Person.id, Person.name).join(Person, Person.id == Assignment.person_id)
            .where(Assignment.schedule_id == schedule.id).order_by(Person.name, Assignment.id)):
        wanted = next((line[1] for line in (lines or {}).get(slot_id, ()) if line[0] == line_index), [])
        seats[(slot_id, line_index)].append(Seat(assignment_id, person_id, name, tuple(roles[person_id]), locked,
                                                 source, _held(roles[person_id], wanted)))
    for slot_id, line_index, reasons in session.execute(
            select(OpenPlace.slot_id, OpenPlace.line_index, OpenPlace.reasons)
            .where(OpenPlace.schedule_id == schedule.id)):
        opens[(slot_id, line_index)] = reasons or []
    return seats, opens


def week_figures(session: Session, actor: User, district_id: int, week_start: date
                 ) -> tuple[Schedule | None, Schedule | None, dict[str, tuple[int, int, int]]]:
    """(the draft or else the published version, the published version, kind -> (demanded,
    filled, open)): the grid's figures without the grid, from counts alone (the dashboard)."""
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    last = latest_published(session, district_id, week_start)
    schedule = current_draft(session, district_id, week_start) or last
    where = [Slot.district_id == district_id, Slot.week_start == week_start, Slot.cancelled.is_(False)]
    slots = session.execute(select(Slot.id, Slot.external_id, Slot.kind, Slot.start_at, Slot.end_at, Slot.priority,
                                   Slot.choice_group).where(*where)).all()
    lines: dict[int, list[tuple[int, None, None, int]]] = defaultdict(list)
    for slot_id, idx, count in session.execute(select(SlotLine.slot_id, SlotLine.idx, SlotLine.count)
                                               .join(Slot, Slot.id == SlotLine.slot_id).where(*where)):
        lines[slot_id].append((idx, None, None, count))
    seated: dict[tuple[int, int], int] = {}
    if schedule is not None:
        seated = {(s, i): n for s, i, n in session.execute(
            select(Assignment.slot_id, Assignment.line_index, func.count())
            .where(Assignment.schedule_id == schedule.id).group_by(Assignment.slot_id, Assignment.line_index))}
    counted = _counted_alternatives(slots, lines, seated)
    figures: dict[str, list[int]] = {}
    for slot_id, _external_id, kind, *_rest in slots:
        if slot_id not in counted:
            continue
        row = figures.setdefault(kind, [0, 0, 0])
        for idx, _roles, _skills, count in lines[slot_id]:
            filled = min(seated.get((slot_id, idx), 0), count)
            row[0] += count
            row[1] += filled
            row[2] += count - filled
    return schedule, last, {k: tuple(v) for k, v in sorted(figures.items())}
