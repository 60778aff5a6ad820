"""The week as coordinators read it: sites down the side, days across, every slot with its
people and its open places (and the solver's reasons for them)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Assignment, OpenPlace, Person, Schedule, Site, Slot, User
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
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    last = latest_published(session, district_id, week_start)
    schedule = last if published else (current_draft(session, district_id, week_start) or last)
    query = (select(Slot).join(Site).where(Slot.district_id == district_id, Slot.week_start == week_start,
                                           Slot.cancelled.is_(False))
             .options(selectinload(Slot.lines), selectinload(Slot.site).selectinload(Site.township))
             .order_by(Site.kind, Site.external_id, Slot.start_at))
    if kind:
        query = query.where(Slot.kind == kind)
    if township_id:
        query = query.where(Site.township_id == township_id)
    slots = session.scalars(query).all()
    seats, opens = _contents(session, schedule)
    counted = _counted_alternatives(slots, seats)
    rows: dict[int, SiteRow] = {}
    for slot in slots:
        site = slot.site
        row = rows.setdefault(site.id, SiteRow(site.id, site.name, site.kind, site.township.name if site.township else None))
        start = to_local(slot.start_at, site.timezone)
        lines = []
        for ln in slot.lines:
            taken = tuple(seats.get((slot.id, ln.idx), ()))
            place = opens.get((slot.id, ln.idx))
            # Counted from the seats, not the solver's note: hand edits change them.
            open_count = max(ln.count - len(taken), 0) if slot.id in counted else 0
            reasons = tuple(place.reasons) if place is not None and open_count else ()
            lines.append(LineView(ln.idx, tuple(ln.roles), tuple(ln.skills), ln.count, taken, open_count, reasons))
        view = SlotView(slot.id, slot.external_id, slot.kind, start, to_local(slot.end_at, site.timezone),
                        slot.priority, slot.choice_group, tuple(lines), slot.id in counted)
        row.days[(start.date() - week_start).days].append(view)
    return WeekView(district_id, week_start, tuple(week_days(week_start)), schedule, last, tuple(rows.values()))


def _counted_alternatives(slots, seats) -> set[int]:
    """Slots whose open places count: all but the alternatives of a choice group, where only
    the staffed slot counts, or the group's first slot while none is staffed (the spec's rule)."""
    counted = {s.id for s in slots if not s.choice_group}
    groups: dict[str, list[Slot]] = defaultdict(list)
    for s in slots:
        if s.choice_group:
            groups[s.choice_group].append(s)
    for members in groups.values():
        staffed = [s for s in members if any(seats.get((s.id, ln.idx)) for ln in s.lines)]
        counted.add((staffed or sorted(members, key=lambda s: (s.start_at, s.external_id)))[0].id)
    return counted


def _contents(session: Session, schedule: Schedule | None):
    seats: dict[tuple[int, int], list[Seat]] = defaultdict(list)
    opens: dict[tuple[int, int], OpenPlace] = {}
    if schedule is None:
        return seats, opens
    rows = session.execute(
        select(Assignment, Person).join(Person, Person.id == Assignment.person_id)
        .where(Assignment.schedule_id == schedule.id).options(selectinload(Person.roles))
        .order_by(Person.name)
    )
    for a, p in rows:
        seats[(a.slot_id, a.line_index)].append(
            Seat(a.id, p.id, p.name, tuple(p.role_names), a.locked, a.source))
    for place in session.scalars(select(OpenPlace).where(OpenPlace.schedule_id == schedule.id)):
        opens[(place.slot_id, place.line_index)] = place
    return seats, opens
