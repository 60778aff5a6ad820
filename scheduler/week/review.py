"""What a publish would change: the draft against the published version, per person and per
site. A person taken off one slot and put on another shows as one move."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Assignment, Person, Schedule, Site, Slot, User
from scheduler.core.access import require_district, require_role
from scheduler.core.versions import current_draft, latest_published
from scheduler.core.weeks import to_local
from scheduler.notices.publish import NoticeReport, notices_for_publish


@dataclass(frozen=True)
class Place:
    slot_id: int
    site: str
    start: datetime  # local


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | moved
    person_id: int
    person: str
    before: Place | None
    after: Place | None


@dataclass
class Diff:
    draft: Schedule | None
    published: Schedule | None
    changes: list[Change] = field(default_factory=list)

    def by_person(self) -> dict[str, list[Change]]:
        grouped: dict[str, list[Change]] = defaultdict(list)
        for c in self.changes:
            grouped[c.person].append(c)
        return dict(sorted(grouped.items()))

    def by_site(self) -> dict[str, list[Change]]:
        grouped: dict[str, list[Change]] = defaultdict(list)
        for c in self.changes:
            for place in {p.site for p in (c.before, c.after) if p is not None}:
                grouped[place].append(c)
        return dict(sorted(grouped.items()))

    def counts(self) -> dict[str, int]:
        return {k: sum(c.kind == k for c in self.changes) for k in ("added", "removed", "moved")}


def _pairs(session: Session, schedule: Schedule | None) -> dict[tuple[int, int], tuple[str, Place]]:
    if schedule is None:
        return {}
    rows = session.execute(
        select(Assignment.slot_id, Assignment.person_id, Person.name, Site.name, Slot.start_at, Site.timezone)
        .join(Person, Person.id == Assignment.person_id).join(Slot, Slot.id == Assignment.slot_id)
        .join(Site, Site.id == Slot.site_id).where(Assignment.schedule_id == schedule.id)
    )
    return {(s, p): (name, Place(s, site, to_local(start, zone))) for s, p, name, site, start, zone in rows}


def diff(session: Session, actor: User, district_id: int, week_start: date) -> Diff:
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    draft, published = current_draft(session, district_id, week_start), latest_published(session, district_id, week_start)
    old, new = _pairs(session, published), _pairs(session, draft)
    removed = defaultdict(list)
    added = defaultdict(list)
    for key in sorted(old.keys() - new.keys(), key=lambda k: old[k][1].start):
        removed[key[1]].append(old[key])
    for key in sorted(new.keys() - old.keys(), key=lambda k: new[k][1].start):
        added[key[1]].append(new[key])
    result = Diff(draft, published)
    for person_id in sorted(removed.keys() | added.keys()):
        outs, ins = removed.get(person_id, []), added.get(person_id, [])
        for (name, before), (_, after) in zip(outs, ins):
            result.changes.append(Change("moved", person_id, name, before, after))
        for name, before in outs[len(ins):]:
            result.changes.append(Change("removed", person_id, name, before, None))
        for name, after in ins[len(outs):]:
            result.changes.append(Change("added", person_id, name, None, after))
    return result


def who_is_told(session: Session, actor: User, district_id: int, week_start: date, now: datetime) -> NoticeReport | None:
    """Who publishing the draft at `now` would tell, and by which channel first, and who
    cannot be reached: the publish's own notice code run as a dry run, so the preview and
    the outbox cannot disagree. None when there is no draft."""
    require_role(actor, "coordinator")
    require_district(actor, district_id)
    draft, published = current_draft(session, district_id, week_start), latest_published(session, district_id, week_start)
    if draft is None:
        return None
    return notices_for_publish(session, published, draft, now, dry_run=True)
